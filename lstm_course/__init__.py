"""Shared code for the hands-on LSTM course.

The notebooks in ``chapters/`` and ``source/`` import from here instead of
repeating code. Importing the package itself is cheap: TensorFlow is only
imported by the functions that need it.

Set-up and checks
    :mod:`~lstm_course.env` (TensorFlow log switches), :mod:`~lstm_course.notebook`
    (seeds, determinism, plot style), :mod:`~lstm_course.checks` and
    :mod:`~lstm_course.model_checks` (assertions whose messages name the likely
    mistake), :mod:`~lstm_course.keras_utils`. (The instructor's grading tools
    live in the separate ``lstm_grader`` package under ``grader/``.)
Data and tasks
    :mod:`~lstm_course.data` (offline loaders: Rotten Tomatoes, Hamlet, S&P 500),
    :mod:`~lstm_course.sentiment` (encoded reviews, bag-of-words baseline),
    :mod:`~lstm_course.sentiment_experiments` (assignment 4's data and checks),
    :mod:`~lstm_course.tagging` (character tagging of Hamlet),
    :mod:`~lstm_course.music` (Bach chorale melodies from music21),
    :mod:`~lstm_course.tasks` (long-lag tasks of Hochreiter & Schmidhuber 1997),
    :mod:`~lstm_course.bidirectional_tasks` (tasks that need future context).
Models and theory
    :mod:`~lstm_course.params` (parameter-count formulas),
    :mod:`~lstm_course.models` (the reference architectures that chapters share),
    :mod:`~lstm_course.numpy_rnn` and :mod:`~lstm_course.numpy_lstm` (from-scratch
    recurrent cells checked against Keras), :mod:`~lstm_course.embeddings`,
    :mod:`~lstm_course.layer_demos`, :mod:`~lstm_course.training` (learning-rate range
    test, schedule, timers, sweeps).
Figures
    :mod:`~lstm_course.diagrams` (diagrams of networks and cells, one palette).
"""

__version__ = "0.1.0"
