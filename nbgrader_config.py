"""nbgrader configuration for the LSTM course.

Run every nbgrader command from the repository root::

    nbgrader generate_assignment a1_rnn_vs_lstm --force   # source/ -> assignments/
    nbgrader generate_solution   a1_rnn_vs_lstm --force   # source/ -> solutions/
    nbgrader autograde           a1_rnn_vs_lstm           # submitted/ -> autograded/
    nbgrader generate_feedback   a1_rnn_vs_lstm           # autograded/ -> feedback/

`make assignments` runs the first two for every assignment.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearOutput,
    Execute,
    GetGrades,
    IncludeHeaderFooter,
    LockCells,
)

from lstm_course.env import quiet_tensorflow
from lstm_grader.preprocessors import HideHiddenTestTracebacks

# The kernels nbgrader starts inherit this process's environment: keep
# TensorFlow's C++ log lines out of graded cells (a test cell with any stderr
# output would score 0).
quiet_tensorflow()

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# Directory layout (DESIGN.md section 2): instructor notebooks in source/,
# student versions in assignments/, solutions in solutions/. Everything else
# (submitted/, autograded/, feedback/, gradebook.db) is ignored by git.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".DS_Store",
]

# Training cells in the assignments take up to a minute on a laptop CPU; the
# default of 30 s per cell would fail them. A runaway submission still stops.
c.Execute.timeout = 240
c.Execute.startup_timeout = 120
# No per-cell timestamps in the metadata: regenerated solutions stay identical.
c.Execute.record_timing = False

# nbgrader 0.9.6's generate_solution keeps the hidden tests. solutions/ is
# public, so strip them before the solution notebook is executed. The mark
# schemes of the written questions (model answer and marking criteria) stay in
# the solutions: they are what a student reads after the deadline. They are
# removed from the student version by generate_assignment as usual.
c.GenerateSolution.preprocessors = [
    IncludeHeaderFooter,
    LockCells,
    ClearOutput,
    ClearHiddenTests,
    Execute,
]

# Feedback goes back to students: it shows which hidden tests failed (score
# and error message) but not their code.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    HideHiddenTestTracebacks,  # tracebacks quote the failing cell's source
    ClearHiddenTests,
    CSSHTMLHeaderPreprocessor,
]

# Student stubs: the function exists, calling it says what to do.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
