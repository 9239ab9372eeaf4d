import numpy as np
import pytest

from lstm_course import preprocessing, tasks
from lstm_course.preprocessing import word_boundary_tags


def test_char_encoder_reserves_padding_and_unknown():
    enc = preprocessing.CharEncoder.build("banana!")
    assert enc.chars == ("!", "a", "b", "n")
    assert enc.size == 6
    assert enc.encode("nab?").tolist() == [5, 3, 4, 1]
    assert enc.encode("").shape == (0,)
    assert enc.encode("ban").dtype == np.int32
    assert enc.decode(np.array([[4, 3, 0], [1, 2, 0]])) == "ba?!"


def test_contiguous_split_cuts_at_a_word_start():
    chars, tags = word_boundary_tags("one two three four five six seven eight nine ten")
    train, test = preprocessing.contiguous_split(chars, tags, test_fraction=0.3)
    assert train.chars + test.chars == chars
    assert np.array_equal(np.concatenate([train.tags, test.tags]), tags)
    assert test.tags[0] == 1  # the test part begins with a word
    assert train.chars.endswith("seven") and test.chars == "eightnineten"
    # the cut moves forward only, to the next word start
    assert len(test.chars) <= round(0.3 * len(chars))


def test_contiguous_split_rejects_bad_input():
    chars, tags = word_boundary_tags("a bc")
    with pytest.raises(ValueError):
        preprocessing.contiguous_split(chars, tags, test_fraction=0.0)
    with pytest.raises(ValueError):
        preprocessing.contiguous_split(chars, tags[:-1])
    with pytest.raises(ValueError, match="word start"):
        preprocessing.contiguous_split("abcdef", np.array([1, 0, 0, 0, 0, 0]), test_fraction=0.5)
    with pytest.raises(ValueError):
        preprocessing.TaggedText("ab", np.array([1]))


def test_cut_windows_shapes_and_order():
    ids = np.arange(10)
    tags = (ids % 3 == 0).astype(int)
    x, y = preprocessing.cut_windows(ids, tags, length=4)
    assert x.shape == (2, 4) and y.shape == (2, 4, 1)
    assert x.dtype == np.int32 and y.dtype == np.float32
    assert x.ravel().tolist() == list(range(8))  # side by side, remainder dropped
    assert y.ravel().tolist() == tags[:8].tolist()
    x, y = preprocessing.cut_windows(ids, tags, length=4, stride=3)
    assert x[:, 0].tolist() == [0, 3, 6]
    assert y[1, :, 0].tolist() == tags[3:7].tolist()
    with pytest.raises(ValueError):
        preprocessing.cut_windows(ids, tags, length=11)
    with pytest.raises(ValueError):
        preprocessing.cut_windows(ids, tags[:-1], length=4)
    with pytest.raises(ValueError):
        preprocessing.cut_windows(ids, tags, length=4, stride=0)


def test_punctuation_baseline():
    chars, tags = word_boundary_tags("Yes, my lord. Go! ok")
    assert chars == "Yes,mylord.Go!ok"
    base = tasks.punctuation_baseline(chars)
    assert base.tolist() == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0]
    assert np.all(tags[base == 1] == 1)  # never wrong when it fires here
    assert tasks.punctuation_baseline("").shape == (0,)


def test_insert_spaces_inverts_word_boundary_tags():
    text = "to be, or not to be: that is the question"
    chars, tags = word_boundary_tags(text)
    assert preprocessing.insert_spaces(chars, tags) == text
    assert preprocessing.insert_spaces(chars, tags.astype(np.float32)[:, None]) == text
    assert preprocessing.insert_spaces("ab", [1, 1]) == "a b"
    with pytest.raises(ValueError):
        preprocessing.insert_spaces("abc", [1, 0])


@pytest.fixture(scope="module")
def task():
    return tasks.load_boundary_task(length=100)


def test_hamlet_boundary_task(task):
    assert task.x_train.shape[1:] == (100,) and task.y_train.shape[1:] == (100, 1)
    assert task.x_test.shape[1:] == (100,) and task.y_test.shape[1:] == (100, 1)
    assert len(task.x_train) == 1_143 and len(task.x_test) == 285
    assert task.length == 100
    # lower-cased, no white space; the index comes from the training part only
    assert task.train_chars == task.train_chars.lower() and not any(ch.isspace() for ch in task.train_chars)
    assert set(task.train_chars) <= set(task.encoder.chars) and task.encoder.size < 50
    assert task.encoder.decode(task.x_test) == task.test_chars
    assert task.encoder.decode(task.x_train) == task.train_chars
    # the test part is a later stretch of the play, beginning with a word
    assert task.y_test[0, 0, 0] == 1
    assert "thefrenchmangaveyou" in task.test_chars and "thefrenchmangaveyou" not in task.train_chars
    assert "tobe,ornottobe" in task.train_chars
    # about one character in 4.5 starts a word
    assert 0.2 < task.y_train.mean() < 0.25 and 0.2 < task.y_test.mean() < 0.25


def test_baseline_on_hamlet(task):
    base = tasks.punctuation_baseline(task.test_chars)
    truth = task.y_test.ravel().astype(int)
    hits = np.sum((base == 1) & (truth == 1))
    assert hits / base.sum() > 0.95  # precise
    assert 0.15 < hits / truth.sum() < 0.25  # but finds only a fifth of the boundaries


@pytest.mark.parametrize("n, length, step", [(10, 3, None), (10, 3, 1), (11, 4, 2), (5, 5, None), (1, 1, None),
                                             (100, 7, 3), (6, 2, 5)])
def test_windows_match_plain_indexing(n, length, step):
    """``windows`` (Keras' timeseries_dataset_from_array) against NumPy indexing, for 1-D and 2-D series."""
    for values in (np.arange(n) * 3, np.random.default_rng(n).normal(size=(n, 2)).astype(np.float32)):
        got = preprocessing.windows(values, length, step)
        starts = range(0, n - length + 1, step or length)
        expected = np.stack([values[s:s + length] for s in starts])
        assert got.dtype == values.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_windows_refuse_a_series_shorter_than_a_window():
    with pytest.raises(ValueError):
        preprocessing.windows(np.arange(3), 4)


def test_char_encoder_without_oov_index():
    enc = preprocessing.CharEncoder.build("banana", oov=False)
    assert enc.index() == {"a": 1, "b": 2, "n": 3} and enc.size == 4
    assert enc.decode(enc.encode("nab")) == "nab"
    with pytest.raises(ValueError):
        enc.encode("bandana")


def test_standardise():
    z = preprocessing.standardise([[1.0, 10.0], [3.0, 30.0]])
    np.testing.assert_allclose(z, [[-1, -1], [1, 1]])
