import numpy as np
import pytest

from lstm_course import models
from lstm_course.data import load_sentiment, rare_rotten


@pytest.fixture(scope="module")
def data():
    return load_sentiment(vocab_size=5_000, max_len=30)


def test_shapes_and_vocabulary_from_training_side_only(data):
    assert data.x_train.shape[1] == data.x_test.shape[1] == 30
    assert len(data.x_train) == len(data.y_train) and len(data.x_test) == len(data.y_test)
    assert data.x_train.max() < 5_000 and data.vocab.size == 5_000
    assert set(np.unique(data.y_train)) == {0, 1}


def test_bag_of_words_beats_the_majority_class(data):
    acc = models.bag_of_words_accuracy(data)
    assert acc > data.majority_accuracy + 0.1
    assert 0.5 < data.majority_accuracy < 0.65


def test_rare_rotten_keeps_every_fresh_review_and_a_tenth_of_the_rotten(data):
    task = rare_rotten(data, keep=0.1, seed=0)
    # every fresh review is there, labelled 0; rotten ones are labelled 1
    assert (task.y_train == 0).sum() == (data.y_train == 1).sum()
    assert (task.y_test == 0).sum() == (data.y_test == 1).sum()
    rotten_kept = (task.y_train == 1).sum() / (data.y_train == 0).sum()
    assert 0.07 < rotten_kept < 0.13
    assert task.majority_accuracy == pytest.approx(1 - task.y_test.mean())
    assert task.majority_accuracy > 0.9
    # the rows kept are rows of data, in order, with their label flipped
    fresh = data.x_train[data.y_train == 1]
    np.testing.assert_array_equal(task.x_train[task.y_train == 0], fresh)
    again = rare_rotten(data, keep=0.1, seed=0)
    np.testing.assert_array_equal(again.x_test, task.x_test)
    with pytest.raises(ValueError):
        rare_rotten(data, keep=0.0)
