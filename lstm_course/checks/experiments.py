"""Assignment 4's checks: the baseline sentiment classifier, its compilation, one experiment."""

from __future__ import annotations

import math
from typing import Any

from lstm_course import params
from lstm_course.checks.compilation import output_kind
from lstm_course.checks.introspection import shape_of, unwrap
from lstm_course.models import (BASELINE_PARAMS, CHANGES, EMBED_DIM, EXPERIMENTS, MAX_LEN, STACKED_BILSTM_PARAMS,
                                UNITS, VOCAB_SIZE, Experiment)


_DROPOUT_LAYERS = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianDropout", "AlphaDropout")

_RECURRENT_LAYERS = ("LSTM", "GRU", "SimpleRNN")

_NEUTRAL_LAYERS = ("InputLayer", "Activation")


def _kind(layer: Any) -> str:
    return type(unwrap(layer)).__name__


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
        inner, kind = unwrap(layer), _kind(layer)
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
        from lstm_course import training  # imports Keras: only here

        rates = training.scheduled_rates(schedulers[0])
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
