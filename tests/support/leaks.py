"""What must never reach students: solution code, hidden tests, mark schemes.

The detectors live in :mod:`lstm_grader.leaks` (the feedback scan uses them
too); this module keeps the tests' ``from leaks import ...`` working.
"""

from lstm_grader.leaks import (  # noqa: F401  (re-exported)
    MARKERS,
    MIN_LEN,
    find_leaks,
    html_text,
    normalise,
    secrets,
    visible_lines,
)
