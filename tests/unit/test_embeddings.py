import numpy as np
import pytest

from sklearn.decomposition import PCA
from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances

from lstm_course import embeddings as emb
from lstm_course.preprocessing import Vocabulary


def test_one_hot_shape_and_values():
    hot = emb.one_hot([[2, 0], [1, 3]], 4)
    assert hot.shape == (2, 2, 4) and hot.dtype == np.float32
    assert np.array_equal(hot.argmax(-1), [[2, 0], [1, 3]]) and np.all(hot.sum(-1) == 1)
    with pytest.raises(ValueError):
        emb.one_hot([4], 4)


def test_one_hot_vectors_are_equidistant_and_orthogonal():
    hot = emb.one_hot(np.arange(6), 10)
    off = ~np.eye(6, dtype=bool)
    assert np.allclose(euclidean_distances(hot)[off], np.sqrt(2))
    assert np.allclose(np.diag(euclidean_distances(hot)), 0)
    assert np.allclose(cosine_similarity(hot)[off], 0)


def test_one_hot_times_matrix_selects_rows():
    table = np.random.default_rng(0).normal(size=(10, 3))
    ids = np.array([7, 2, 2])
    assert np.allclose(emb.one_hot(ids, 10) @ table, table[ids])


def test_nearest_neighbours_orders_by_cosine_and_skips_the_query():
    v = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0], [5.0, 0.2]])
    found = emb.nearest_neighbours(v, 0, k=2)
    assert [i for i, _ in found] == [4, 1]
    assert found[0][1] > found[1][1]
    assert [i for i, _ in emb.nearest_neighbours(v, 0, k=5, candidates=[0, 2, 3])] == [2, 3]


def test_vocabulary_word_lookups():
    vocab = Vocabulary.build(["a b b", "c b a"], size=10)
    words = vocab.words_by_index()
    ids = vocab.ids(["b", "a"])
    assert [words[i] for i in ids] == ["b", "a"] and words[:2] == ("<pad>", "<oov>")
    assert vocab.decode(np.array([ids[0], ids[1], 1, 0, 0])) == "b a <oov>"
    assert vocab.decode(vocab.encode(["c b zebra"], max_len=5)[0]) == "c b <oov>"
    with pytest.raises(KeyError, match="zebra"):
        vocab.ids(["zebra"])


def test_document_frequency_counts_rows_not_occurrences():
    x = np.array([[2, 2, 3, 0], [3, 0, 0, 0], [4, 4, 4, 4]])
    df = emb.document_frequency(x, 6)
    assert df.tolist() == [2, 0, 1, 2, 1, 0]


def test_orient_flips_principal_directions_towards_a_direction():
    rng = np.random.default_rng(0)
    direction = np.array([3.0, 4.0]) / 5.0
    points = rng.normal(size=(500, 1)) * 10 * direction + rng.normal(size=(500, 2)) * 0.1
    pca = PCA(n_components=2, svd_solver="full").fit(points)
    before = pca.transform(points)
    for target in (direction, -direction):
        emb.orient(pca, target)
        assert pca.components_[0] @ target > 0.999
        assert np.allclose(np.abs(pca.transform(points)), np.abs(before))
        # transform() uses the flipped directions: the first coordinate grows along the target
        assert np.corrcoef(pca.transform(points)[:, 0], points @ target)[0, 1] > 0.99
