"""The Rotten Tomatoes sentiment task, ready for Keras, and its bag-of-words baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_course.data import Split, Vocabulary, rotten_tomatoes_split, tokenize


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
    (the median review has about 20 words).
    """
    split = rotten_tomatoes_split(test_fraction=test_fraction, seed=seed)
    vocab = Vocabulary.build(split.train["text"], size=vocab_size)
    return SentimentData(
        x_train=vocab.encode(split.train["text"], max_len),
        y_train=split.train["label"].to_numpy(np.int64),
        x_test=vocab.encode(split.test["text"], max_len),
        y_test=split.test["label"].to_numpy(np.int64),
        vocab=vocab,
        split=split,
    )


def bag_of_words_accuracy(data: SentimentData, C: float = 1.0) -> float:
    """Test accuracy of logistic regression on word counts (unigrams and bigrams).

    The simple baseline every sentiment model in the course is compared with;
    it sees the same training reviews and the same tokenizer.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=(1, 2), min_df=2)
    train = vectorizer.fit_transform(data.split.train["text"])
    test = vectorizer.transform(data.split.test["text"])
    model = LogisticRegression(C=C, max_iter=2_000)
    # One BLAS thread: the problem is small, and spinning threads cost seconds
    # on a busy 2-core machine without changing the result.
    with threadpool_limits(limits=1):
        model.fit(train, data.y_train)
        return float(model.score(test, data.y_test))


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
    from lstm_course.notebook import seeded

    if not 0.0 < keep <= 1.0:
        raise ValueError(f"keep must be in (0, 1], got {keep}")
    rng = np.random.default_rng(seeded(seed))

    def thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = (y == 1) | (rng.random(len(y)) < keep)
        return x[rows], (1 - y[rows]).astype(np.int64)

    x_train, y_train = thin(data.x_train, data.y_train)
    x_test, y_test = thin(data.x_test, data.y_test)
    return RareClassTask(x_train, y_train, x_test, y_test)
