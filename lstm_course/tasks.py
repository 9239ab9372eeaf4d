"""Controlled long-lag tasks after Hochreiter & Schmidhuber (1997).

Each generator is deterministic for a given ``seed`` (shifted by
``$LSTM_COURSE_SEED`` in a seed sweep, see :func:`lstm_course.notebook.seeded`)
and returns float32 arrays shaped for Keras: inputs ``(n, length, features)``, targets as noted.
They are for the theory chapters and the RNN-vs-LSTM assignment; case
studies use real data.
"""

from __future__ import annotations

import numpy as np

from lstm_course.notebook import seeded


def _check(n: int, length: int, minimum: int) -> None:
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    if length < minimum:
        raise ValueError(f"length must be at least {minimum}, got {length}")


def adding_problem(n: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (experiment 4 of Hochreiter & Schmidhuber, 1997), in
    the form used by Le, Jaitly & Hinton (2015).

    Each sequence has two channels: channel 0 holds values drawn uniformly
    from [0, 1); channel 1 is a marker, 1 at exactly two steps and 0 elsewhere.
    One marked step lies in the first half of the sequence and one in the
    second half. The target is the sum of the two marked values, so the
    network must hold the first value across at least ``length // 2`` steps.

    Returns ``x`` of shape ``(n, length, 2)`` and ``y`` of shape ``(n, 1)``.
    Predicting the mean of ``y`` gives a mean squared error of about 1/6.
    """
    _check(n, length, 2)
    rng = np.random.default_rng(seeded(seed))
    x = np.zeros((n, length, 2), dtype=np.float32)
    x[:, :, 0] = rng.uniform(0.0, 1.0, size=(n, length))
    half = length // 2
    rows = np.arange(n)
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0]).astype(np.float32)[:, None]
    return x, y


def temporal_order(
    n: int, length: int, seed: int = 0, n_symbols: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """The temporal-order problem (experiment 6a of Hochreiter & Schmidhuber).

    A sequence of one-hot symbols: distractors everywhere except two steps
    that each hold X or Y, the first between 10% and 20% of the way through
    the sequence and the second between 50% and 60% (the positions of the
    original experiment, scaled to ``length``). The class is which of the four
    orders appeared: XX=0, XY=1, YX=2, YY=3.

    Returns ``x`` of shape ``(n, length, 2 + n_symbols)`` (channels 0 and 1
    are X and Y) and integer labels ``y`` of shape ``(n,)``.
    """
    _check(n, length, 10)
    rng = np.random.default_rng(seeded(seed))
    depth = 2 + n_symbols
    symbols = rng.integers(2, depth, size=(n, length))
    first = rng.integers(length // 10, 2 * length // 10 + 1, size=n)
    second = rng.integers(5 * length // 10, 6 * length // 10 + 1, size=n)
    a = rng.integers(0, 2, size=n)
    b = rng.integers(0, 2, size=n)
    rows = np.arange(n)
    symbols[rows, first] = a
    symbols[rows, second] = b
    x = np.eye(depth, dtype=np.float32)[symbols]
    y = (2 * a + b).astype(np.int64)
    return x, y


def copy_task(
    n: int, n_items: int, lag: int, seed: int = 0, n_symbols: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Copy (recall) with a lag.

    The network sees ``n_items`` random symbols, then ``lag`` blank steps,
    then a recall marker, and must output the items again at the last
    ``n_items`` steps. Inputs are one-hot over ``n_symbols`` symbols plus a
    blank (index ``n_symbols``) and the marker (index ``n_symbols + 1``).

    Returns ``x`` of shape ``(n, length, n_symbols + 2)`` and integer targets
    ``y`` of shape ``(n, length)`` with ``length = 2 * n_items + lag + 1``;
    the target is the blank symbol everywhere except the recall steps.
    """
    if n_items < 1 or lag < 0:
        raise ValueError("need n_items >= 1 and lag >= 0")
    _check(n, 1, 1)
    rng = np.random.default_rng(seeded(seed))
    blank, marker = n_symbols, n_symbols + 1
    length = 2 * n_items + lag + 1
    items = rng.integers(0, n_symbols, size=(n, n_items))
    inputs = np.full((n, length), blank, dtype=np.int64)
    inputs[:, :n_items] = items
    inputs[:, n_items + lag] = marker
    targets = np.full((n, length), blank, dtype=np.int64)
    targets[:, -n_items:] = items
    x = np.eye(n_symbols + 2, dtype=np.float32)[inputs]
    return x, targets


def mean_baseline_mse(y_train: np.ndarray, y_test: np.ndarray) -> float:
    """Test MSE of always predicting the training mean: the bar to beat."""
    return float(np.mean((np.asarray(y_test) - np.mean(y_train)) ** 2))
