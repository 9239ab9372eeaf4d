"""Word vectors: one-hot encodings, document frequency, neighbours, orienting a projection.

NumPy helpers for the chapter on word embeddings. They work on any matrix
whose rows are word vectors, e.g. the weights of a trained
``keras.layers.Embedding`` (``layer.embeddings.numpy()``), whose row ``i``
is the vector of the word with index ``i``. Distances, similarities and the
principal components come from scikit-learn
(``sklearn.metrics.pairwise``, ``sklearn.decomposition.PCA``); the word index
of a vocabulary from :class:`lstm_course.preprocessing.Vocabulary`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def one_hot(ids: np.ndarray | Sequence[int], depth: int) -> np.ndarray:
    """One-hot vectors: ``ids`` of any shape -> float32 array of shape ``ids.shape + (depth,)``.

    (``keras.utils.to_categorical`` drops a last axis of size 1; this keeps every axis.)
    """
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"indices must lie in [0, {depth}), got {ids.min()}..{ids.max()}")
    return np.eye(depth, dtype=np.float32)[ids]


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
    from sklearn.metrics.pairwise import cosine_similarity

    vectors = np.asarray(vectors, dtype=np.float64)
    pool = np.arange(len(vectors)) if candidates is None else np.asarray(candidates)
    pool = pool[pool != query]
    sims = cosine_similarity(vectors[pool], vectors[[query]])[:, 0]
    order = np.argsort(-sims, kind="stable")[:k]
    return [(int(pool[i]), float(sims[i])) for i in order]


def orient(pca: Any, direction: np.ndarray) -> Any:
    """Flip each principal direction of a fitted ``sklearn.decomposition.PCA`` that points
    against ``direction``; returns ``pca`` (changed in place, ``transform`` included).

    A principal direction's sign is arbitrary; fixing it (e.g. so that the
    first axis points towards "positive" words) makes plots comparable
    between runs.
    """
    signs = np.where(pca.components_ @ np.asarray(direction, dtype=pca.components_.dtype) < 0, -1, 1)
    pca.components_ = pca.components_ * signs[:, None].astype(pca.components_.dtype)
    return pca
