"""The NumPy LSTM and GRU reproduce Keras' layers from their weights."""

import keras
import numpy as np
import pytest
from keras import layers

from lstm_course import numpy_lstm as NL
from lstm_course import params
from lstm_course.notebook import reset


def randomise_bias(layer, seed):
    """Keras initialises biases to 0 (and 1 for the forget gate); random ones test more."""
    weights = layer.get_weights()
    weights[-1] = np.random.default_rng(seed).normal(size=weights[-1].shape).astype("float32")
    layer.set_weights(weights)


@pytest.mark.parametrize("batch,steps,d,h", [(1, 1, 1, 1), (2, 5, 3, 4), (4, 12, 7, 16), (3, 30, 2, 9)])
def test_lstm_forward_matches_keras(batch, steps, d, h):
    reset(batch + h)
    layer = layers.LSTM(h, return_sequences=True, return_state=True)
    x = np.random.default_rng(d).normal(size=(batch, steps, d)).astype("float32")
    layer(x)
    randomise_bias(layer, h)
    sequence, h_last, c_last = (np.asarray(t) for t in layer(x))
    out = NL.lstm_forward(x, layer.get_weights(), return_gates=True)
    assert out.sequence.shape == (batch, steps, h)
    np.testing.assert_allclose(out.sequence, sequence, atol=1e-5)
    np.testing.assert_allclose(out.h, h_last, atol=1e-5)
    np.testing.assert_allclose(out.c, c_last, atol=1e-5)
    np.testing.assert_allclose(out.sequence[:, -1], out.h)
    for name in ("input", "forget", "output"):
        assert out.gates[name].shape == (batch, steps, h)
        assert np.all((out.gates[name] > 0) & (out.gates[name] < 1))
    assert np.all(np.abs(out.gates["candidate"]) < 1)


def test_last_output_and_initial_state_match_keras():
    reset(1)
    layer = layers.LSTM(6)
    x = np.random.default_rng(0).normal(size=(3, 8, 4)).astype("float32")
    h0 = np.random.default_rng(1).normal(size=(3, 6)).astype("float32")
    c0 = np.random.default_rng(2).normal(size=(3, 6)).astype("float32")
    last = np.asarray(layer(x, initial_state=[h0, c0]))
    out = NL.lstm_forward(x, layer, initial_state=(h0, c0))
    np.testing.assert_allclose(out.h, last, atol=1e-5)
    assert out.gates is None


def test_gates_follow_the_equations_in_keras_order():
    reset(2)
    layer = layers.LSTM(5)
    x = np.random.default_rng(3).normal(size=(2, 4, 3)).astype("float32")
    layer(x)
    w = NL.LSTMWeights.from_keras(layer)
    assert (w.n_inputs, w.units) == (3, 5)
    # unit_forget_bias=True: the second block of the bias (the forget gate) is 1
    np.testing.assert_array_equal(w.block("f")[2], np.ones(5))
    for gate in ("i", "c", "o"):
        np.testing.assert_array_equal(w.block(gate)[2], np.zeros(5))
    out = NL.lstm_forward(x, w, return_gates=True)
    W, U, b = w.block("f")
    f0 = NL.sigmoid(x[:, 0] @ W + b)  # h_0 = 0
    np.testing.assert_allclose(out.gates["forget"][:, 0], f0)
    c1 = out.gates["input"][:, 0] * out.gates["candidate"][:, 0]
    np.testing.assert_allclose(out.cells[:, 0], c1)
    np.testing.assert_allclose(out.sequence, out.gates["output"] * np.tanh(out.cells))


def test_memory_view_is_a_renaming():
    reset(3)
    layer = layers.LSTM(4)
    x = np.random.default_rng(4).normal(size=(2, 6, 3)).astype("float32")
    layer(x)
    c0 = np.random.default_rng(5).normal(size=(2, 4))
    out = NL.lstm_forward(x, layer, initial_state=(np.zeros((2, 4)), c0), return_gates=True)
    view = NL.memory_view(out)
    np.testing.assert_allclose(view["remember"], view["learn"] + view["forget"])
    np.testing.assert_allclose(view["use"], out.sequence)
    np.testing.assert_allclose(view["forget"][:, 0], out.gates["forget"][:, 0] * c0)
    with pytest.raises(ValueError):
        NL.memory_view(NL.lstm_forward(x, layer))


def test_zero_peepholes_change_nothing_and_others_do():
    reset(4)
    layer = layers.LSTM(3)
    x = np.random.default_rng(6).normal(size=(2, 5, 2)).astype("float32")
    layer(x)
    plain = NL.lstm_forward(x, layer)
    zero = NL.Peepholes(i=np.zeros(3), f=np.zeros(3), o=np.zeros(3))
    np.testing.assert_allclose(NL.lstm_forward(x, layer, peepholes=zero).sequence, plain.sequence)
    some = NL.Peepholes(i=np.ones(3), f=-np.ones(3), o=np.ones(3))
    assert not np.allclose(NL.lstm_forward(x, layer, peepholes=some).sequence, plain.sequence)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("batch,steps,d,h", [(1, 3, 2, 3), (3, 10, 5, 8)])
def test_gru_forward_matches_keras(reset_after, batch, steps, d, h):
    reset(h)
    layer = layers.GRU(h, return_sequences=True, reset_after=reset_after)
    x = np.random.default_rng(d).normal(size=(batch, steps, d)).astype("float32")
    layer(x)
    randomise_bias(layer, d)
    out = NL.gru_forward(x, layer, reset_after=reset_after, return_gates=True)
    np.testing.assert_allclose(out.sequence, np.asarray(layer(x)), atol=1e-5)
    assert layer.count_params() == params.gru_params(d, h, reset_after=reset_after)
    assert set(out.gates) == {"update", "reset", "candidate"}


def test_bad_weights_and_inputs_are_rejected():
    with pytest.raises(ValueError):
        NL.LSTMWeights(np.zeros((3, 8)), np.zeros((3, 8)), np.zeros(8))
    with pytest.raises(ValueError):
        NL.LSTMWeights(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(4))
    w = NL.LSTMWeights(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8))
    with pytest.raises(ValueError):
        NL.lstm_forward(np.zeros((5, 3)), w)
    with pytest.raises(ValueError):
        NL.lstm_forward(np.zeros((1, 5, 4)), w)


def test_sigmoid_is_stable():
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    s = NL.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[2] == 0.5 and s[0] == 0.0 and s[-1] == 1.0
    np.testing.assert_allclose(s[1] + s[3], 1.0)


def test_input_sensitivity_matches_tensorflow_jacobian():
    import tensorflow as tf

    reset(5)
    layer = layers.LSTM(4)
    x = np.random.default_rng(7).normal(size=(3, 6, 2)).astype("float32")
    layer(x)
    xt = tf.constant(x)
    with tf.GradientTape() as g:
        g.watch(xt)
        h = layer(xt)
    jac = g.batch_jacobian(h, xt).numpy()  # (batch, h, T, d)
    expected = np.sqrt((jac**2).sum(axis=(1, 3))).mean(axis=0)
    np.testing.assert_allclose(NL.input_sensitivity(x, layer), expected, rtol=1e-3)


def test_forget_bias_of_one_keeps_early_inputs_alive():
    x = np.random.default_rng(8).uniform(size=(16, 30, 2))
    ratio = {}
    for bias_one in (True, False):
        reset(0)
        layer = layers.LSTM(8, unit_forget_bias=bias_one)
        layer.build((None, 30, 2))
        s = NL.input_sensitivity(x, layer)
        ratio[bias_one] = s[0] / s[-1]
    assert ratio[True] > 100 * ratio[False]
