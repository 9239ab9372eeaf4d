"""nbgrader configuration for the LSTM course.

Run every nbgrader command from the repository root::

    nbgrader generate_assignment a1_rnn_vs_lstm --force   # source/ -> assignments/
    nbgrader generate_solution   a1_rnn_vs_lstm --force   # source/ -> solutions/
    nbgrader autograde           a1_rnn_vs_lstm           # submitted/ -> autograded/
    nbgrader generate_feedback   a1_rnn_vs_lstm           # autograded/ -> feedback/

`make assignments` runs the first two for every assignment.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    Execute,
    IncludeHeaderFooter,
    LimitOutput,
    LockCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from lstm_course.env import quiet_tensorflow
from lstm_grader import sandbox
from lstm_grader.autograde import (
    CapOutput,
    DropEmptyGradeMetadata,
    QuietOverwriteCells,
    SandboxedExecute,
    SanitizeStudentOutput,
    StderrIsNotFailure,
)
from lstm_grader.feedback import feedback_preprocessors
from lstm_grader.gradebook import stamp_in_process
from lstm_grader.intake import Intake, Verdict

# The kernels nbgrader starts inherit this process's environment: keep
# TensorFlow's C++ log lines out of graded cells (a test cell with any stderr
# output would score 0).
quiet_tensorflow()

# A new gradebook is stamped with the schema revision of nbgrader's migrations;
# read it in this process rather than by running the `alembic` command (3-4 s).
stamp_in_process()

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# Directory layout (CONTRIBUTING.md, "Layout"): instructor notebooks in source/,
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

# Feedback goes back to students: scores and error messages, but no
# hidden-test code (cells cleared, tracebacks cut, any hidden line a
# submission printed redacted), no mark schemes (model answers come with the
# solutions, after the deadline), no grader paths, no active HTML. Run
# `lstm-course scan-feedback ASSIGNMENT` before releasing it.
c.GenerateFeedback.preprocessors = feedback_preprocessors()

# ---------------------------------------------------------------------------
# Autograding (instructors/threat-model.md). Every student kernel runs in the
# bubblewrap sandbox: SandboxedExecute always picks the sandbox kernel spec
# (never the notebook's), checks inside the kernel that it is sandboxed before
# any student code runs, and refuses to grade if not (fails closed;
# LSTM_COURSE_NO_SANDBOX=1 is the explicit way out). A kernel with no network
# talks to nbgrader over ZeroMQ's ipc transport, in a folder of its own.
sandbox.install_kernelspec()
c.KernelManager.transport = "ipc"
c.KernelManager.ip = str(sandbox.ipc_directory() / "kernel")

c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    DropEmptyGradeMetadata,  # a copy-pasted test cell must not stop the batch
    OverwriteKernelspec,
    QuietOverwriteCells,  # warns only when a read-only cell was really edited
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,
    StderrIsNotFailure,  # a warning never costs points: tests fail by raising
    ClearMetadataPreprocessor,
    LimitOutput,
    CapOutput,
    SanitizeStudentOutput,  # formgrader must not run what a submission displays
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
# Before each submission: report reset, bad timestamps and renamed or broken
# notebooks handled, integrity screen. After: flagged ones go to review.
c.Autograde.pre_convert_hook = Intake(release="assignments")
c.Autograde.post_convert_hook = Verdict(db_url="sqlite:///gradebook.db")

# Student stubs: the function exists, calling it says what to do.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
