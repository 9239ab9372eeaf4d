"""The parameter-count formulas agree with Keras' own count_params()."""

import keras
import pytest
from keras import layers

from lstm_course import params


def built(layer, shape):
    model = keras.Sequential([keras.Input(shape), layer])
    return model.layers[-1].count_params()


@pytest.mark.parametrize("d,h", [(1, 1), (13, 32), (64, 128), (256, 128)])
def test_recurrent_layers(d, h):
    assert built(layers.SimpleRNN(h), (None, d)) == params.simple_rnn_params(d, h)
    assert built(layers.LSTM(h), (None, d)) == params.lstm_params(d, h)
    assert built(layers.GRU(h), (None, d)) == params.gru_params(d, h)
    assert built(layers.GRU(h, reset_after=False), (None, d)) == params.gru_params(d, h, reset_after=False)
    assert built(layers.Bidirectional(layers.LSTM(h)), (None, d)) == params.bidirectional_params(
        params.lstm_params(d, h))


def test_dense_embedding_timedistributed():
    assert built(layers.Dense(10), (32,)) == params.dense_params(32, 10)
    assert built(layers.Dense(10, use_bias=False), (32,)) == params.dense_params(32, 10, bias=False)
    assert built(layers.Embedding(10_000, 64), (None,)) == params.embedding_params(10_000, 64)
    assert built(layers.TimeDistributed(layers.Dense(5)), (7, 3)) == params.dense_params(3, 5)


def test_reference_model_totals():
    assert params.lstm_params(13, 32) + params.dense_params(32, 10) + params.dense_params(10, 2) == 6_240
    baseline = params.embedding_params(10_000, 64) + params.lstm_params(64, 128) + params.dense_params(128, 1)
    assert baseline == 738_945
    stacked = (params.embedding_params(10_000, 64) + 2 * params.lstm_params(64, 128)
               + 2 * params.lstm_params(256, 128) + params.dense_params(256, 1))
    assert stacked == 1_232_129
