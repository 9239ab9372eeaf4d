"""Checks of how a model is compiled and trained: loss, optimizer, the History of ``fit``."""

from __future__ import annotations

import functools
import math
import re
import warnings
from typing import Any, Callable

import numpy as np

from lstm_course.checks.introspection import output_activation, output_is_probability


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


# ------------------------------------------- one output unit: logit or probability


def assert_loss_matches_output(model: Any) -> None:
    """The compiled loss is binary cross-entropy and agrees with the output (logit or probability).

    A logit needs ``from_logits=True``; a sigmoid output ``from_logits=False``
    (the default of the string ``"binary_crossentropy"``, of the function
    ``keras.losses.binary_crossentropy`` and of ``BinaryCrossentropy()``).
    Every spelling Keras accepts is recognised (see
    :func:`loss_name`).
    """
    name = loss_name(model)
    if name is None:
        raise AssertionError("the model is not compiled: call model.compile(...) in compile_model.")
    if name != "binary_crossentropy":
        raise AssertionError(f"the loss is {name!r}: use binary cross-entropy for two classes "
                             "(keras.losses.BinaryCrossentropy).")
    probability = output_is_probability(model)
    from_logits = loss_from_logits(model)
    if from_logits and probability:
        raise AssertionError(
            "the model ends in a sigmoid but the loss has from_logits=True, which says the output is a "
            "logit (Keras notices the sigmoid, warns and reads its input instead, but the code says the "
            "opposite of what the model does). Use from_logits=False, or drop the sigmoid.")
    if not from_logits and not probability:
        spelling = ("loss='binary_crossentropy' expects probabilities"
                    if isinstance(getattr(model, "loss", None), str)
                    else "the loss has from_logits=False, so it treats the logit as a probability")
        raise AssertionError(
            f"the model outputs a logit (Dense(1) without activation) but {spelling}: use "
            "keras.losses.BinaryCrossentropy(from_logits=True), or add activation='sigmoid'.")

# Two stand-in models with fixed weights, one per output convention: the
# output is x itself (a logit) or sigmoid(x) (a probability). On these inputs
# a decision at the wrong threshold gets 4 of 6 right instead of all 6.
_STAND_IN_X = np.array([[-1.0], [-0.3], [0.2], [0.4], [0.7], [1.5]], dtype=np.float32)

_STAND_IN_Y = np.array([[0.0], [0.0], [1.0], [1.0], [1.0], [1.0]], dtype=np.float32)

_KINDS = {"logit": "a logit (Dense(1) without activation)",
          "probability": "a probability (Dense(1, activation='sigmoid'))"}


def _stand_in(kind: str) -> Any:
    import keras

    model = keras.Sequential([
        keras.Input((1,)),
        keras.layers.Dense(1, activation="sigmoid" if kind == "probability" else None,
                           kernel_initializer="ones", bias_initializer="zeros"),
    ])
    return model


def output_kind(model: Any) -> str | None:
    """``"logit"`` or ``"probability"`` for a Keras model whose output is one of the
    two conventions of the assignment; ``None`` for anything else (no model, a
    softmax or ReLU output...)."""
    import keras

    if not isinstance(model, keras.Model):
        return None
    try:
        activation = output_activation(model)
    except (AttributeError, IndexError):
        return None
    return {"linear": "logit", "sigmoid": "probability"}.get(activation)


def compile_problem(model: Any, kind: str, learning_rate: float) -> str:
    """What is wrong with how ``model`` (a stand-in of output ``kind``) was compiled;
    ``''`` if nothing.

    Checked by behaviour where possible, so every equivalent spelling passes:
    the Adam optimizer and its learning rate; the loss value equals binary
    cross-entropy of the output read as ``kind``; a metric named ``"accuracy"``
    reports the share of the stand-in's decisions (logit > 0, probability >
    0.5) that are right.
    """
    if getattr(model, "loss", None) is None:
        return "the model is not compiled: call model.compile(...) in compile_model."
    try:
        assert_optimizer(model, "Adam", learning_rate=learning_rate)
    except AssertionError as problem:
        return str(problem)
    try:
        # Probing a convention the student did not choose may make Keras warn
        # (e.g. from_logits=True on a sigmoid output): the verdict below says it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = model.evaluate(_STAND_IN_X, _STAND_IN_Y, verbose=0, return_dict=True)
    except Exception as exc:  # a loss or metric that cannot run at all
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return f"evaluating the compiled model raised {type(exc).__name__}: {first_line}"
    outputs = np.asarray(model(_STAND_IN_X), dtype=np.float64)
    probabilities = outputs if kind == "probability" else 1.0 / (1.0 + np.exp(-outputs))
    y = _STAND_IN_Y.astype(np.float64)
    expected_loss = float(-np.mean(y * np.log(probabilities) + (1 - y) * np.log(1 - probabilities)))
    if (not np.isclose(float(scores["loss"]), expected_loss, rtol=1e-3, atol=1e-4)
            or (loss_from_logits(model) and kind == "probability")):
        try:
            assert_loss_matches_output(model)
        except AssertionError as problem:
            return str(problem)
        return (f"the loss on a test batch is {float(scores['loss']):.4f}, but binary cross-entropy "
                f"of these outputs is {expected_loss:.4f}: use binary cross-entropy that matches the output.")
    if "accuracy" not in scores:
        names = sorted(k for k in scores if k != "loss")
        return (f"the model reports the metrics {names or 'none'}: add an accuracy metric named "
                "'accuracy' (the History and the report line read that name).")
    threshold = 0.5 if kind == "probability" else 0.0
    actual = float(np.mean((outputs > threshold) == (y == 1)))
    reported = float(scores["accuracy"])
    if abs(reported - actual) > 1e-3:
        fix = ("use keras.metrics.BinaryAccuracy(name='accuracy', threshold=0.0): a logit is positive "
               "for 'fresh', while metrics=['accuracy'] compares it with 0.5" if kind == "logit" else
               "use metrics=['accuracy'], which compares the probability with 0.5")
        return (f"the 'accuracy' metric reports {reported:.3f} where the decisions are right "
                f"{actual:.3f} of the time: its threshold does not match {_KINDS[kind]}; {fix}.")
    return ""


def assert_compile_model(
    compile_model: Callable[..., Any], baseline: Any | None = None, learning_rate: float | None = None
) -> str:
    """``compile_model`` compiles a model of the student's output convention correctly.

    It is called on two small stand-in models (not on the student's baseline,
    so that a mistake in ``build_baseline`` does not count here), one that
    outputs a logit and one that outputs a probability:
    ``compile_model(model)`` if ``learning_rate`` is None (Adam's rate must
    then be 1e-3), else ``compile_model(model, learning_rate=learning_rate)``.
    If ``baseline`` outputs a logit or a probability, the stand-in of that
    convention must be compiled right; otherwise (no baseline, or one with
    another output, which Part 1 already marks wrong) either convention
    passes. Returns the convention(s) compiled right, e.g. ``"logit"``.
    """
    expected_rate = 1e-3 if learning_rate is None else learning_rate
    problems = {}
    for kind in _KINDS:
        model = _stand_in(kind)
        if learning_rate is None:
            compile_model(model)
        else:
            compile_model(model, learning_rate=learning_rate)
        problems[kind] = compile_problem(model, kind, expected_rate)
    right = [kind for kind, problem in problems.items() if not problem]
    chosen = output_kind(baseline)
    if chosen is not None:
        if problems[chosen]:
            raise AssertionError(
                f"your baseline outputs {_KINDS[chosen]}, and compile_model does not compile such a "
                f"model right: {problems[chosen]}")
    elif not right:
        raise AssertionError(
            "compile_model compiles neither kind of output right. For a logit: "
            f"{problems['logit']} For a probability: {problems['probability']}")
    return " and ".join(right)
