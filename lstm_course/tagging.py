"""Character tagging on real text: word-boundary restoration on *Hamlet*.

The task: remove every space and line break from the play and ask a model,
for each remaining character, whether a word starts there (tag 1) or not
(tag 0). It is an aligned many-to-many problem, one tag per input step, and
one where the *following* characters matter: whether ``there`` ends after
``the`` is only settled by what comes next.

This module prepares the data for Keras:

* :class:`CharEncoder` maps characters to integer ids (0 = padding,
  1 = a character never seen in training);
* :func:`contiguous_split` keeps the beginning of the play for training and
  a later part for testing, cut at a word start, so that no passage is on
  both sides;
* :func:`cut_windows` cuts a long tagged sequence into fixed-length windows;
* :func:`load_boundary_task` does all of it for *Hamlet*;
* :func:`punctuation_baseline` is the trivial rule every model must beat,
  and :func:`insert_spaces` shows a tagging as readable text.

The boundary precision, recall and F1 score are deliberately not here: the
assignment on bidirectionality asks students to write them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_course.data import load_hamlet, windows, word_boundary_tags

PUNCTUATION = ".,;:!?"
"""After one of these characters a new word (almost) always starts."""


@dataclass(frozen=True)
class CharEncoder:
    """A character index built from training text only.

    Index 0 is reserved for padding and index 1 stands for any character
    absent from the training text; the training characters take indices 2,
    3, ... in sorted order, so the index is reproducible.
    """

    chars: tuple[str, ...]

    PAD = 0
    UNKNOWN = 1

    @classmethod
    def build(cls, text: str) -> "CharEncoder":
        """The encoder of the distinct characters of ``text``."""
        return cls(chars=tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        """Number of indices used, padding and unknown included (an Embedding's input_dim)."""
        return len(self.chars) + 2

    def index(self) -> dict[str, int]:
        """The mapping from each known character to its id."""
        return {ch: i + 2 for i, ch in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        """Integer ids of the characters of ``text``, shape ``(len(text),)``, int32."""
        lookup = self.index()
        return np.fromiter((lookup.get(ch, self.UNKNOWN) for ch in text), dtype=np.int32, count=len(text))

    def decode(self, ids: np.ndarray) -> str:
        """The text of a sequence of ids (padding dropped, unknown shown as ``?``)."""
        table = {i + 2: ch for i, ch in enumerate(self.chars)}
        return "".join(table.get(int(i), "?") for i in np.ravel(ids) if int(i) != self.PAD)


@dataclass(frozen=True)
class TaggedText:
    """A run of characters and its tags (1 = a word starts at this character)."""

    chars: str
    tags: np.ndarray

    def __post_init__(self) -> None:
        if len(self.chars) != len(self.tags):
            raise ValueError(f"{len(self.chars)} characters but {len(self.tags)} tags")


def contiguous_split(chars: str, tags: np.ndarray, test_fraction: float = 0.2) -> tuple[TaggedText, TaggedText]:
    """The first part of a text for training, the rest for testing.

    A random split of short windows would put neighbouring lines of the same
    speech on both sides; here the test part is one contiguous stretch at
    the end, about ``test_fraction`` of the characters. The cut is moved
    forward to the next word start, so no word is split between the parts
    and the test part begins with a word.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    tags = np.asarray(tags)
    if len(chars) != len(tags):
        raise ValueError(f"{len(chars)} characters but {len(tags)} tags")
    cut = int(round((1.0 - test_fraction) * len(chars)))
    later_starts = np.flatnonzero(tags[cut:])
    if cut == 0 or len(later_starts) == 0:
        raise ValueError("the text is too short to split at a word start")
    cut += int(later_starts[0])
    return TaggedText(chars[:cut], tags[:cut]), TaggedText(chars[cut:], tags[cut:])


def cut_windows(
    ids: np.ndarray, tags: np.ndarray, length: int, stride: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-length training examples from one long tagged sequence.

    Returns ``x`` of shape ``(n, length)`` (int32 ids) and ``y`` of shape
    ``(n, length, 1)`` (float32 tags), the shape of a tagger's output. Window
    ``k`` starts at ``k * stride`` (default ``stride = length``: windows side by
    side, so that ``y.ravel()`` follows the text); an incomplete last window is
    dropped.
    """
    ids = np.asarray(ids)
    tags = np.asarray(tags)
    if ids.shape != tags.shape or ids.ndim != 1:
        raise ValueError(f"ids and tags must be 1-D of the same length, got {ids.shape} and {tags.shape}")
    x = windows(ids, length, stride)
    y = windows(tags, length, stride)
    return x.astype(np.int32), y[..., None].astype(np.float32)


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


def insert_spaces(chars: str, tags: np.ndarray) -> str:
    """The text with a space before every tagged character (``"tobe", [1,0,1,0]`` -> ``"to be"``)."""
    tags = np.ravel(tags)
    if len(chars) != len(tags):
        raise ValueError(f"{len(chars)} characters but {len(tags)} tags")
    return "".join((" " if tag and i else "") + ch for i, (ch, tag) in enumerate(zip(chars, tags)))
