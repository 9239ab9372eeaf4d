"""Tagging tasks whose answer at step ``t`` needs inputs from *after* ``t``.

They support the chapter on bidirectional recurrent networks: a
unidirectional layer has read only ``x[0..t]`` when it emits its output at
step ``t``, a bidirectional one has read the whole sequence. Two tasks:

* :func:`offset_recall`, a controlled task: at every step, name the symbols
  found a few steps back and a few steps ahead. Scoring each offset
  separately shows how far into the past and the future a model can see.
* :func:`next_word_capital_tags`, a real-text task on *Hamlet*: tag every
  character with whether the next word starts with a capital letter.

Also here: helpers that score a per-step classifier by offset and by
distance, and a drawing of a bidirectional layer unrolled in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from matplotlib.axes import Axes

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lstm_course.data import windows  # noqa: F401  (re-exported: chapter 7 calls bt.windows)
from lstm_course.notebook import seeded
from lstm_course.diagrams import INPUT_FILL, LAYER_FILL, OUTPUT_FILL

BACKWARD_COLOR = "#e6d5f0"


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


def _node(ax: Axes, x: float, y: float, text: str, color: str, w: float = 0.5) -> None:
    ax.add_patch(FancyBboxPatch((x - w / 2, y - 0.22), w, 0.44, boxstyle="round,pad=0.02",
                                facecolor=color, edgecolor="0.3", linewidth=1.0, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3)


def _link(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str = "0.3", bend: float = 0.0
) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, color=color,
                                 linewidth=1.0, zorder=1, connectionstyle=f"arc3,rad={bend}"))


def draw_bidirectional(ax: Axes, inputs: Sequence[str], title: str = "") -> None:
    """A bidirectional layer unrolled over ``len(inputs)`` steps.

    Bottom row: the inputs. Above them, the forward layer (its state flows
    left to right, orange) and the backward layer (its state flows right to
    left, purple), both reading every input. Top row: the output at each
    step, which merges the two layers' states at that step.
    """
    steps = len(inputs)
    if steps < 1:
        raise ValueError("need at least one input")
    fwd, bwd = "tab:orange", "tab:purple"
    for t, label in enumerate(inputs):
        _node(ax, t, 0.0, str(label), INPUT_FILL)
        _node(ax, t, 1.0, "fwd", LAYER_FILL)
        _node(ax, t, 2.0, "bwd", BACKWARD_COLOR)
        _node(ax, t, 3.0, f"y{t + 1}", OUTPUT_FILL, w=0.6)
        _link(ax, (t, 0.22), (t, 0.78))                      # input -> forward
        _link(ax, (t - 0.2, 0.22), (t - 0.2, 1.78), bend=-0.45)    # input -> backward, around the forward cell
        _link(ax, (t + 0.2, 1.22), (t + 0.2, 2.78), fwd, bend=0.45)  # forward state -> output, around the backward cell
        _link(ax, (t, 2.22), (t, 2.78), bwd)                 # backward state -> output
        if t + 1 < steps:
            _link(ax, (t + 0.25, 1.0), (t + 0.75, 1.0), fwd)
            _link(ax, (t + 0.75, 2.0), (t + 0.25, 2.0), bwd)
    ax.text(steps - 0.3, 1.0, "forward", va="center", fontsize=9, color="tab:orange")
    ax.text(steps - 0.3, 2.0, "backward", va="center", fontsize=9, color="tab:purple")
    ax.set_xlim(-0.6, steps + 0.9)
    ax.set_ylim(-0.45, 3.45)
    if title:
        ax.set_title(title, fontsize=10)
    ax.set_aspect("equal")
    ax.axis("off")
