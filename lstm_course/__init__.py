"""Shared code for the hands-on LSTM course.

The notebooks in ``chapters/`` and ``source/`` import from here instead of
repeating code. Modules:

* :mod:`lstm_course.notebook` -- one call that makes a notebook reproducible
  and quiet (seeds, TensorFlow logging, plotting defaults).
* :mod:`lstm_course.data` -- offline loaders for the vetted real datasets.
* :mod:`lstm_course.tasks` -- generators for the controlled long-lag tasks
  of Hochreiter & Schmidhuber (1997).

Importing the package itself is cheap: TensorFlow is only imported by the
functions that need it.
"""

__version__ = "0.1.0"
