"""Instructor tooling for the LSTM course (not shipped to students).

* :mod:`lstm_grader.preprocessors`: nbgrader preprocessors the course's
  ``nbgrader_config.py`` wires into autograde and feedback;
* :mod:`lstm_grader.sandbox`: the bubblewrap sandbox every student kernel runs in;
* :mod:`lstm_grader.screen`: the integrity screen (tampering inside a kernel);
* :mod:`lstm_grader.feedback`: feedback sanitising and the leak scan;
* :mod:`lstm_grader.cli`: the ``lstm-course`` command (``lstm-course grade``).

Nothing in ``lstm_course`` (what notebooks import) depends on this package.
"""
