"""Word vectors: one-hot encodings, similarity, projection to 2-D.

NumPy helpers for the chapter on word embeddings. They work on any matrix
whose rows are word vectors, e.g. the weights of a trained
``keras.layers.Embedding`` (``layer.embeddings.numpy()``), whose row ``i``
is the vector of the word with index ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lstm_course.data import Vocabulary


def one_hot(ids: np.ndarray | Sequence[int], depth: int) -> np.ndarray:
    """One-hot vectors: ``ids`` of any shape -> float32 array of shape ``ids.shape + (depth,)``."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"indices must lie in [0, {depth}), got {ids.min()}..{ids.max()}")
    return np.eye(depth, dtype=np.float32)[ids]


def euclidean_distances(vectors: np.ndarray) -> np.ndarray:
    """Matrix of Euclidean distances between the rows of ``vectors``."""
    v = np.asarray(vectors, dtype=np.float64)
    squared = np.sum(v**2, axis=1)
    d2 = squared[:, None] + squared[None, :] - 2.0 * v @ v.T
    return np.sqrt(np.clip(d2, 0.0, None))


def cosine_similarities(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Cosine similarity between every row of ``a`` and every row of ``b`` (default ``a``).

    A zero row has similarity 0 with everything.
    """
    a = np.asarray(a, dtype=np.float64)
    b = a if b is None else np.asarray(b, dtype=np.float64)

    def unit(m: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)

    return unit(a) @ unit(b).T


def index_to_word(vocab: Vocabulary) -> tuple[str, ...]:
    """The word of every index of ``vocab``: ``"<pad>"``, ``"<oov>"``, then its words."""
    return ("<pad>", "<oov>") + tuple(vocab.words)


def word_ids(vocab: Vocabulary, words: Sequence[str]) -> np.ndarray:
    """Indices of ``words`` in ``vocab``; a word outside it raises ``KeyError``."""
    lookup = vocab.index()
    missing = [w for w in words if w not in lookup]
    if missing:
        raise KeyError(f"not in the vocabulary: {missing}")
    return np.array([lookup[w] for w in words], dtype=np.int64)


def document_frequency(x: np.ndarray, vocab_size: int) -> np.ndarray:
    """For every index, the number of rows of the integer matrix ``x`` that contain it.

    Padding (0) and out-of-vocabulary (1) entries are counted like any index;
    ignore ``[:2]`` of the result if they do not matter.
    """
    x = np.asarray(x)
    rows = np.repeat(np.arange(len(x)), x.shape[1])
    present = np.zeros((len(x), vocab_size), dtype=bool)
    present[rows, x.ravel()] = True
    return present.sum(axis=0)


def nearest_neighbours(
    vectors: np.ndarray,
    query: int,
    k: int = 5,
    candidates: np.ndarray | Sequence[int] | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` rows most cosine-similar to row ``query``, as ``(index, similarity)``.

    Only the indices in ``candidates`` are searched (default: every row);
    the query itself is never returned.
    """
    vectors = np.asarray(vectors)
    pool = np.arange(len(vectors)) if candidates is None else np.asarray(candidates)
    pool = pool[pool != query]
    sims = cosine_similarities(vectors[pool], vectors[[query]])[:, 0]
    order = np.argsort(-sims, kind="stable")[:k]
    return [(int(pool[i]), float(sims[i])) for i in order]


@dataclass(frozen=True)
class PCA:
    """Principal components of a set of vectors, computed by SVD.

    ``components`` has one unit-length direction per row, largest variance
    first; ``explained`` is the share of the total variance along each.
    """

    mean: np.ndarray
    components: np.ndarray
    explained: np.ndarray

    @classmethod
    def fit(cls, vectors: np.ndarray, n_components: int = 2) -> "PCA":
        v = np.asarray(vectors, dtype=np.float64)
        if v.ndim != 2 or not 1 <= n_components <= min(v.shape):
            raise ValueError(f"need a 2-D array and 1 <= n_components <= {min(v.shape)}")
        mean = v.mean(axis=0)
        _, singular, vt = np.linalg.svd(v - mean, full_matrices=False)
        variance = singular**2
        return cls(mean=mean, components=vt[:n_components],
                   explained=variance[:n_components] / variance.sum())

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Coordinates of ``vectors`` (rows) along the components."""
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.components.T

    def oriented(self, direction: np.ndarray) -> "PCA":
        """The same components, each sign-flipped if needed to point along ``direction``.

        A principal direction's sign is arbitrary; fixing it (e.g. so that the
        first axis points towards "positive" words) makes plots comparable
        between runs.
        """
        signs = np.where(self.components @ np.asarray(direction, dtype=np.float64) < 0, -1.0, 1.0)
        return PCA(mean=self.mean, components=self.components * signs[:, None],
                   explained=self.explained)
