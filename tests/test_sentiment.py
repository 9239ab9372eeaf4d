import numpy as np
import pytest

from lstm_course import sentiment


@pytest.fixture(scope="module")
def data():
    return sentiment.load_sentiment(vocab_size=5_000, max_len=30)


def test_shapes_and_vocabulary_from_training_side_only(data):
    assert data.x_train.shape[1] == data.x_test.shape[1] == 30
    assert len(data.x_train) == len(data.y_train) and len(data.x_test) == len(data.y_test)
    assert data.x_train.max() < 5_000 and data.vocab.size == 5_000
    assert set(np.unique(data.y_train)) == {0, 1}


def test_bag_of_words_beats_the_majority_class(data):
    acc = sentiment.bag_of_words_accuracy(data)
    assert acc > data.majority_accuracy + 0.1
    assert 0.5 < data.majority_accuracy < 0.65
