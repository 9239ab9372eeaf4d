"""Sequence to sequence: written dates into ISO dates, with an encoder-decoder LSTM.

* The task: :func:`written_dates` draws distinct days of the real calendar
  (1950-2049, so real weekdays, month lengths and leap years) and writes each
  in one of the :data:`FORMATS` (``"03/03/98"``, ``"March 3, 1998"``,
  ``"Tuesday the third of March, nineteen ninety-eight"``...; the words come
  from :func:`spell_number`, :func:`spell_ordinal`, :func:`ordinal_suffix` and
  :func:`spell_year`); the answer is always the ISO date, ``"1998-03-03"``.
  :func:`load_date_task` splits the dates (no day on both sides) and encodes
  them with :func:`encode_texts`: a character index for the sources, built on
  the training sources, and one for the targets, :data:`TARGET`.
* Training and inference: :func:`teacher_forcing` builds the decoder's input
  from the true targets; :func:`length_batches` groups the training pairs into
  minibatches of similar source length; :func:`greedy_decode` feeds the
  decoder its own predictions instead of the true ones; :func:`teacher_forced`
  predicts every character from the true prefix.
* The models: :func:`encoder_decoder` (an encoder LSTM whose final states
  start a decoder LSTM, optionally with dot-product or additive attention over
  the encoder's outputs) and :func:`attention_model` (the attention weights of
  such a model).
* Scores: :func:`exact_match`, :func:`char_accuracy` and
  :func:`accuracy_by_length`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from lstm_course.notebook import seeded
from lstm_course.preprocessing import CharEncoder

# ------------------------------------------------------------- the task

FIRST_DAY = datetime.date(1950, 1, 1)
LAST_DAY = datetime.date(2049, 12, 31)
"""The calendar range of the task: a two-digit year ``yy`` means 19yy from 50
on and 20yy below 50, so every format names exactly one day."""

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# English names written out, not taken from the `calendar` module: those follow the locale.
_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SMALL_ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                   "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                   "sixteenth", "seventeenth", "eighteenth", "nineteenth")
_TENS_ORDINALS = ("", "", "twentieth", "thirtieth")


def spell_number(n: int) -> str:
    """``n`` in English words, for ``0 <= n < 100`` (``42`` -> ``"forty-two"``)."""
    if not 0 <= n < 100:
        raise ValueError(f"only 0-99, got {n}")
    if n < 20:
        return _SMALL[n]
    return _TENS[n // 10] + (f"-{_SMALL[n % 10]}" if n % 10 else "")


def spell_ordinal(n: int) -> str:
    """The day ``1 <= n <= 31`` as an English ordinal word (``23`` -> ``"twenty-third"``)."""
    if not 1 <= n <= 31:
        raise ValueError(f"only 1-31, got {n}")
    if n < 20:
        return _SMALL_ORDINALS[n]
    return _TENS_ORDINALS[n // 10] if n % 10 == 0 else f"{_TENS[n // 10]}-{_SMALL_ORDINALS[n % 10]}"


def ordinal_suffix(n: int) -> str:
    """``n`` with its English suffix: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spell_year(year: int) -> str:
    """A year of 1950-2049 as spoken in British English: ``"nineteen ninety-eight"``,
    ``"two thousand"``, ``"two thousand and four"``."""
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise ValueError(f"only {FIRST_DAY.year}-{LAST_DAY.year}, got {year}")
    if year < 2000:
        return f"nineteen {spell_number(year - 1900)}"
    return "two thousand" + (f" and {spell_number(year - 2000)}" if year > 2000 else "")


FORMATS: dict[str, Callable[[datetime.date], str]] = {
    "numeric": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
    "dotted": lambda d: f"{d.day}.{d.month}.{d.year}",
    "day month": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "month day": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "abbreviated": lambda d: f"{WEEKDAYS[d.weekday()][:3]} {d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    "weekday": lambda d: f"{WEEKDAYS[d.weekday()]}, {ordinal_suffix(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    "spelled": lambda d: (f"{WEEKDAYS[d.weekday()]} the {spell_ordinal(d.day)} of {MONTHS[d.month - 1]}, "
                          f"{spell_year(d.year)}"),
}
"""How a day may be written (day before month in the numeric forms, as in Britain)."""


@dataclass(frozen=True)
class DatePairs:
    """Written dates (``sources``), their ISO form (``targets``), the format of each and the day."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    formats: tuple[str, ...]
    days: tuple[datetime.date, ...]

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, index: slice) -> "DatePairs":
        return DatePairs(self.sources[index], self.targets[index], self.formats[index], self.days[index])


def written_dates(n: int, seed: int = 0, formats: Sequence[str] | None = None) -> DatePairs:
    """``n`` distinct days between :data:`FIRST_DAY` and :data:`LAST_DAY`, each
    written in a format drawn uniformly from ``formats`` (default: all of
    :data:`FORMATS`).

    The days are drawn without replacement, so a slice of the result and the
    rest never share a day. Deterministic for a given ``seed`` (shifted by
    :func:`lstm_course.notebook.seeded`).
    """
    names = list(FORMATS) if formats is None else list(formats)
    unknown = set(names) - FORMATS.keys()
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {list(FORMATS)}")
    span = (LAST_DAY - FIRST_DAY).days + 1
    if not 1 <= n <= span:
        raise ValueError(f"n must be in [1, {span}], got {n}")
    rng = np.random.default_rng(seeded(seed))
    offsets = rng.choice(span, size=n, replace=False)
    chosen = rng.integers(0, len(names), size=n)
    days = tuple(FIRST_DAY + datetime.timedelta(days=int(k)) for k in offsets)
    fmts = tuple(names[int(k)] for k in chosen)
    return DatePairs(sources=tuple(FORMATS[f](d) for f, d in zip(fmts, days)),
                     targets=tuple(d.isoformat() for d in days), formats=fmts, days=days)


TARGET = CharEncoder(chars=tuple("-0123456789"), oov=False)
"""The target characters: ids 1-11 (0 is never a target); the start symbol is ``TARGET.size``."""
TARGET_LENGTH = 10
"""Characters of an ISO date, ``YYYY-MM-DD``."""


def encode_texts(encoder: CharEncoder, texts: Sequence[str], length: int | None = None) -> np.ndarray:
    """Character ids of ``texts``, ``(len(texts), length)`` int32, zero-padded at the end
    (``length`` defaults to the longest text; a longer text raises ``ValueError``)."""
    length = max(map(len, texts)) if length is None else length
    out = np.zeros((len(texts), length), dtype=np.int32)
    for row, text in enumerate(texts):
        if len(text) > length:
            raise ValueError(f"{text!r} is longer than {length} characters")
        out[row, : len(text)] = encoder.encode(text)
    return out


@dataclass(frozen=True)
class DateTask:
    """Written dates and ISO dates as arrays: ``x_*`` source ids ``(n, max_len)``
    (zero-padded at the end), ``y_*`` target ids ``(n, 10)``."""

    train: DatePairs
    test: DatePairs
    source: CharEncoder
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    target = TARGET

    @property
    def start_id(self) -> int:
        """The id the decoder reads before the first character: one past the target ids."""
        return self.target.size

    def lengths(self, part: str = "test") -> np.ndarray:
        """Characters of each source of ``part`` (``"train"`` or ``"test"``)."""
        return np.array([len(s) for s in getattr(self, part).sources])

    def decode(self, ids: np.ndarray) -> list[str]:
        """The target strings of rows of ids."""
        return [self.target.decode(row) for row in np.atleast_2d(ids)]


def load_date_task(n_train: int, n_test: int, seed: int = 0, formats: Sequence[str] | None = None) -> DateTask:
    """:func:`written_dates` split into ``n_train`` training and ``n_test`` test
    pairs (different days), encoded; the source index is built on the training
    sources only (a character they lack becomes the unknown id)."""
    pairs = written_dates(n_train + n_test, seed, formats)
    train, test = pairs[:n_train], pairs[n_train:]
    source = CharEncoder.build("".join(train.sources))
    length = max(map(len, pairs.sources))
    return DateTask(train=train, test=test, source=source,
                    x_train=encode_texts(source, train.sources, length), y_train=encode_texts(TARGET, train.targets),
                    x_test=encode_texts(source, test.sources, length), y_test=encode_texts(TARGET, test.targets))


# -------------------------------------------------- training and inference


def teacher_forcing(targets: np.ndarray, start_id: int) -> np.ndarray:
    """The decoder's input for teacher forcing: ``targets`` shifted right by one step.

    Row ``i`` becomes ``[start_id, targets[i, 0], ..., targets[i, -2]]``: at
    step ``t`` the decoder reads the true character of step ``t - 1`` (the
    start symbol at ``t = 0``) and must predict ``targets[i, t]``. The last
    target is never read. Same shape and dtype as ``targets`` (``(n, steps)``).
    """
    targets = np.asarray(targets)
    shifted = np.empty_like(targets)
    shifted[:, 0] = start_id
    shifted[:, 1:] = targets[:, :-1]
    return shifted


def source_lengths(x: np.ndarray) -> np.ndarray:
    """Characters of each zero-padded source row (padding is at the end)."""
    return np.count_nonzero(np.asarray(x), axis=1)


def length_batches(x: np.ndarray, decoder_input: np.ndarray, y: np.ndarray, batch_size: int = 64,
                   seed: int = 0, width: int = 16) -> Any:
    """Minibatches of sources of similar length, as a ``tf.data.Dataset`` for ``model.fit``.

    At every pass over the data, the rows are shuffled and then grouped by
    source length in bands of ``width`` characters (0-15, 16-31... by
    default; in random order within a band), cut into batches of
    ``batch_size``, and the batches are shuffled; each batch is cut to its
    longest source. The encoder then runs over little padding, where a batch
    padded to the longest source of the whole set would make it run over
    every padded step. Yields ``((source, decoder_input), targets)``;
    deterministic for a given ``seed`` (shifted by :func:`lstm_course.notebook.seeded`).
    """
    import tensorflow as tf

    x, decoder_input, y = np.asarray(x), np.asarray(decoder_input), np.asarray(y)
    lengths = source_lengths(x)
    rng = np.random.default_rng(seeded(seed))

    def batches() -> Iterator[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
        shuffled = rng.permutation(len(x))
        order = shuffled[np.argsort(lengths[shuffled] // width, kind="stable")]
        starts = np.arange(0, len(order), batch_size)
        for start in rng.permutation(starts):
            rows = order[start:start + batch_size]
            yield (x[rows, : lengths[rows].max()], decoder_input[rows]), y[rows]

    def spec(a: np.ndarray, width: int | None) -> Any:
        return tf.TensorSpec((None, width), tf.as_dtype(a.dtype))

    signature = ((spec(x, None), spec(decoder_input, decoder_input.shape[1])), spec(y, y.shape[1]))
    count = -(-len(x) // batch_size)
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(count))


def _predict(model: Any, x: np.ndarray, decoder_input: np.ndarray, batch_size: int) -> np.ndarray:
    """``model``'s output for all rows, run in batches of similar source length (as :func:`length_batches`)."""
    order = np.argsort(source_lengths(x), kind="stable")
    out: np.ndarray | None = None
    for k in range(0, len(order), batch_size):
        rows = order[k:k + batch_size]
        width = max(1, int(source_lengths(x[rows]).max()))
        batch = np.asarray(model.predict_on_batch([x[rows, :width], decoder_input[rows]]))
        if out is None:
            out = np.empty((len(x),) + batch.shape[1:], dtype=batch.dtype)
        out[rows] = batch
    assert out is not None
    return out


def teacher_forced(model: Any, x: np.ndarray, y: np.ndarray, start_id: int, batch_size: int = 512) -> np.ndarray:
    """The predicted ids ``(n, steps)`` when the decoder reads the true previous characters."""
    return _predict(model, x, teacher_forcing(y, start_id), batch_size).argmax(axis=-1)


def greedy_decode(model: Any, x: np.ndarray, start_id: int, steps: int = TARGET_LENGTH,
                  batch_size: int = 512) -> np.ndarray:
    """Greedy decoding: the decoder reads its own previous predictions.

    The decoder input is :func:`teacher_forcing` applied to the predictions
    so far. At step ``t`` the model is run on that prefix and the most likely
    character of step ``t`` is kept; the decoder is causal, so the
    placeholders after the prefix do not change it. (This re-reads the source
    at every step: simple, and fast enough for ten steps.) Returns ids ``(n, steps)``.
    """
    predicted = np.zeros((len(x), steps), dtype=np.int32)
    for t in range(steps):
        probabilities = _predict(model, x, teacher_forcing(predicted, start_id), batch_size)
        predicted[:, t] = probabilities[:, t].argmax(axis=-1)
    return predicted


# ---------------------------------------------------------------- models


ATTENTION = {"dot": "Attention", "additive": "AdditiveAttention"}
"""The attention layers of Keras that :func:`encoder_decoder` can use: Luong's
dot-product score, or Bahdanau's additive score."""


def encoder_decoder(source_size: int, target_size: int = TARGET.size, units: int = 64, embed_dim: int = 32,
                    *, attention: str | None = None, name: str = "encoder_decoder") -> Any:
    """An encoder-decoder LSTM, uncompiled; the output is a softmax over ``target_size`` ids per step.

    Inputs ``source`` (ids, zero-padded and masked) and ``decoder_input``
    (ids of :func:`teacher_forcing`; ``target_size`` is the start symbol).
    The ``encoder`` LSTM reads the source; its final hidden and cell states
    are the initial states of the ``decoder`` LSTM (which also returns its
    states, so that its layer can be reused one step at a time).

    With ``attention="dot"`` (``keras.layers.Attention``) or ``"additive"``
    (``keras.layers.AdditiveAttention``), the decoder's output at each step
    queries the encoder's outputs at every source step (layer ``attention``);
    the context vector, their average weighted by the attention, is
    concatenated to the decoder's output before the output layer.
    """
    import keras
    from keras import layers

    if attention is not None and attention not in ATTENTION:
        raise ValueError(f"attention must be None or one of {list(ATTENTION)}, got {attention!r}")
    source = keras.Input((None,), dtype="int32", name="source")
    previous = keras.Input((None,), dtype="int32", name="decoder_input")
    embedded = layers.Embedding(source_size, embed_dim, mask_zero=True, name="source_embedding")(source)
    encoded, h, c = layers.LSTM(units, return_sequences=attention is not None, return_state=True,
                                name="encoder")(embedded)
    read = layers.Embedding(target_size + 1, embed_dim, name="target_embedding")(previous)
    decoded, _, _ = layers.LSTM(units, return_sequences=True, return_state=True, name="decoder")(
        read, initial_state=[h, c])
    if attention is not None:
        score = getattr(layers, ATTENTION[attention])
        context, _ = score(name="attention")([decoded, encoded], return_attention_scores=True)
        decoded = layers.Concatenate(name="with_context")([decoded, context])
    probabilities = layers.Dense(target_size, activation="softmax", name="next_char")(decoded)
    return keras.Model([source, previous], probabilities, name=name)


def attention_model(model: Any) -> Any:
    """A model sharing ``model``'s layers that returns its attention weights,
    ``(n, target steps, source steps)``: row ``t`` is how the decoder at step
    ``t`` weighs the source characters (each row sums to 1)."""
    import keras

    _, scores = model.get_layer("attention").output
    return keras.Model(model.inputs, scores, name=f"{model.name}_weights")


# ---------------------------------------------------------------- scores


def exact_match(predicted: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of rows predicted entirely right (the whole date)."""
    return float(np.mean(np.all(np.asarray(predicted) == np.asarray(targets), axis=1)))


def char_accuracy(predicted: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of characters predicted right, over every position of every row."""
    return float(np.mean(np.asarray(predicted) == np.asarray(targets)))


def accuracy_by_length(lengths: np.ndarray, correct: np.ndarray, edges: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``correct`` per bucket of ``lengths``: bucket ``k`` holds
    ``edges[k] <= length < edges[k + 1]``. Returns ``(accuracy, count)``, one
    entry per bucket (NaN for an empty bucket)."""
    lengths, correct = np.asarray(lengths), np.asarray(correct, dtype=float)
    if lengths.shape != correct.shape:
        raise ValueError("lengths and correct must have the same shape")
    bucket = np.digitize(lengths, edges) - 1
    count = np.array([int(np.sum(bucket == k)) for k in range(len(edges) - 1)])
    accuracy = np.array([correct[bucket == k].mean() if n else np.nan for k, n in enumerate(count)])
    return accuracy, count
