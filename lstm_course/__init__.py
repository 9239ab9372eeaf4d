"""Shared code for the hands-on LSTM course.

The notebooks in ``chapters/`` and ``source/`` import from here instead of
repeating code. Importing the package itself is cheap: TensorFlow is only
imported by the functions that need it. The modules are organised by concept,
not by chapter:

Set-up and checks
    :mod:`~lstm_course.env` (TensorFlow log switches), :mod:`~lstm_course.notebook`
    (seeds, determinism, plot style, rounding for prose), :mod:`~lstm_course.checks`
    (assertions whose messages name the likely mistake; a package of four
    modules). (The instructor's grading tools live in the separate
    ``lstm_grader`` package under ``grader/``.)
Data and tasks
    :mod:`~lstm_course.data` (offline loaders: Rotten Tomatoes, Hamlet, S&P 500,
    sunspots; the sentiment task), :mod:`~lstm_course.preprocessing` (tokens,
    vocabularies, characters, the window cutter, and the same tokens and ids
    as a ``TextVectorization`` layer), :mod:`~lstm_course.tasks`
    (controlled tasks and tagging tasks on Hamlet), :mod:`~lstm_course.music`
    (Bach chorale melodies from music21), :mod:`~lstm_course.series`
    (forecasting baselines and multi-step forecasts), :mod:`~lstm_course.features`
    (daily price features from the past only, windows inside one period), :mod:`~lstm_course.language_model`
    (character language models: n-gram baselines, bits per character,
    stateful batches, sampling at a temperature).
Models and theory
    :mod:`~lstm_course.params` (parameter counts by formula and of built layers),
    :mod:`~lstm_course.models` (the reference architectures and baselines),
    :mod:`~lstm_course.seq2seq` (reading written dates: the task, encoder-decoder
    LSTMs with and without attention, teacher forcing and greedy decoding),
    :mod:`~lstm_course.training` (learning-rate range test, schedules, timers,
    sweeps, probes), :mod:`~lstm_course.comparison` (several architectures,
    one recipe, several seeds), :mod:`~lstm_course.numpy_rnn` and
    :mod:`~lstm_course.numpy_lstm` (from-scratch recurrent cells checked against
    Keras), :mod:`~lstm_course.embeddings`.
Figures
    :mod:`~lstm_course.diagrams` (diagrams of networks and cells, one palette).
"""

__version__ = "0.1.0"
