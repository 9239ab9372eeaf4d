"""Assertions with diagnostic messages, for the assignments' visible tests.

Each check names the likely mistake when it fails, so a student learns what
to fix rather than only that something is wrong. They use Keras 3 APIs
(``layer.output.shape``, ``count_params()``), not the removed
``output_shape``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from lstm_course.keras_utils import shape_of


def _is_keras_model(model: Any) -> bool:
    import keras

    return isinstance(model, keras.Model)


def assert_model(model: Any, what: str = "your function") -> None:
    """The object is a built Keras model (catches ``return None``, a layer...)."""
    if model is None:
        raise AssertionError(f"{what} returned None: did you forget `return model`?")
    if not _is_keras_model(model):
        raise AssertionError(
            f"{what} returned a {type(model).__name__}, not a keras.Model: "
            "build it with keras.Sequential([...]) or keras.Model(inputs, outputs)."
        )


def assert_input_shape(model: Any, expected: Sequence[int | None]) -> None:
    actual = shape_of(model.inputs[0])
    if actual != tuple(expected):
        raise AssertionError(
            f"the model's input has shape {actual}, expected {tuple(expected)}: "
            "check the keras.Input(shape=...) you start with (the batch axis is not part of it)."
        )


def assert_output_shape(model: Any, expected: Sequence[int | None]) -> None:
    """Compare ``model.outputs[0].shape``; explain the common off-by-an-axis mistakes."""
    actual = shape_of(model.outputs[0])
    expected = tuple(expected)
    if actual == expected:
        return
    hint = ""
    if len(actual) == len(expected) + 1:
        hint = (" The output has an extra time axis: did you leave return_sequences=True "
                "on the last recurrent layer?")
    elif len(actual) + 1 == len(expected):
        hint = (" The time axis is missing: did you forget return_sequences=True on the "
                "recurrent layer (or TimeDistributed around the output layer)?")
    elif actual[-1] != expected[-1]:
        hint = f" The last axis is {actual[-1]}: check the number of units of the output layer."
    raise AssertionError(f"the model's output has shape {actual}, expected {expected}.{hint}")


def layers_of_type(model: Any, kind: type) -> list[Any]:
    """Layers of ``model`` that are ``kind``, looking inside Bidirectional/TimeDistributed."""
    import keras

    found = []
    for layer in model.layers:
        inner = layer
        if isinstance(layer, keras.layers.Bidirectional):
            inner = layer.forward_layer
        elif isinstance(layer, keras.layers.TimeDistributed):
            inner = layer.layer
        if isinstance(inner, kind):
            found.append(layer)
    return found


def assert_param_count(model: Any, expected: int, hint: str = "") -> None:
    actual = model.count_params()
    if actual != expected:
        raise AssertionError(
            f"the model has {actual:,} parameters, expected {expected:,}."
            + (f" {hint}" if hint else "")
        )


def assert_array(
    value: Any, shape: Sequence[int], what: str = "the result", finite: bool = True
) -> np.ndarray:
    """``value`` converts to a NumPy array of the given shape (and is finite)."""
    if value is None:
        raise AssertionError(f"{what} is None: did you forget to return it?")
    array = np.asarray(value)
    if array.shape != tuple(shape):
        raise AssertionError(f"{what} has shape {array.shape}, expected {tuple(shape)}.")
    if finite and not np.all(np.isfinite(array)):
        raise AssertionError(f"{what} contains NaN or infinite values.")
    return array
