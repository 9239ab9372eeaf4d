"""Checks of a model's structure: what a builder returns, its shapes, layers and outputs."""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import numpy as np

from lstm_course.checks.introspection import (model_inputs, model_outputs, output_activation, recurrent_layers,
                                              shape_of, unwrap)


def assert_model(model: Any, what: str = "your function") -> None:
    """The object is a built Keras model (catches ``return None``, a layer...)."""
    if model is None:
        raise AssertionError(f"{what} returned None: did you forget `return model`?")
    import keras

    if not isinstance(model, keras.Model):
        raise AssertionError(
            f"{what} returned a {type(model).__name__}, not a keras.Model: "
            "build it with keras.Sequential([...]) or keras.Model(inputs, outputs)."
        )


def assert_input_shape(model: Any, expected: Sequence[int | None]) -> None:
    """Compare ``model.inputs[0].shape`` (batch axis included) with ``expected``.

    A ``Sequential`` model written without ``keras.Input`` (nor
    ``input_shape=``) has no inputs until it first sees data; it takes
    inputs of any shape, so it is built here for the ``expected`` shape
    instead of being failed. Any other model without inputs is reported as
    such, not as a Keras ``AttributeError``.
    """
    import keras

    if not model_inputs(model) and isinstance(model, keras.Sequential) and model.layers:
        try:
            model.build(tuple(expected))
        except Exception:  # it cannot take this shape: reported below
            pass
    inputs = model_inputs(model)
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
    outputs = model_outputs(model)
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


# Fragments of Keras 3 error messages raised while a model is being built,
# and what they usually mean in a sequence model.
_BUILD_DIAGNOSES: tuple[tuple[str, str], ...] = (
    (
        r"expected ndim=3, found ndim=2",
        "A recurrent layer received a 2-D tensor (batch, features), but it needs "
        "(batch, time steps, features). To turn one vector into a sequence, put "
        "RepeatVector(steps) in front of the LSTM; after a recurrent layer, "
        "return_sequences=True keeps the time axis for the next one.",
    ),
    (
        r"expected ndim=3, found ndim=4",
        "A recurrent layer received a 4-D tensor: the input has one axis too many. "
        "An Embedding adds the feature axis itself, so integer sequences come in "
        "with shape (length,), not (length, 1).",
    ),
    (
        r"TimeDistributed.*at least 3 dimensions",
        "TimeDistributed applies a layer at every time step, so its input needs a "
        "time axis: set return_sequences=True on the LSTM before it.",
    ),
)


def diagnose_build_error(message: str) -> str:
    """A hint for a Keras error message raised while building a model ('' if none)."""
    for pattern, hint in _BUILD_DIAGNOSES:
        if re.search(pattern, message):
            return hint
    return ""


def build(fn: Callable[..., Any], *args: Any, what: str = "your function", **kwargs: Any) -> Any:
    """Call a model-building function and check that it returns a Keras model.

    A Keras error raised while building becomes an ``AssertionError`` that
    quotes the error and explains it (:func:`diagnose_build_error`).
    ``NotImplementedError`` (an unfinished stub) passes through unchanged.
    """
    try:
        model = fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # Keras raises ValueError, TypeError... with long messages
        first_line = (str(exc).strip().splitlines() or [""])[0]
        hint = diagnose_build_error(str(exc))
        raise AssertionError(
            f"{what} raised {type(exc).__name__}: {first_line}" + (f"\n{hint}" if hint else "")
        ) from exc
    assert_model(model, what)
    return model


def assert_output_activation(model: Any, expected: str, why: str = "") -> None:
    """The output layer uses ``expected`` ("softmax", "sigmoid" or "linear"); explain the mix-ups.

    ``why`` is added to the message (what the output stands for).
    """
    actual = output_activation(model)
    if actual == expected:
        return
    if expected == "linear":
        consequence = {
            "relu": (" A ReLU output can never be negative, and wherever it outputs 0 its gradient "
                     "is 0 too, so those examples stop teaching the network."),
            "sigmoid": " A sigmoid squeezes every prediction into (0, 1).",
            "tanh": " A tanh squeezes every prediction into (-1, 1).",
            "softmax": " A softmax over a single unit always outputs 1.",
        }.get(actual, "")
        raise AssertionError(
            f"the output layer must be linear (no activation) for a regression target: found "
            f"activation {actual!r}.{consequence} Write Dense(1) without an activation."
            + (f" {why}" if why else ""))
    reason = {
        "softmax": ("softmax turns the outputs into one probability distribution over the "
                    "classes (they are positive and sum to 1), which is what one choice "
                    "among several classes needs"),
        "sigmoid": ("a single sigmoid unit gives the probability of a yes/no outcome; a "
                    "softmax over one unit always outputs 1"),
    }.get(expected, "")
    if actual == "linear":
        mistake = "the output layer has no activation (linear)"
    else:
        mistake = f"the output layer uses {actual}"
    raise AssertionError(f"{mistake}, expected {expected}: {reason}." + (f" {why}" if why else ""))


def assert_probabilities(outputs: Any, kind: str, what: str = "the model's output") -> np.ndarray:
    """Behavioural check of an output batch: ``kind`` is "softmax" or "sigmoid".

    Softmax outputs lie in [0, 1] and sum to 1 along the last axis; a sigmoid
    output is a probability in [0, 1] that is not stuck at 1 (a softmax over a
    single unit always is).
    """
    values = np.asarray(outputs, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise AssertionError(f"{what} contains NaN or infinite values.")
    if values.min() < -1e-6 or values.max() > 1 + 1e-6:
        raise AssertionError(
            f"{what} has values from {values.min():.3g} to {values.max():.3g}, not probabilities "
            f"in [0, 1]: did you forget activation='{kind}' on the output layer?")
    if kind == "softmax":
        sums = values.sum(axis=-1)
        if not np.allclose(sums, 1.0, atol=1e-4):
            raise AssertionError(
                f"{what} does not sum to 1 over the classes (sums range from {sums.min():.3g} to "
                f"{sums.max():.3g}): use activation='softmax', not 'sigmoid', for one choice "
                "among several classes.")
    elif kind == "sigmoid":
        if np.allclose(values, 1.0):
            raise AssertionError(
                f"{what} is always 1: a softmax over a single unit normalises it to 1. "
                "Use activation='sigmoid' for the probability of a yes/no outcome.")
    else:
        raise ValueError(f"kind must be 'softmax' or 'sigmoid', got {kind!r}")
    return values


def assert_return_sequences(model: Any, last: bool) -> None:
    """The last recurrent layer returns a sequence if ``last``, only its final state if not.

    ``last=True`` is an aligned many-to-many or one-to-many model (an output
    per step); ``last=False`` a many-to-one model (only the final state).
    """
    rnns = recurrent_layers(model)
    if not rnns:
        raise AssertionError("the model has no recurrent layer: add an LSTM.")
    final = unwrap(rnns[-1])
    if final.return_sequences != last:
        if last:
            raise AssertionError(
                f"{rnns[-1].name} returns only its last state: set return_sequences=True so "
                "that there is an output at every time step.")
        raise AssertionError(
            f"{rnns[-1].name} returns a sequence, but only its final state is needed: remove "
            "return_sequences=True from the last recurrent layer.")
