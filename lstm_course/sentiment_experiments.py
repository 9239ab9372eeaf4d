"""Sentiment experiments on Rotten Tomatoes: arrays, an experiment record and checks.

Used by the assignment ``a4_sentiment``. A student builds a baseline
``Embedding -> LSTM -> Dense(1)`` classifier, then runs *one* experiment that
changes exactly one thing about it. This module provides

* :func:`sentiment_arrays`: the reviews as integer arrays, padded at the end
  (the course's convention; the model masks the padding with
  ``Embedding(..., mask_zero=True)``), with a validation set split off the
  training reviews *by film* (as the test set is), and
  :func:`arrays_for`, the arrays of another sequence length;
* :class:`Experiment`: what an experiment consists of (a model, the number of
  word positions it reads, the callbacks passed to ``fit``);
* :func:`binary_accuracy`: accuracy from predictions, for a model that outputs
  either a logit or a probability;
* checks in the style of :mod:`lstm_course.checks` whose messages name the
  likely mistake: :func:`assert_baseline_layers`,
  :func:`assert_loss_matches_output`, :func:`assert_compile_model` and
  :func:`assert_experiment`. Each checks one part of the assignment: the
  compile check runs on stand-in models, and the experiment is compared with
  the specified baseline or the student's own, so that a mistake in the
  baseline costs only the baseline's part.

It holds no solution: the checks compute what a model *should* contain from
the parameter formulas of :mod:`lstm_course.params`, and the stand-ins are a
single Dense unit with fixed weights.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from lstm_course import params
from lstm_course.data import split_by_group
from lstm_course.keras_utils import shape_of
from lstm_course.sentiment import SentimentData

VOCAB_SIZE = 10_000
EMBED_DIM = 64
UNITS = 128
MAX_LEN = 40
BASELINE_PARAMS = 738_945
STACKED_BILSTM_PARAMS = 1_232_129

#: The experiments a student may choose, and what each one changes.
EXPERIMENTS: dict[str, str] = {
    "stacked_bilstm": "replace the LSTM by two Bidirectional(LSTM(128)) layers, the first with "
    "return_sequences=True (1,232,129 parameters)",
    "dropout": "add dropout: Dropout / SpatialDropout1D layers, or the LSTM's dropout / "
    "recurrent_dropout arguments",
    "embedding_size": "change the Embedding's output_dim (the vocabulary stays 10,000 words)",
    "sequence_length": "read a different number of word positions than 40 (Experiment.max_len)",
    "lr_schedule": "lower the learning rate epoch by epoch with a "
    "keras.callbacks.LearningRateScheduler, e.g. 1e-3 * 0.6**epoch",
}

#: The single aspect of the baseline each experiment is allowed to change.
CHANGES: dict[str, str] = {
    "stacked_bilstm": "recurrent layers",
    "dropout": "dropout",
    "embedding_size": "embedding",
    "sequence_length": "max_len",
    "lr_schedule": "callbacks",
}

_DROPOUT_LAYERS = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianDropout", "AlphaDropout")
_RECURRENT_LAYERS = ("LSTM", "GRU", "SimpleRNN")
_NEUTRAL_LAYERS = ("InputLayer", "Activation")


@dataclass
class Experiment:
    """One experiment: the model to train, how many word positions it reads,
    and the callbacks to pass to ``model.fit``.

    The baseline is ``Experiment(build_baseline())``: 40 positions, no callbacks.
    """

    model: Any
    max_len: int = MAX_LEN
    callbacks: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class SentimentArrays:
    """Word indices padded at the end, and labels, ready for ``model.fit``.

    ``x_train``/``x_val`` come from the training reviews, split by film;
    ``x_test`` holds the test reviews (other films again). ``train_rows`` and
    ``val_rows`` are the positions of their reviews in ``data.split.train``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_rows: np.ndarray
    val_rows: np.ndarray

    @property
    def max_len(self) -> int:
        return int(self.x_train.shape[1])


def _encoded(data: SentimentData, max_len: int | None) -> tuple[np.ndarray, np.ndarray]:
    """All training and test reviews as ``max_len`` word positions (default: as loaded)."""
    if max_len is None or max_len == data.x_train.shape[1]:
        return data.x_train, data.x_test
    if max_len < 1:
        raise ValueError(f"max_len must be positive, got {max_len}")
    return (data.vocab.encode(data.split.train["text"], max_len),
            data.vocab.encode(data.split.test["text"], max_len))


def _arrays(data: SentimentData, max_len: int | None, fit_rows: np.ndarray,
            val_rows: np.ndarray) -> SentimentArrays:
    x_train, x_test = _encoded(data, max_len)
    return SentimentArrays(
        x_train=x_train[fit_rows],
        y_train=data.y_train[fit_rows],
        x_val=x_train[val_rows],
        y_val=data.y_train[val_rows],
        x_test=x_test,
        y_test=data.y_test,
        train_rows=fit_rows,
        val_rows=val_rows,
    )


def sentiment_arrays(
    data: SentimentData, max_len: int | None = None, val_fraction: float = 0.1, seed: int = 0
) -> SentimentArrays:
    """Arrays of ``max_len`` word positions (default: as loaded), padded at the end.

    A review longer than ``max_len`` keeps its first ``max_len`` tokens and a
    shorter one is followed by padding (index 0), as in
    :func:`lstm_course.sentiment.load_sentiment`. That is the course's
    convention, and a model follows it by masking the padding
    (``Embedding(..., mask_zero=True)``). ``val_fraction`` of the training
    reviews become the validation set, whole films at a time, so no film is on
    both sides.
    """
    rows = data.split.train.assign(_row=np.arange(len(data.split.train)))
    parts = split_by_group(rows, "movie", test_fraction=val_fraction, seed=seed)
    return _arrays(data, max_len, parts.train["_row"].to_numpy(), parts.test["_row"].to_numpy())


def arrays_for(arrays: SentimentArrays, data: SentimentData, max_len: int) -> SentimentArrays:
    """The reviews and split of ``arrays`` read at ``max_len`` word positions
    (``arrays`` itself if it already has that length)."""
    if max_len == arrays.max_len:
        return arrays
    return _arrays(data, max_len, arrays.train_rows, arrays.val_rows)


# --------------------------------------------------------------------------
# outputs: logit or probability
# --------------------------------------------------------------------------

def output_is_probability(model: Any) -> bool:
    """True if the model ends in a sigmoid (a probability), False for a logit."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "") == "sigmoid"


def binary_accuracy(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> float:
    """Fraction of reviews classified correctly, from the model's predictions.

    A probability is thresholded at 0.5, a logit at 0 (the same decision).
    It does not depend on the metric the model was compiled with.
    """
    scores = np.asarray(model.predict(x, batch_size=batch_size, verbose=0)).reshape(len(x))
    threshold = 0.5 if output_is_probability(model) else 0.0
    return float(np.mean((scores > threshold) == (np.asarray(y) == 1)))


# --------------------------------------------------------------------------
# checks (assignment tests): messages name the likely mistake
# --------------------------------------------------------------------------

def _inner(layer: Any) -> Any:
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        return layer.forward_layer
    if isinstance(layer, keras.layers.TimeDistributed):
        return layer.layer
    return layer


def _kind(layer: Any) -> str:
    return type(_inner(layer)).__name__


def assert_baseline_layers(
    model: Any, vocab_size: int = VOCAB_SIZE, embed_dim: int = EMBED_DIM, units: int = UNITS
) -> None:
    """``Embedding(vocab_size, embed_dim, mask_zero=True) -> LSTM(units) -> Dense(1)``, layer by layer.

    Each layer's parameter count is compared with its formula, and a mismatch
    is explained (swapped Embedding arguments, return_sequences left on, a
    bidirectional wrapper, a hidden Dense layer...).
    """
    import keras

    embeddings = [l for l in model.layers if isinstance(l, keras.layers.Embedding)]
    if len(embeddings) != 1:
        raise AssertionError(f"expected one Embedding layer, found {len(embeddings)}.")
    emb = embeddings[0]
    if (emb.input_dim, emb.output_dim) == (embed_dim, vocab_size):
        raise AssertionError(
            f"the Embedding is Embedding({emb.input_dim}, {emb.output_dim}): the arguments are "
            f"swapped. It is Embedding(input_dim={vocab_size} words, output_dim={embed_dim}).")
    if emb.input_dim != vocab_size:
        raise AssertionError(
            f"the Embedding has input_dim={emb.input_dim}; input_dim is the vocabulary size "
            f"({vocab_size:,} word indices, 0 = padding and 1 = unknown included), not the "
            "sequence length.")
    if emb.output_dim != embed_dim:
        raise AssertionError(
            f"the Embedding has output_dim={emb.output_dim}, expected {embed_dim}: the size of "
            "each word vector.")
    if emb.count_params() != params.embedding_params(vocab_size, embed_dim):
        raise AssertionError(f"the Embedding has {emb.count_params():,} parameters, expected "
                             f"{params.embedding_params(vocab_size, embed_dim):,}.")
    if not emb.mask_zero:
        raise AssertionError(
            "the Embedding does not mask the padding: the reviews are padded at the end with "
            "index 0, so without a mask the LSTM reads the padding after the last word and its "
            "final state comes from the padding steps. Use layers.Embedding(vocab_size, embed_dim, "
            "mask_zero=True).")

    if any(isinstance(l, keras.layers.Bidirectional) for l in model.layers):
        raise AssertionError("the baseline has one plain LSTM layer: leave Bidirectional for the "
                             "stacked_bilstm experiment.")
    recurrent = [l for l in model.layers if _kind(l) in _RECURRENT_LAYERS]
    if len(recurrent) != 1 or not isinstance(recurrent[0], keras.layers.LSTM):
        names = [type(l).__name__ for l in recurrent]
        raise AssertionError(f"expected exactly one LSTM layer, found {names or 'none'}.")
    lstm = recurrent[0]
    if lstm.units != units:
        raise AssertionError(f"the LSTM has {lstm.units} units, expected {units}.")
    if lstm.return_sequences:
        raise AssertionError(
            "the LSTM returns its whole sequence (return_sequences=True), so Dense(1) gives one "
            "output per word: a review needs one output, from the LSTM's final state.")
    expected_lstm = params.lstm_params(embed_dim, units)
    if lstm.count_params() != expected_lstm:
        raise AssertionError(
            f"the LSTM has {lstm.count_params():,} parameters, expected 4*(h*(d+h)+h) = "
            f"{expected_lstm:,} for d={embed_dim} inputs and h={units} units.")

    dense = [l for l in model.layers if isinstance(l, keras.layers.Dense)]
    if len(dense) != 1:
        raise AssertionError(
            f"expected one Dense layer (the output), found {len(dense)}: the baseline has no "
            "hidden Dense layer.")
    if model.layers[-1] is not dense[0] and not isinstance(model.layers[-1], keras.layers.Activation):
        raise AssertionError("the Dense(1) output must be the last layer.")
    if dense[0].units != 1:
        hint = (" Two units with softmax is an equivalent but different model; here the output is "
                "one number per review.") if dense[0].units == 2 else ""
        raise AssertionError(f"the output Dense layer has {dense[0].units} units, expected 1.{hint}")
    activation = getattr(dense[0].activation, "__name__", "")
    if activation not in ("linear", "sigmoid"):
        hint = (" softmax over a single unit always outputs 1.0, whatever the review says."
                if activation == "softmax" else "")
        raise AssertionError(
            f"the output layer uses activation={activation!r}: use none (a logit) or 'sigmoid' "
            f"(a probability).{hint}")
    extra = [type(l).__name__ for l in model.layers
             if not isinstance(l, (keras.layers.Embedding, keras.layers.LSTM, keras.layers.Dense,
                                   keras.layers.InputLayer))]
    if extra:
        raise AssertionError(f"the baseline has only Embedding, LSTM and Dense; found also {extra}.")
    total = (params.embedding_params(vocab_size, embed_dim) + expected_lstm
             + params.dense_params(units, 1))
    if model.count_params() != total:
        raise AssertionError(f"the model has {model.count_params():,} parameters, expected {total:,}.")


def assert_loss_matches_output(model: Any) -> None:
    """The compiled loss is binary cross-entropy and agrees with the output (logit or probability).

    A logit needs ``from_logits=True``; a sigmoid output ``from_logits=False``
    (the default of the string ``"binary_crossentropy"``, of the function
    ``keras.losses.binary_crossentropy`` and of ``BinaryCrossentropy()``).
    Every spelling Keras accepts is recognised (see
    :func:`lstm_course.model_checks.loss_name`).
    """
    from lstm_course.model_checks import loss_from_logits, loss_name

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

    from lstm_course.model_checks import output_activation

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
    from lstm_course.model_checks import assert_optimizer, loss_from_logits

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


def describe(model: Any, max_len: int = MAX_LEN, callbacks: list[Any] | None = None) -> dict[str, Any]:
    """The aspects of a sentiment experiment, in comparable form.

    Keys: ``embedding`` ((input_dim, output_dim) per Embedding), ``masking``
    (whether every Embedding masks the padding, ``mask_zero=True``), ``recurrent
    layers`` ((kind, units, return_sequences, bidirectional) per layer),
    ``dropout`` (every non-zero rate), ``dense layers`` (units per Dense),
    ``other layers`` (any other layer class), ``max_len`` and ``callbacks``
    (class names).
    """
    import keras

    embedding, masks, recurrent, dropout, dense, other = [], [], [], [], [], []
    for layer in model.layers:
        inner, kind = _inner(layer), _kind(layer)
        if isinstance(layer, keras.layers.Embedding):
            embedding.append((int(layer.input_dim), int(layer.output_dim)))
            masks.append(bool(layer.mask_zero))
        elif kind in _RECURRENT_LAYERS:
            bidirectional = isinstance(layer, keras.layers.Bidirectional)
            merge = layer.merge_mode if bidirectional else None
            recurrent.append((kind, int(inner.units), bool(inner.return_sequences), bidirectional, merge))
            dropout += [r for r in (float(inner.dropout), float(inner.recurrent_dropout)) if r > 0]
        elif kind in _DROPOUT_LAYERS:
            rate = float(getattr(inner, "rate", 0.0))
            if rate > 0:
                dropout.append(rate)
        elif isinstance(inner, keras.layers.Dense):
            dense.append(int(inner.units))
        elif kind not in _NEUTRAL_LAYERS:
            other.append(kind)
    return {
        "embedding": embedding,
        "masking": bool(masks) and all(masks),
        "recurrent layers": recurrent,
        "dropout": dropout,
        "dense layers": dense,
        "other layers": other,
        "max_len": int(max_len),
        "callbacks": [type(c).__name__ for c in (callbacks or [])],
    }


def baseline_description() -> dict[str, Any]:
    """:func:`describe` of the baseline ``Embedding(10000, 64, mask_zero=True) -> LSTM(128) -> Dense(1)``."""
    return {
        "embedding": [(VOCAB_SIZE, EMBED_DIM)],
        "masking": True,
        "recurrent layers": [("LSTM", UNITS, False, False, None)],
        "dropout": [],
        "dense layers": [1],
        "other layers": [],
        "max_len": MAX_LEN,
        "callbacks": [],
    }


def scheduled_rates(scheduler: Any, epochs: int = 4, initial: float = 1e-3) -> list[float]:
    """The learning rates a ``LearningRateScheduler`` sets in epochs ``0..epochs-1``.

    Calls the schedule as Keras does: ``schedule(epoch, lr)``, or
    ``schedule(epoch)`` if it takes one argument.
    """
    schedule: Callable[..., Any] = scheduler.schedule
    rates, lr = [], initial
    for epoch in range(epochs):
        try:
            lr = schedule(epoch, lr)
        except TypeError:
            lr = schedule(epoch)
        lr = float(lr)
        rates.append(lr)
    return rates


def _stacked_hint(model: Any) -> str:
    import keras

    bidirectional = [l for l in model.layers if isinstance(l, keras.layers.Bidirectional)]
    if len(bidirectional) != 2:
        return (f"found {len(bidirectional)} Bidirectional layer(s): wrap each of the two "
                "LSTM(128) layers in keras.layers.Bidirectional.")
    first, second = bidirectional
    if not first.forward_layer.return_sequences:
        return ("the first BiLSTM must pass its whole sequence to the second: "
                "return_sequences=True.")
    if second.forward_layer.return_sequences:
        return "the second BiLSTM returns a sequence: leave return_sequences off on it."
    if first.merge_mode != "concat" or second.merge_mode != "concat":
        return ("keep Bidirectional's default merge_mode='concat' (the two directions side by "
                "side, 256 features): 'sum' or 'ave' give 128 and fewer parameters.")
    units = [l.forward_layer.units for l in bidirectional]
    if units != [UNITS, UNITS]:
        return f"both LSTMs have {UNITS} units per direction; yours have {units}."
    return ""


def assert_experiment(name: Any, experiment: Any, baseline: Any | None = None) -> None:
    """The experiment is an :class:`Experiment` that differs from the baseline
    in exactly the aspect its ``name`` declares, and in a sensible way.

    "The baseline" is the specified ``Embedding(10000, 64) -> LSTM(128) ->
    Dense(1)``, or the student's own ``baseline`` model if given: an
    experiment built on a faulty ``build_baseline()`` (say, with 64 units)
    that changes exactly one thing is a correct experiment, and a mistake of
    Part 1 does not count again here. If ``baseline`` outputs a logit or a
    probability, the experiment must keep that kind of output: both models
    are compiled alike.
    """
    import keras

    if name not in EXPERIMENTS:
        raise AssertionError(f"EXPERIMENT is {name!r}; choose one of {sorted(EXPERIMENTS)}.")
    if not isinstance(experiment, Experiment):
        raise AssertionError(
            f"build_experiment() returned a {type(experiment).__name__}: return "
            "Experiment(model, max_len=..., callbacks=[...]) (only the fields you change).")
    model = experiment.model
    if model is None or not isinstance(model, keras.Model):
        raise AssertionError("Experiment.model must be a keras.Model (did you forget to build it?).")
    if not isinstance(experiment.callbacks, (list, tuple)):
        raise AssertionError("Experiment.callbacks must be a list of Keras callbacks.")
    output = shape_of(model.outputs[0])
    if output != (None, 1):
        raise AssertionError(f"the experiment's model outputs shape {output}, expected (None, 1): "
                             "one number per review (return_sequences off on the last recurrent layer).")
    baseline_kind = output_kind(baseline)
    if baseline_kind is not None and output_kind(model) != baseline_kind:
        kinds = {"probability": "a probability (sigmoid)", "logit": "a logit (no activation)"}
        mine = kinds.get(output_kind(model), "neither a logit nor a probability")
        raise AssertionError(
            f"the experiment's output is {mine} but the baseline's is {kinds[baseline_kind]}: keep the "
            "baseline's output layer, since compile_model treats both models alike.")
    input_len = shape_of(model.inputs[0])[1:]
    if input_len not in ((None,), (experiment.max_len,)):
        raise AssertionError(
            f"the model's input has shape {shape_of(model.inputs[0])} but Experiment.max_len is "
            f"{experiment.max_len}: use keras.Input((None,)) or keras.Input((max_len,)).")

    actual = describe(model, experiment.max_len, list(experiment.callbacks))
    allowed = CHANGES[name]
    references = [(baseline_description(), BASELINE_PARAMS)]
    if isinstance(baseline, keras.Model):
        own = describe(baseline)
        if own != references[0][0]:
            references.append((own, int(baseline.count_params())))
    for reference, reference_params in references:
        changed = [aspect for aspect in reference if reference[aspect] != actual[aspect]]
        if changed == [allowed]:
            break
    else:
        reference, reference_params = references[0]
        changed = [aspect for aspect in reference if reference[aspect] != actual[aspect]]
        note = (" (Your build_baseline differs from the specified baseline, see Part 1; the "
                "experiment matches neither.)" if len(references) > 1 else "")
        if allowed not in changed:
            raise AssertionError(
                f"EXPERIMENT = {name!r} should change the {allowed}, but it is the same as in the "
                f"baseline ({reference[allowed]}). The experiment: {EXPERIMENTS[name]}.{note}")
        extra = [aspect for aspect in changed if aspect != allowed]
        details = "; ".join(f"{a}: baseline {reference[a]}, yours {actual[a]}" for a in extra)
        raise AssertionError(
            f"EXPERIMENT = {name!r} may change only the {allowed}, but yours also changes "
            f"{', '.join(extra)} ({details}). Change one thing, so that a difference in accuracy "
            f"can be attributed to it.{note}")

    if name == "stacked_bilstm":
        if model.count_params() != STACKED_BILSTM_PARAMS:
            hint = _stacked_hint(model)
            raise AssertionError(
                f"the stacked BiLSTM has {model.count_params():,} parameters, expected "
                f"{STACKED_BILSTM_PARAMS:,}." + (f" Hint: {hint}" if hint else ""))
    elif name == "dropout":
        bad = [r for r in actual["dropout"] if not 0 < r < 1]
        if bad:
            raise AssertionError(f"dropout rates must be between 0 and 1 (exclusive); found {bad}.")
        if model.count_params() != reference_params:
            raise AssertionError(f"dropout adds no parameters: expected {reference_params:,}, found "
                                 f"{model.count_params():,}.")
    elif name == "embedding_size":
        ((vocab, dim),) = actual["embedding"]
        reference_vocab = reference["embedding"][0][0] if reference["embedding"] else VOCAB_SIZE
        if vocab != reference_vocab:
            raise AssertionError(
                f"the Embedding's input_dim is {vocab}: that changes the vocabulary. Keep "
                f"input_dim={reference_vocab} and change output_dim, the size of each word vector.")
        units = actual["recurrent layers"][0][1] if actual["recurrent layers"] else UNITS
        expected = (params.embedding_params(vocab, dim) + params.lstm_params(dim, units)
                    + params.dense_params(units, 1))
        if model.count_params() != expected:
            raise AssertionError(f"with output_dim={dim} the model should have {expected:,} "
                                 f"parameters, yours has {model.count_params():,}.")
    elif name == "sequence_length":
        if not 5 <= experiment.max_len <= 100:
            raise AssertionError(f"max_len={experiment.max_len}: choose a length between 5 and 100.")
    elif name == "lr_schedule":
        schedulers = [c for c in experiment.callbacks
                      if isinstance(c, keras.callbacks.LearningRateScheduler)]
        if len(schedulers) != 1 or len(experiment.callbacks) != 1:
            raise AssertionError(
                "the lr_schedule experiment passes exactly one callback, a "
                "keras.callbacks.LearningRateScheduler(schedule); found "
                f"{actual['callbacks']}.")
        rates = scheduled_rates(schedulers[0])
        if not all(math.isfinite(r) and r > 0 for r in rates):
            raise AssertionError(f"the schedule gives learning rates {rates} in epochs 0-3: they "
                                 "must be positive numbers.")
        if len(set(rates)) == 1:
            raise AssertionError(
                f"the schedule gives {rates[0]:g} in every epoch: a schedule changes the learning "
                "rate with the epoch, e.g. lambda epoch: 1e-3 * 0.6**epoch.")
        if rates[0] > 1e-2:
            raise AssertionError(f"the schedule starts at {rates[0]:g}: far too high for Adam here "
                                 "(the baseline uses 1e-3).")
