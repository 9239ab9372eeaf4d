"""Assertions with diagnostic messages, for the assignments' visible tests.

Each check names the likely mistake when it fails, so a student learns what
to fix rather than only that something is wrong. They use Keras 3 APIs
(``layer.output.shape``, ``count_params()``), not the removed
``output_shape``.
"""

from __future__ import annotations

import math
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


def _inputs(model: Any) -> list[Any]:
    try:
        return list(model.inputs or [])
    except (AttributeError, ValueError):  # a Sequential model that has not been built
        return []


def assert_input_shape(model: Any, expected: Sequence[int | None]) -> None:
    """Compare ``model.inputs[0].shape`` (batch axis included) with ``expected``.

    A ``Sequential`` model written without ``keras.Input`` (nor
    ``input_shape=``) has no inputs until it first sees data; it takes
    inputs of any shape, so it is built here for the ``expected`` shape
    instead of being failed. Any other model without inputs is reported as
    such, not as a Keras ``AttributeError``.
    """
    import keras

    if not _inputs(model) and isinstance(model, keras.Sequential) and model.layers:
        try:
            model.build(tuple(expected))
        except Exception:  # it cannot take this shape: reported below
            pass
    inputs = _inputs(model)
    if not inputs:
        raise AssertionError(
            f"the model has no defined input yet, expected inputs of shape {tuple(expected)}: start "
            "the model with keras.Input(shape=...) (the shape without the batch axis).")
    actual = shape_of(inputs[0])
    if actual != tuple(expected):
        raise AssertionError(
            f"the model's input has shape {actual}, expected {tuple(expected)}: "
            "check the keras.Input(shape=...) you start with (the batch axis is not part of it)."
        )


def assert_output_shape(model: Any, expected: Sequence[int | None]) -> None:
    """Compare ``model.outputs[0].shape``; explain the common off-by-an-axis mistakes."""
    try:
        outputs = list(model.outputs or [])
    except (AttributeError, ValueError):  # a Sequential model that has not been built
        outputs = []
    if not outputs:
        raise AssertionError(
            f"the model has no defined output yet, expected outputs of shape {tuple(expected)}: start "
            "the model with keras.Input(shape=...) so that Keras knows the shapes.")
    actual = shape_of(outputs[0])
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


def assert_history(
    history: Any, epochs: int, samples: int, batch_size: int, what: str = "your function"
) -> None:
    """``history`` is the ``keras.callbacks.History`` of a ``fit`` over ``samples``
    examples that ran ``epochs`` epochs with the given ``batch_size``.

    Keras records the number of epochs asked for and the batches per epoch
    in ``history.params``; the batch size follows from the batches per epoch.
    Verbosity, callbacks and metrics are not checked: they do not change
    what is learned.
    """
    import keras

    if history is None:
        raise AssertionError(f"{what} returned None: return the History object that model.fit returns.")
    if not isinstance(history, keras.callbacks.History):
        raise AssertionError(
            f"{what} returned a {type(history).__name__}, not the History that model.fit returns: "
            "`return model.fit(...)`.")
    params = dict(getattr(history, "params", None) or {})
    ran = len(getattr(history, "epoch", []) or [])
    if params.get("epochs") != epochs or ran != epochs:
        raise AssertionError(
            f"{what} trained for {params.get('epochs', ran)} epochs, expected {epochs}: pass the "
            "function's `epochs` argument on to fit (epochs=epochs), do not fix a number.")
    steps = params.get("steps")
    expected_steps = math.ceil(samples / batch_size)
    if steps is not None and steps != expected_steps:
        used = math.ceil(samples / steps) if steps else None
        default = " (Keras' default)" if used == 32 else ""
        raise AssertionError(
            f"{what} ran {steps} batches per epoch on {samples} examples, so the batch size was "
            f"about {used}{default}; expected batch_size={batch_size} ({expected_steps} batches). "
            "Pass batch_size to fit, and train on all of x and y (no validation_split).")
