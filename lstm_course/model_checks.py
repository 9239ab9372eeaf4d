"""More assertions with diagnostic messages: builds, outputs, losses.

They extend :mod:`lstm_course.checks` for assignments in which students build
models of several sequence-problem families. Each check names the likely
mistake when it fails: a missing ``RepeatVector``, a forgotten
``return_sequences=True``, softmax where sigmoid belongs, a loss that does not
match the output. Keras 3 APIs only (``model.outputs``, ``layer.output``,
``model.loss``).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable

import numpy as np

from lstm_course.checks import assert_model

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


def _unwrap(layer: Any) -> Any:
    import keras

    while isinstance(layer, (keras.layers.TimeDistributed, keras.layers.Bidirectional)):
        layer = layer.layer if isinstance(layer, keras.layers.TimeDistributed) else layer.forward_layer
    return layer


def output_activation(model: Any) -> str:
    """Name of the activation that produces the model's output.

    Looks at the last layer (inside ``TimeDistributed``): its ``activation``
    (``"softmax"``, ``"sigmoid"``, ``"linear"``...), or ``"softmax"`` for a
    ``Softmax`` layer. Layers without an activation report ``"linear"``.
    """
    import keras

    last = _unwrap(model.layers[-1])
    if isinstance(last, keras.layers.Softmax):
        return "softmax"
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "linear") if activation is not None else "linear"


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


_LOSS_ALIASES = {
    "bce": "binary_crossentropy",
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
}


def _loss_object(model: Any) -> Any:
    loss = getattr(model, "loss", None)
    while isinstance(loss, functools.partial):
        loss = loss.func
    return loss


def loss_name(model: Any) -> str | None:
    """The compiled loss as a snake-case name, e.g. ``"binary_crossentropy"``.

    Accepts every spelling Keras accepts: a string (``"bce"``,
    ``"BinaryCrossentropy"``), a loss object (``keras.losses.BinaryCrossentropy()``),
    a loss function (``keras.losses.binary_crossentropy``, also wrapped in
    ``functools.partial``); ``None`` if the model is not compiled.
    """
    loss = _loss_object(model)
    if loss is None:
        return None
    if isinstance(loss, str):
        name = loss
    elif hasattr(loss, "name") and isinstance(loss.name, str):
        name = loss.name
    else:
        name = getattr(loss, "__name__", type(loss).__name__)
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() if name[:1].isupper() else name
    return _LOSS_ALIASES.get(name, name)


def loss_from_logits(model: Any) -> bool:
    """True if the compiled loss reads logits (``from_logits=True``), as a loss
    object's config or a ``functools.partial`` keyword says; False otherwise."""
    loss = getattr(model, "loss", None)
    if isinstance(loss, functools.partial):
        return bool(loss.keywords.get("from_logits", False))
    get_config = getattr(loss, "get_config", None)
    if callable(get_config):
        try:
            return bool(get_config().get("from_logits", False))
        except Exception:  # a custom loss without a usable config
            return False
    return False


def assert_loss(model: Any, expected: str, why: str = "") -> None:
    """The model was compiled with the loss ``expected`` (a snake-case name)."""
    actual = loss_name(model)
    if actual is None:
        raise AssertionError(
            "the model is not compiled: call model.compile(optimizer=..., loss=...) "
            "before returning it.")
    if actual != expected:
        hint = ""
        if actual == "categorical_crossentropy" and expected == "sparse_categorical_crossentropy":
            hint = (" categorical_crossentropy expects one-hot targets; the targets here are "
                    "integer class indices, which is what the sparse version reads.")
        elif actual == "binary_crossentropy" and expected.endswith("categorical_crossentropy"):
            hint = (" binary_crossentropy scores independent yes/no outputs; with a softmax "
                    "over several classes use the categorical cross-entropy.")
        elif expected == "binary_crossentropy" and actual.endswith("categorical_crossentropy"):
            hint = (" The model outputs one probability, not a distribution over classes: "
                    "binary_crossentropy is the loss for that.")
        raise AssertionError(
            f"the model is compiled with loss {actual!r}, expected {expected!r}."
            + hint + (f" {why}" if why else ""))
    if loss_from_logits(model) and output_activation(model) in ("softmax", "sigmoid"):
        raise AssertionError(
            f"the loss has from_logits=True, which says the output is a logit (no activation), but the "
            f"output layer uses {output_activation(model)} (Keras notices, warns and reads the layer's "
            "input instead, but the code says the opposite of what the model does). Leave "
            "from_logits at its default, False.")


def recurrent_layers(model: Any) -> list[Any]:
    """The recurrent layers of a model (SimpleRNN, LSTM, GRU, also inside Bidirectional)."""
    import keras

    kinds = (keras.layers.SimpleRNN, keras.layers.LSTM, keras.layers.GRU, keras.layers.RNN)
    return [layer for layer in model.layers if isinstance(_unwrap(layer), kinds)]


def assert_return_sequences(model: Any, last: bool) -> None:
    """The last recurrent layer returns a sequence if ``last``, only its final state if not.

    ``last=True`` is an aligned many-to-many or one-to-many model (an output
    per step); ``last=False`` a many-to-one model (only the final state).
    """
    rnns = recurrent_layers(model)
    if not rnns:
        raise AssertionError("the model has no recurrent layer: add an LSTM.")
    final = _unwrap(rnns[-1])
    if final.return_sequences != last:
        if last:
            raise AssertionError(
                f"{rnns[-1].name} returns only its last state: set return_sequences=True so "
                "that there is an output at every time step.")
        raise AssertionError(
            f"{rnns[-1].name} returns a sequence, but only its final state is needed: remove "
            "return_sequences=True from the last recurrent layer.")


def assert_optimizer(
    model: Any,
    kind: str = "Adam",
    learning_rate: float | None = None,
    clipnorm: float | None = None,
) -> None:
    """The model was compiled with the optimizer class ``kind`` and, if given,
    this learning rate and ``clipnorm``.

    Any way of writing it passes (``Adam(0.01)``, ``Adam(learning_rate=1e-2)``,
    ``clipnorm=1``); the messages name the usual slips (the string ``"adam"``
    with its default rate, ``clipvalue`` or ``global_clipnorm`` for ``clipnorm``).
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(model, "loss", None) is None:
        raise AssertionError(
            "the model is not compiled: call model.compile(optimizer=..., loss=...) first.")
    name = type(optimizer).__name__
    if name != kind:
        raise AssertionError(f"the optimizer is {name}, expected {kind}: use keras.optimizers.{kind}(...).")
    if learning_rate is not None:
        try:
            actual = float(optimizer.learning_rate)
        except (TypeError, ValueError):
            raise AssertionError(
                f"the learning rate is a schedule ({type(optimizer.learning_rate).__name__}), "
                f"expected the constant {learning_rate:g}.") from None
        if not np.isclose(actual, learning_rate, rtol=1e-5, atol=0.0):
            default = ""
            if np.isclose(actual, 1e-3, rtol=1e-5):
                default = f" ({kind}'s default, e.g. from optimizer={kind.lower()!r})"
            raise AssertionError(
                f"the learning rate is {actual:g}{default}, expected {learning_rate:g}: "
                f"keras.optimizers.{kind}(learning_rate={learning_rate:g}).")
    if clipnorm is not None:
        actual_clip = getattr(optimizer, "clipnorm", None)
        if actual_clip is None or not np.isclose(float(actual_clip), clipnorm):
            if actual_clip is not None:
                hint = f"clipnorm is {float(actual_clip):g}"
            elif getattr(optimizer, "clipvalue", None) is not None:
                hint = ("the optimizer has clipvalue, which clips every gradient entry on its own; "
                        "clipnorm rescales each weight's gradient as a whole")
            elif getattr(optimizer, "global_clipnorm", None) is not None:
                hint = ("the optimizer has global_clipnorm, which clips the norm of all gradients "
                        "together; the task asks for clipnorm")
            else:
                hint = "the optimizer does not clip gradients"
            raise AssertionError(
                f"{hint}: pass clipnorm={clipnorm:g} to the optimizer, "
                f"keras.optimizers.{kind}(..., clipnorm={clipnorm:g}).")
