"""Tasks: controlled generators, and tagging tasks cut from real text.

* Long-lag tasks after Hochreiter & Schmidhuber (1997): :func:`adding_problem`,
  :func:`temporal_order`, :func:`copy_task`, with :func:`mean_baseline_mse`.
* Tasks whose answer at step ``t`` needs inputs from *after* ``t`` (a
  unidirectional layer has read only ``x[0..t]``): :func:`offset_recall`
  (name the symbols a few steps back and ahead; :func:`accuracy_by_offset`
  scores each offset) and :func:`next_word_capital_tags` (does the next word
  of *Hamlet* start with a capital? :func:`accuracy_by_distance`).
* Word-boundary restoration on *Hamlet* (a word starts here, or not, for
  every character of the play without its spaces): :func:`hamlet_char_tagging`
  (consecutive windows of the whole play) and :func:`load_boundary_task`
  (lower-cased, split into a training and a later test part), with the rule
  every model must beat, :func:`punctuation_baseline`. The boundary precision,
  recall and F1 score are deliberately not here: the assignment on
  bidirectionality asks students to write them.

Each generator is deterministic for a given ``seed`` (shifted by
``$LSTM_COURSE_SEED`` in a seed sweep, see :func:`lstm_course.notebook.seeded`).
The controlled tasks return float32 arrays shaped for Keras: inputs
``(n, length, features)``, targets as noted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lstm_course.data import load_hamlet
from lstm_course.notebook import seeded
from lstm_course.preprocessing import CharEncoder, contiguous_split, cut_windows, windows, word_boundary_tags


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


# ------------------------------------------- tasks that need the future


@dataclass(frozen=True)
class OffsetRecall:
    """Data of :func:`offset_recall`.

    ``x``: one-hot inputs ``(n, length, n_symbols)``; ``symbols``: the same
    inputs as integers ``(n, length)``; ``y``: integer targets
    ``(n, length, len(offsets))`` with ``y[i, t, j] = symbols[i, t + offsets[j]]``;
    ``valid``: 1.0 where ``t + offsets[j]`` lies inside the sequence, else 0.0
    (the target there is 0 and must not be scored).
    """

    x: np.ndarray
    symbols: np.ndarray
    y: np.ndarray
    valid: np.ndarray
    offsets: tuple[int, ...]


def offset_recall(
    n: int, length: int, offsets: Sequence[int], n_symbols: int = 8, seed: int = 0
) -> OffsetRecall:
    """Random symbol sequences; at each step, recall the symbols at given offsets.

    Offset ``-2`` asks for the symbol two steps back, ``0`` for the current
    one, ``+3`` for the one three steps ahead. A unidirectional network can
    answer offsets ``<= 0`` (the inputs are in its past) but can only guess
    positive ones, at chance level ``1 / n_symbols``; a bidirectional network
    can answer both.
    """
    offsets = tuple(int(o) for o in offsets)
    if n < 1 or length < 1:
        raise ValueError("n and length must be positive")
    if not offsets or max(abs(o) for o in offsets) >= length:
        raise ValueError(f"need at least one offset, each shorter than length={length}")
    if n_symbols < 2:
        raise ValueError("need at least two symbols")
    rng = np.random.default_rng(seeded(seed))
    symbols = rng.integers(0, n_symbols, size=(n, length))
    y = np.zeros((n, length, len(offsets)), dtype=np.int64)
    valid = np.zeros((n, length, len(offsets)), dtype=np.float32)
    steps = np.arange(length)
    for j, offset in enumerate(offsets):
        source = steps + offset
        inside = (source >= 0) & (source < length)
        y[:, inside, j] = symbols[:, source[inside]]
        valid[:, inside, j] = 1.0
    x = np.eye(n_symbols, dtype=np.float32)[symbols]
    return OffsetRecall(x=x, symbols=symbols, y=y, valid=valid, offsets=offsets)


def accuracy_by_offset(probabilities: np.ndarray, task: OffsetRecall) -> np.ndarray:
    """Accuracy for each offset of ``task``, counting only valid targets.

    ``probabilities`` has shape ``(n, length, len(offsets), n_symbols)``.
    """
    predicted = np.asarray(probabilities).argmax(axis=-1)
    if predicted.shape != task.y.shape:
        raise ValueError(f"predictions {predicted.shape} do not match targets {task.y.shape}")
    hits = (predicted == task.y) * task.valid
    return hits.sum(axis=(0, 1)) / task.valid.sum(axis=(0, 1))


@dataclass(frozen=True)
class CapitalTags:
    """Data of :func:`next_word_capital_tags`.

    ``text``: the characters kept; ``tags``: 1 where the next word starts with
    an upper-case letter; ``distance``: how many characters ahead that next
    word starts (1 = the very next character).
    """

    text: str
    tags: np.ndarray
    distance: np.ndarray


def next_word_capital_tags(text: str) -> CapitalTags:
    """Tag every character with whether the *next* word starts with a capital.

    A word is a maximal run of non-white-space characters; the next word of
    character ``i`` is the first word that starts after ``i``. Characters
    after the start of the last word have no next word and are dropped, so
    the result is a prefix of ``text``. Capitals in English mark the start of
    sentences, verse lines and names, and a speaker's name in *Hamlet* is
    written in capitals: the cue sits ahead of the character being tagged.
    """
    starts = [
        i for i, ch in enumerate(text)
        if not ch.isspace() and (i == 0 or text[i - 1].isspace())
    ]
    if len(starts) < 2:
        raise ValueError("the text needs at least two words")
    end = starts[-1]  # characters from the last word's start on have no next word
    start_arr = np.asarray(starts)
    # For character i, the next word is the first start strictly greater than i.
    nxt = start_arr[np.searchsorted(start_arr, np.arange(end), side="right")]
    capital = np.array([text[s].isupper() for s in starts])
    tags = capital[np.searchsorted(start_arr, nxt)].astype(np.int64)
    return CapitalTags(text=text[:end], tags=tags, distance=(nxt - np.arange(end)).astype(np.int64))


def accuracy_by_distance(
    predicted: np.ndarray, tags: np.ndarray, distance: np.ndarray, max_distance: int
) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy of per-character predictions grouped by distance ``1..max_distance``.

    Returns ``(accuracy, count)``, each of length ``max_distance``; distances
    beyond ``max_distance`` are left out. Arrays of any matching shape.
    """
    predicted, tags, distance = (np.ravel(np.asarray(a)) for a in (predicted, tags, distance))
    if not predicted.shape == tags.shape == distance.shape:
        raise ValueError("predicted, tags and distance must have the same size")
    accuracy = np.full(max_distance, np.nan)
    count = np.zeros(max_distance, dtype=np.int64)
    for k in range(1, max_distance + 1):
        here = distance == k
        count[k - 1] = int(here.sum())
        if count[k - 1]:
            accuracy[k - 1] = float(np.mean(predicted[here] == tags[here]))
    return accuracy, count


# ----------------------------------------- character tagging on Hamlet


@dataclass(frozen=True)
class CharTagging:
    """*Hamlet* without white space, cut into windows, one tag per character.

    ``x[i, t]`` is the index of a character (0 is reserved for padding, the
    characters take 1, 2, ...: ``encoder`` is a :class:`CharEncoder` without
    an OOV index, since every character is known); ``y[i, t]`` is 1 where a
    word starts and 0 elsewhere (see :func:`lstm_course.preprocessing.word_boundary_tags`).
    """

    x: np.ndarray  # (n_windows, max_len) int32
    y: np.ndarray  # (n_windows, max_len) int64
    encoder: CharEncoder

    @property
    def alphabet(self) -> tuple[str, ...]:
        """The distinct characters, in index order."""
        return self.encoder.chars

    @property
    def max_len(self) -> int:
        return int(self.x.shape[1])

    @property
    def num_words(self) -> int:
        """Size of the input vocabulary: the distinct characters plus padding."""
        return self.encoder.size

    @property
    def num_tags(self) -> int:
        """Number of distinct tags that occur in the data."""
        return int(np.unique(self.y).size)

    def decode(self, row: np.ndarray) -> str:
        """The characters of one window of indices (padding is skipped)."""
        return self.encoder.decode(row)


def hamlet_char_tagging(max_len: int = 100) -> CharTagging:
    """Word-boundary tagging on *Hamlet*, in consecutive windows of ``max_len``
    characters (the last, incomplete window is dropped, so there is no padding).

    The windows keep the order of the play: split them by position (e.g. the
    last fifth for validation) to keep training and validation text apart.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be positive, got {max_len}")
    chars, tags = word_boundary_tags(load_hamlet())
    encoder = CharEncoder.build(chars, oov=False)
    return CharTagging(
        x=windows(encoder.encode(chars), max_len),
        y=windows(tags, max_len).astype(np.int64),
        encoder=encoder,
    )


PUNCTUATION = ".,;:!?"
"""After one of these characters a new word (almost) always starts."""


@dataclass(frozen=True)
class BoundaryTask:
    """Word-boundary restoration on *Hamlet*, ready for Keras.

    ``x_*`` hold character ids ``(n, length)``; ``y_*`` the tags
    ``(n, length, 1)``. The test windows lie side by side, so
    ``y_test.ravel()`` is aligned with ``test_chars``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    encoder: CharEncoder
    train_chars: str  # the training text covered by the windows (spaces removed)
    test_chars: str  # the test text covered by the windows, in order

    @property
    def length(self) -> int:
        """Characters per window."""
        return int(self.x_train.shape[1])


def load_boundary_task(length: int = 100, test_fraction: float = 0.2, lower: bool = True) -> BoundaryTask:
    """Cut *Hamlet*, spaces removed, into windows of ``length`` characters.

    The play is lower-cased by default, so capital letters do not give word
    starts away. The first ``1 - test_fraction`` of it (about Acts I to IV)
    is for training, the rest (the end of Act IV and Act V) for testing; the
    character index is built from the training part only.
    """
    text = load_hamlet()
    chars, tags = word_boundary_tags(text.lower() if lower else text)
    train, test = contiguous_split(chars, tags, test_fraction)
    encoder = CharEncoder.build(train.chars)
    x_train, y_train = cut_windows(encoder.encode(train.chars), train.tags, length)
    x_test, y_test = cut_windows(encoder.encode(test.chars), test.tags, length)
    return BoundaryTask(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        encoder=encoder,
        train_chars=train.chars[: x_train.size],
        test_chars=test.chars[: x_test.size],
    )


def punctuation_baseline(chars: str, punctuation: str = PUNCTUATION) -> np.ndarray:
    """Trivial tagging: a word starts at the first character and after each punctuation mark.

    It is almost always right when it predicts a boundary, and misses every
    boundary between two plain words.
    """
    tags = np.zeros(len(chars), dtype=np.int64)
    if chars:
        tags[0] = 1
        after = np.fromiter((ch in punctuation for ch in chars[:-1]), dtype=bool, count=len(chars) - 1)
        tags[1:][after] = 1
    return tags
