"""The assignment checks fail with messages that name the likely mistake."""

import keras
import numpy as np
import pytest
from keras import layers

from lstm_course import checks


def model(*stack, shape=(20, 3)):
    return keras.Sequential([keras.Input(shape), *stack])


def test_output_shape_hints_return_sequences():
    with pytest.raises(AssertionError, match="return_sequences=True"):
        checks.assert_output_shape(model(layers.LSTM(4, return_sequences=True), layers.Dense(1)), (None, 1))
    with pytest.raises(AssertionError, match="forget return_sequences"):
        checks.assert_output_shape(model(layers.LSTM(4), layers.Dense(1)), (None, 20, 1))
    with pytest.raises(AssertionError, match="number of units"):
        checks.assert_output_shape(model(layers.LSTM(4), layers.Dense(2)), (None, 1))
    checks.assert_output_shape(model(layers.LSTM(4), layers.Dense(1)), (None, 1))


def test_assert_model_and_input_shape():
    with pytest.raises(AssertionError, match="return model"):
        checks.assert_model(None)
    with pytest.raises(AssertionError, match="not a keras.Model"):
        checks.assert_model(layers.LSTM(3))
    with pytest.raises(AssertionError, match="keras.Input"):
        checks.assert_input_shape(model(layers.LSTM(2)), (None, 10, 3))


def test_layers_of_type_looks_inside_wrappers():
    m = model(layers.Bidirectional(layers.LSTM(2, return_sequences=True)),
              layers.TimeDistributed(layers.Dense(1)))
    assert len(checks.layers_of_type(m, layers.LSTM)) == 1
    assert len(checks.layers_of_type(m, layers.Dense)) == 1
    assert checks.layers_of_type(m, layers.GRU) == []
    # the wrapper itself counts too
    assert checks.layers_of_type(m, layers.Bidirectional) == [m.layers[0]]
    assert checks.unwrap(m.layers[0]) is m.layers[0].forward_layer


def test_param_count_and_array_checks():
    with pytest.raises(AssertionError, match="expected 1"):
        checks.assert_param_count(model(layers.Dense(1), shape=(3,)), 1, "hint")
    with pytest.raises(AssertionError, match="shape"):
        checks.assert_array(np.zeros(3), (4,))
    with pytest.raises(AssertionError, match="NaN"):
        checks.assert_array(np.array([np.nan]), (1,))
    with pytest.raises(AssertionError, match="forget to return"):
        checks.assert_array(None, (1,))


def test_a_sequential_model_without_input_is_built_for_the_expected_shape():
    lazy = keras.Sequential([layers.LSTM(4), layers.Dense(1)])
    checks.assert_input_shape(lazy, (None, 20, 3))
    checks.assert_output_shape(lazy, (None, 1))
    assert lazy.count_params() == 4 * (4 * (3 + 4) + 4) + 5
    with pytest.raises(AssertionError, match="no defined output yet.*keras.Input"):
        checks.assert_output_shape(keras.Sequential([layers.LSTM(4), layers.Dense(1)]), (None, 1))
    with pytest.raises(AssertionError, match="no defined input yet.*keras.Input"):
        checks.assert_input_shape(keras.Sequential(), (None, 20, 3))


def fitted(epochs=2, batch_size=64, samples=100, **fit):
    m = model(layers.Dense(1), shape=(3,))
    m.compile(optimizer="adam", loss="mse")
    x, y = np.zeros((samples, 3)), np.zeros((samples, 1))
    return m.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, **fit)


def test_assert_history_accepts_a_fit_as_asked():
    checks.assert_history(fitted(), epochs=2, samples=100, batch_size=64)
    # verbosity and metrics do not matter
    m = model(layers.Dense(1), shape=(3,))
    m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h = m.fit(np.zeros((100, 3)), np.zeros((100, 1)), epochs=2, batch_size=64, verbose=2)
    checks.assert_history(h, epochs=2, samples=100, batch_size=64)


@pytest.mark.parametrize("history, samples, message", [
    (lambda: None, 100, "returned None"),
    (lambda: fitted().model, 100, "not the History"),
    (lambda: fitted(epochs=3), 100, "trained for 3 epochs, expected 2"),
    (lambda: fitted(batch_size=None, samples=320), 320,
     r"ran 10 batches per epoch on 320 examples.*about 32 \(Keras' default\)"),
    (lambda: fitted(validation_split=0.5), 100, "no validation_split"),
])
def test_assert_history_names_the_mistake(history, samples, message):
    with pytest.raises(AssertionError, match=message):
        checks.assert_history(history(), epochs=2, samples=samples, batch_size=64, what="train(...)")
