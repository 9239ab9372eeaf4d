"""Character-level language models: baselines, batching, sampling, measuring.

A language model gives, at every position of a text, a probability
distribution over the next character. This module holds what such a model
needs around it, in NumPy:

* :func:`ngram_bits_per_char`: the add-alpha smoothed n-gram baselines
  (order 1 = unigram, 2 = bigram) that a neural model must beat;
* :func:`bits_per_char` and :func:`perplexity`: the two usual scores of the
  probabilities a model gave to the characters that really came next;
* :func:`entropy_bits`: the entropy of a distribution, in bits;
* :func:`apply_temperature` and :func:`sample_next`: sampling the next
  character at a temperature (temperature 0 gives the arg max);
* :func:`stateful_batches`: a long id stream cut into ``batch_size`` parallel
  streams, so that row ``i`` of batch ``k + 1`` continues row ``i`` of batch
  ``k`` (what a Keras ``stateful=True`` layer expects);
* :class:`CharLSTM`: a trained Keras ``Embedding -> LSTM -> Dense`` model run
  in NumPy (with :mod:`lstm_course.numpy_lstm`), which reads any number of
  streams from any state and exposes its gates;
* :func:`generate`: the loop that writes text one character at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import numpy as np

from lstm_course.numpy_lstm import LSTMWeights, lstm_forward
from lstm_course.numpy_rnn import single_threaded

State = TypeVar("State")


def _ngram_codes(ids: np.ndarray, order: int, vocab_size: int) -> np.ndarray:
    """Each run of ``order`` consecutive ids as one base-``vocab_size`` integer."""
    n = len(ids) - order + 1
    codes = np.zeros(max(n, 0), dtype=np.int64)
    for k in range(order):
        codes = codes * vocab_size + ids[k:k + n]
    return codes


def _count_of(keys: np.ndarray, counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The count of each query in the sorted ``keys`` (0 where a query is absent)."""
    at = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return np.where(keys[at] == queries, counts[at], 0).astype(np.float64)


def ngram_bits_per_char(train: np.ndarray, valid: np.ndarray, order: int, vocab_size: int,
                        alpha: float = 1.0) -> float:
    """Validation bits per character of an add-alpha smoothed n-gram model.

    The model is fitted on the integer ids ``train`` (each in
    ``0 .. vocab_size - 1``, e.g. from :class:`lstm_course.preprocessing.CharEncoder`,
    whose ``size`` is then ``vocab_size``) and predicts each character of
    ``valid`` from the ``order - 1`` characters before it::

        P(c | context) = (count(context, c) + alpha) / (count(context) + alpha * vocab_size)

    Order 1 is the unigram model (no context: the character frequencies),
    order 2 the bigram model (the previous character). The validation text
    is read as the continuation of the training text: the first characters
    of ``valid`` take their context from the last characters of ``train``,
    so every validation character is scored, none is skipped. Returns the
    mean of ``-log2 P`` over the ``len(valid)`` characters.
    """
    train = np.asarray(train, dtype=np.int64).ravel()
    valid = np.asarray(valid, dtype=np.int64).ravel()
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    if alpha <= 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    if float(vocab_size) ** order > 2.0**62:
        raise ValueError(f"order {order} is too high for {vocab_size} symbols (n-gram codes overflow)")
    if len(valid) == 0 or len(train) < order:
        raise ValueError(f"need at least {order} training and 1 validation character")
    for name, ids in (("train", train), ("valid", valid)):
        if ids.min() < 0 or ids.max() >= vocab_size:
            raise ValueError(f"{name} holds ids outside 0 .. {vocab_size - 1}")
    grams, counts = np.unique(_ngram_codes(train, order, vocab_size), return_counts=True)
    # count(context) is the number of training n-grams that start with that context
    contexts, where = np.unique(grams // vocab_size, return_inverse=True)
    context_counts = np.bincount(where, weights=counts)
    scored = np.concatenate([train[len(train) - order + 1:], valid]) if order > 1 else valid
    targets = _ngram_codes(scored, order, vocab_size)
    numerator = _count_of(grams, counts, targets) + alpha
    denominator = _count_of(contexts, context_counts, targets // vocab_size) + alpha * vocab_size
    return float(np.mean(-np.log2(numerator / denominator)))


def bits_per_char(p_true: np.ndarray) -> float:
    """Mean of ``-log2 p`` over the probabilities a model gave to the characters that came next.

    This is the cross-entropy of the model on the text, in bits per
    character: 0 for a model that is always certain and right; ``log2(V)``
    for one that spreads its bet evenly over ``V`` symbols.
    """
    p_true = np.asarray(p_true, dtype=np.float64).ravel()
    if len(p_true) == 0 or np.any((p_true <= 0) | (p_true > 1)):
        raise ValueError("need at least one probability, each in (0, 1]")
    return float(np.mean(-np.log2(p_true)))


def perplexity(bits: float) -> float:
    """Per-character perplexity ``2 ** bits`` of a model that scored ``bits`` per character.

    The model is as uncertain as one that chose uniformly among this many
    characters at every step.
    """
    return float(2.0 ** bits)


def entropy_bits(probs: np.ndarray, axis: int = -1) -> np.ndarray:
    """Entropy ``-sum p log2 p`` of the distributions along ``axis`` (``0 log 0 = 0``)."""
    probs = np.asarray(probs, dtype=np.float64)
    logs = np.log2(np.where(probs > 0, probs, 1.0))
    return -np.sum(probs * logs, axis=axis)


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """The distributions along the last axis, sharpened or flattened by ``temperature``.

    ``p_i ** (1 / T)``, renormalised: the same as dividing the logits by
    ``T`` before the softmax. ``T = 1`` leaves ``probs`` unchanged, ``T > 1``
    flattens them towards the uniform distribution, ``T < 1`` sharpens them,
    and ``T = 0`` puts all the mass on the most probable symbol (the first
    one on a tie): the limit of ``T -> 0``.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return np.eye(probs.shape[-1])[np.argmax(probs, axis=-1)]
    with np.errstate(divide="ignore"):
        logits = np.log(probs) / temperature
    logits = logits - np.max(logits, axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def sample_next(probs: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One symbol drawn from the distribution ``probs`` at ``temperature`` (0: the arg max)."""
    return _draw(apply_temperature(np.ravel(probs), temperature), rng)


def _draw(probs: np.ndarray, rng: np.random.Generator) -> int:
    """One index drawn with the probabilities ``probs`` (a one-hot vector gives its index)."""
    return int(rng.choice(len(probs), p=probs))


def stateful_batches(ids: np.ndarray, batch_size: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and next-character targets for a stateful model, batch after batch.

    The stream ``ids`` is cut into ``batch_size`` equal, contiguous parts
    (stream ``i`` is the ``i``-th part); each part is cut into windows of
    ``length``. Batch ``k`` holds window ``k`` of every stream, so row ``i``
    of batch ``k + 1`` continues, character for character, row ``i`` of batch
    ``k``, and a layer that keeps its state between batches reads each stream
    from start to end. The target of every character is the one that follows
    it. Returns ``x`` and ``y`` of shape ``(n_batches * batch_size, length)``
    (int32), batch after batch: pass them to ``fit`` with the same
    ``batch_size`` and ``shuffle=False``. The tail that does not fill a
    window in every stream is dropped.
    """
    ids = np.asarray(ids).ravel()
    if batch_size < 1 or length < 1:
        raise ValueError("batch_size and length must be positive")
    n_batches = (len(ids) - 1) // (batch_size * length)
    if n_batches < 1:
        raise ValueError(f"{len(ids)} ids do not fill one batch of {batch_size} x {length} (plus a target)")
    per_stream = n_batches * length
    span = batch_size * per_stream

    def arrange(values: np.ndarray) -> np.ndarray:
        streams = values.reshape(batch_size, n_batches, length)
        return streams.transpose(1, 0, 2).reshape(n_batches * batch_size, length).astype(np.int32)

    return arrange(ids[:span]), arrange(ids[1:span + 1])


@dataclass
class CharRun:
    """What :meth:`CharLSTM.run` returns for ``ids`` of shape ``(batch, T)``."""

    probs: np.ndarray  # (batch, T, V): the distribution of the character after each one read
    state: tuple[np.ndarray, np.ndarray]  # (h, c) after the last step, each (batch, units)
    gates: dict[str, np.ndarray] | None  # "input", "forget", "candidate", "output": (batch, T, units)


@dataclass(frozen=True)
class CharLSTM:
    """A character model ``Embedding -> LSTM -> Dense`` (logits), run in NumPy.

    :meth:`from_keras` copies the weights of a trained Keras model; the
    NumPy copy has no fixed batch size, so a model trained with
    ``stateful=True`` on 32 streams can read one stream, or 500.
    """

    embedding: np.ndarray  # (V, E)
    lstm: LSTMWeights
    kernel: np.ndarray  # (units, V)
    bias: np.ndarray  # (V,)

    @classmethod
    def from_keras(cls, model: Any) -> "CharLSTM":
        """From a Keras model with one ``Embedding``, one ``LSTM`` and one ``Dense`` layer (in that order)."""
        by_type = {type(layer).__name__: layer for layer in model.layers}
        missing = {"Embedding", "LSTM", "Dense"} - by_type.keys()
        if missing:
            raise ValueError(f"the model has no {sorted(missing)} layer")
        kernel, bias = (np.asarray(w, dtype=np.float64) for w in by_type["Dense"].get_weights())
        embedding = np.asarray(by_type["Embedding"].get_weights()[0], dtype=np.float64)
        return cls(embedding, LSTMWeights.from_keras(by_type["LSTM"]), kernel, bias)

    @property
    def units(self) -> int:
        return self.lstm.units

    def run(self, ids: np.ndarray, state: tuple[np.ndarray, np.ndarray] | None = None,
            return_gates: bool = False) -> CharRun:
        """Read ``ids`` of shape ``(batch, T)`` (or ``(T,)``: one stream) from ``state`` (zeros if ``None``)."""
        ids = np.atleast_2d(np.asarray(ids))
        out = lstm_forward(self.embedding[ids], self.lstm, state, return_gates=return_gates)
        logits = out.sequence @ self.kernel + self.bias
        logits -= logits.max(axis=-1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=-1, keepdims=True)
        return CharRun(probs=probs, state=(out.h, out.c), gates=out.gates)

    def step(self, char: int, state: tuple[np.ndarray, np.ndarray] | None
             ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Read one character of one stream: the next-character distribution ``(V,)`` and the new state."""
        result = self.run(np.array([[char]]), state)
        return result.probs[0, 0], result.state


@single_threaded  # one BLAS thread for the whole loop: entering it once per step costs more than a step
def generate(step: Callable[[int, State], tuple[np.ndarray, State]], probs: np.ndarray, state: State,
             length: int, temperature: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Write ``length`` symbols, each drawn from the model's distribution after the one before.

    ``probs`` is the distribution of the first symbol to write and ``state``
    the model's state, both after reading the prompt (e.g. the last step of
    :meth:`CharLSTM.run` on the prompt). ``step(symbol, state)`` reads one
    symbol and returns the distribution of the next one and the new state
    (e.g. :meth:`CharLSTM.step`). Returns the symbols written ``(length,)``
    and the tempered distributions they were drawn from ``(length, V)``.
    """
    written, used = [], []
    for k in range(length):
        tempered = apply_temperature(probs, temperature)
        written.append(_draw(tempered, rng))
        used.append(tempered)
        if k + 1 < length:
            probs, state = step(written[-1], state)
    return np.array(written, dtype=np.int64), np.array(used)
