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


def test_param_count_and_array_checks():
    with pytest.raises(AssertionError, match="expected 1"):
        checks.assert_param_count(model(layers.Dense(1), shape=(3,)), 1, "hint")
    with pytest.raises(AssertionError, match="shape"):
        checks.assert_array(np.zeros(3), (4,))
    with pytest.raises(AssertionError, match="NaN"):
        checks.assert_array(np.array([np.nan]), (1,))
    with pytest.raises(AssertionError, match="forget to return"):
        checks.assert_array(None, (1,))
