"""From raw text and series to arrays: tokens, vocabularies, characters, windows.

* :func:`tokenize` and :class:`Vocabulary`: word tokens and a word index built
  on training text only (0 = padding, 1 = out of vocabulary), with
  :meth:`Vocabulary.encode` (padding at the end, the course's convention) and
  :meth:`Vocabulary.decode`;
* :class:`CharEncoder`: the same for characters;
* :func:`standardise`: mean 0, standard deviation 1;
* :func:`windows`: the one window cutter, built on
  ``keras.utils.timeseries_dataset_from_array``; :func:`sliding_windows`
  (many-to-one pairs from a series) and :func:`cut_windows` (a long tagged
  sequence into fixed-length examples) call it;
* :func:`word_boundary_tags`, :func:`contiguous_split` and
  :func:`insert_spaces`: characters without spaces and their word-start tags;
* :func:`tf_lower`, :func:`tf_split` and :func:`text_vectorizer`: the same
  tokens and ids inside TensorFlow, as a ``keras.layers.TextVectorization``
  layer (for ``tf.data`` pipelines and models that read raw strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def tokenize(text: str) -> list[str]:
    """Lower-case word and punctuation tokens (``"It's great!"`` ->
    ``["it's", "great", "!"]``)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocabulary:
    """A word index built from training text only.

    Index 0 is padding and index 1 stands for any out-of-vocabulary word, as
    in ``keras.layers.TextVectorization``; the ``size - 2`` most frequent
    training tokens take indices 2, 3, ... (ties broken alphabetically, so
    the index is reproducible).
    """

    words: tuple[str, ...]

    PAD = 0
    OOV = 1

    @classmethod
    def build(cls, texts: list[str] | pd.Series, size: int) -> "Vocabulary":
        if size < 3:
            raise ValueError("a vocabulary needs room for padding, OOV and a word")
        counts: dict[str, int] = {}
        for text in texts:
            for token in tokenize(text):
                counts[token] = counts.get(token, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return cls(words=tuple(word for word, _ in ranked[: size - 2]))

    @property
    def size(self) -> int:
        """Number of indices used, padding and OOV included."""
        return len(self.words) + 2

    def index(self) -> dict[str, int]:
        """The mapping from each word to its index."""
        return {word: i + 2 for i, word in enumerate(self.words)}

    def words_by_index(self) -> tuple[str, ...]:
        """The word of every index: ``"<pad>"``, ``"<oov>"``, then the words."""
        return ("<pad>", "<oov>") + tuple(self.words)

    def ids(self, words: list[str] | tuple[str, ...]) -> np.ndarray:
        """Indices of ``words``; a word outside the vocabulary raises ``KeyError``."""
        lookup = self.index()
        missing = [w for w in words if w not in lookup]
        if missing:
            raise KeyError(f"not in the vocabulary: {missing}")
        return np.array([lookup[w] for w in words], dtype=np.int64)

    def decode(self, ids: np.ndarray) -> str:
        """The tokens of a sequence of indices, joined by spaces (padding dropped)."""
        words = self.words_by_index()
        return " ".join(words[int(i)] for i in np.ravel(ids) if int(i) != self.PAD)

    def encode(
        self, texts: list[str] | pd.Series, max_len: int, truncate: str = "post"
    ) -> np.ndarray:
        """Integer matrix ``(len(texts), max_len)``, zero-padded at the end.

        ``truncate="post"`` keeps the first ``max_len`` tokens of a longer
        text, ``"pre"`` keeps the last ones.
        """
        if truncate not in ("pre", "post"):
            raise ValueError("truncate must be 'pre' or 'post'")
        lookup = self.index()
        out = np.zeros((len(texts), max_len), dtype=np.int32)
        for row, text in enumerate(texts):
            ids = [lookup.get(tok, self.OOV) for tok in tokenize(text)]
            ids = ids[:max_len] if truncate == "post" else ids[-max_len:]
            out[row, : len(ids)] = ids
        return out


@dataclass(frozen=True)
class CharEncoder:
    """A character index built from training text only.

    Index 0 is reserved for padding. With ``oov=True`` (the default) index 1
    stands for any character absent from the training text and the training
    characters take indices 2, 3, ...; with ``oov=False`` they take 1, 2, ...
    and an unknown character is an error. The characters are in sorted
    order, so the index is reproducible.
    """

    chars: tuple[str, ...]
    oov: bool = True

    PAD = 0
    UNKNOWN = 1

    @classmethod
    def build(cls, text: str, oov: bool = True) -> "CharEncoder":
        """The encoder of the distinct characters of ``text``."""
        return cls(chars=tuple(sorted(set(text))), oov=oov)

    @property
    def first(self) -> int:
        """The index of the first character (2 with an OOV index, else 1)."""
        return 2 if self.oov else 1

    @property
    def size(self) -> int:
        """Number of indices used, padding (and unknown) included: an Embedding's input_dim."""
        return len(self.chars) + self.first

    def index(self) -> dict[str, int]:
        """The mapping from each known character to its id."""
        return {ch: i + self.first for i, ch in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        """Integer ids of the characters of ``text``, shape ``(len(text),)``, int32."""
        lookup = self.index()
        if not self.oov and not set(text) <= lookup.keys():
            raise ValueError(f"characters outside the index: {sorted(set(text) - lookup.keys())}")
        return np.fromiter((lookup.get(ch, self.UNKNOWN) for ch in text), dtype=np.int32, count=len(text))

    def decode(self, ids: np.ndarray) -> str:
        """The text of a sequence of ids (padding dropped, unknown shown as ``?``)."""
        table = {i: ch for ch, i in self.index().items()}
        return "".join(table.get(int(i), "?") for i in np.ravel(ids) if int(i) != self.PAD)


def windows(values: np.ndarray, length: int, step: int | None = None) -> np.ndarray:
    """Cut an array into windows of ``length`` along its first axis (the tail is dropped).

    ``step`` defaults to ``length`` (windows side by side, so that the rows read
    in order give back the sequence). Returns ``(n_windows, length, ...)``, of
    the dtype of ``values``. Window ``k`` is ``values[k * step : k * step + length]``.

    The cutting is ``keras.utils.timeseries_dataset_from_array``'s; unlike it,
    this returns an array, steps ``length`` by default (Keras steps 1), and
    raises ``ValueError`` where Keras would silently yield no window.
    """
    import keras

    values = np.asarray(values)
    step = length if step is None else step
    if length < 1 or step < 1 or len(values) < length:
        raise ValueError(f"need 1 <= length <= len(values) and step >= 1, got length {length}, "
                         f"step {step} for {len(values)} values")
    count = (len(values) - length) // step + 1
    if count == 1:  # Keras refuses a stride as long as the data, even where one window fits
        return values[None, :length].copy()
    # Keras yields the windows in order (shuffle=False); one batch holds them all.
    dataset = keras.utils.timeseries_dataset_from_array(
        values, None, sequence_length=length, sequence_stride=step, shuffle=False, batch_size=count)
    (batch,) = dataset.as_numpy_iterator()
    return np.asarray(batch)


def standardise(values: np.ndarray) -> np.ndarray:
    """``values`` shifted and scaled to mean 0 and standard deviation 1 along the first axis
    (float64; the population standard deviation, as ``np.std``)."""
    values = np.asarray(values, dtype=np.float64)
    return (values - values.mean(axis=0)) / values.std(axis=0)


def sliding_windows(values: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Many-to-one training pairs from a series.

    Returns ``x`` of shape ``(n - length, length, features)``: every run of
    ``length`` consecutive rows, and ``y`` of shape ``(n - length, features)``:
    the row that follows each run. A 1-D series counts as one feature.
    """
    series = np.asarray(values, dtype=np.float32)
    if series.ndim == 1:
        series = series[:, None]
    if not 1 <= length < len(series):
        raise ValueError(f"length must be in [1, {len(series) - 1}], got {length}")
    return windows(series, length, step=1)[:-1], series[length:]


def word_boundary_tags(text: str) -> tuple[str, np.ndarray]:
    """Characters of ``text`` with white space removed, and a tag per character.

    The tag is 1 where a word starts (the character followed a run of white
    space in the original, or is the very first one) and 0 elsewhere: a
    many-to-many labelling task derived from real text.
    """
    chars: list[str] = []
    tags: list[int] = []
    starts_word = True
    for ch in text:
        if ch.isspace():
            starts_word = True
            continue
        chars.append(ch)
        tags.append(1 if starts_word else 0)
        starts_word = False
    return "".join(chars), np.asarray(tags, dtype=np.int64)


@dataclass(frozen=True)
class TaggedText:
    """A run of characters and its tags (1 = a word starts at this character)."""

    chars: str
    tags: np.ndarray

    def __post_init__(self) -> None:
        if len(self.chars) != len(self.tags):
            raise ValueError(f"{len(self.chars)} characters but {len(self.tags)} tags")


def contiguous_split(chars: str, tags: np.ndarray, test_fraction: float = 0.2) -> tuple[TaggedText, TaggedText]:
    """The first part of a text for training, the rest for testing.

    A random split of short windows would put neighbouring lines of the same
    speech on both sides; here the test part is one contiguous stretch at
    the end, about ``test_fraction`` of the characters. The cut is moved
    forward to the next word start, so no word is split between the parts
    and the test part begins with a word.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    tags = np.asarray(tags)
    if len(chars) != len(tags):
        raise ValueError(f"{len(chars)} characters but {len(tags)} tags")
    cut = int(round((1.0 - test_fraction) * len(chars)))
    later_starts = np.flatnonzero(tags[cut:])
    if cut == 0 or len(later_starts) == 0:
        raise ValueError("the text is too short to split at a word start")
    cut += int(later_starts[0])
    return TaggedText(chars[:cut], tags[:cut]), TaggedText(chars[cut:], tags[cut:])


def cut_windows(
    ids: np.ndarray, tags: np.ndarray, length: int, stride: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-length training examples from one long tagged sequence.

    Returns ``x`` of shape ``(n, length)`` (int32 ids) and ``y`` of shape
    ``(n, length, 1)`` (float32 tags), the shape of a tagger's output. Window
    ``k`` starts at ``k * stride`` (default ``stride = length``: windows side by
    side, so that ``y.ravel()`` follows the text); an incomplete last window is
    dropped.
    """
    ids = np.asarray(ids)
    tags = np.asarray(tags)
    if ids.shape != tags.shape or ids.ndim != 1:
        raise ValueError(f"ids and tags must be 1-D of the same length, got {ids.shape} and {tags.shape}")
    x = windows(ids, length, stride)
    y = windows(tags, length, stride)
    return x.astype(np.int32), y[..., None].astype(np.float32)


def insert_spaces(chars: str, tags: np.ndarray) -> str:
    """The text with a space before every tagged character (``"tobe", [1,0,1,0]`` -> ``"to be"``)."""
    tags = np.ravel(tags)
    if len(chars) != len(tags):
        raise ValueError(f"{len(chars)} characters but {len(tags)} tags")
    return "".join((" " if tag and i else "") + ch for i, (ch, tag) in enumerate(zip(chars, tags)))


# ------------------------------------------------- the same tokens in TensorFlow

# Python's ``\s`` (the characters of ``str.isspace``) written for RE2, the
# regular expressions of TensorFlow, whose own ``\s`` knows ASCII white space only.
_RE2_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"


def tf_lower(texts: Any) -> Any:
    """A string tensor lower-cased as :func:`tokenize` does: Unicode-aware, like
    ``str.lower`` (``"ÉTÉ"`` -> ``"été"``), where ``tf.strings.lower`` and
    ``TextVectorization``'s ``"lower"`` change ASCII letters only.

    The ``standardize`` step of :func:`text_vectorizer`.
    """
    import tensorflow as tf

    return tf.strings.lower(texts, encoding="utf-8")


def tf_split(texts: Any) -> Any:
    """:func:`tokenize`'s split in TensorFlow ops: a ``tf.RaggedTensor`` of tokens,
    one row per string of the 1-D tensor ``texts``.

    A run of ``a-z``, ``0-9`` and ``'`` is one token, any other character that is
    not white space is a token of its own, and white space separates. Applied
    after :func:`tf_lower`, it gives the tokens of :func:`tokenize` (Python's
    white space, Unicode's included, counts as white space here too). The
    ``split`` step of :func:`text_vectorizer`; it runs inside a graph, so a
    ``tf.data`` pipeline or a model can use it.
    """
    import tensorflow as tf

    spaced = tf.strings.regex_replace(texts, f"([^{_RE2_SPACE}a-z0-9'])", r" \1 ")
    return tf.strings.split(tf.strings.regex_replace(spaced, f"[{_RE2_SPACE}]", " "))


def text_vectorizer(
    vocab: Vocabulary | None = None, max_len: int | None = None, *, max_tokens: int | None = None,
    ragged: bool = False, name: str | None = None,
) -> Any:
    """A ``keras.layers.TextVectorization`` layer that reads text as :func:`tokenize` does.

    With ``vocab`` the layer takes its words in ``vocab``'s order, so its ids
    are ``vocab``'s (0 = padding, 1 = out of vocabulary, ``[UNK]`` in Keras):
    ``layer(texts)`` equals ``vocab.encode(texts, max_len)`` (as int64). Without
    ``vocab`` the layer is empty: call its ``adapt`` on training text (it keeps
    the ``max_tokens - 2`` most frequent tokens; Keras breaks ties between
    equally frequent tokens in reverse alphabetical order, :class:`Vocabulary`
    in alphabetical order).

    ``max_len`` pads or cuts every output to that many ids (the first ones are
    kept, the padding goes at the end); ``None`` pads a batch to its longest
    text, and ``ragged=True`` returns a ``tf.RaggedTensor`` without padding.

    The layer calls :func:`tf_lower` and :func:`tf_split`; to load a saved model
    that holds it, pass ``custom_objects={"tf_lower": tf_lower, "tf_split": tf_split}``
    to ``keras.models.load_model``.
    """
    from keras import layers

    if vocab is not None and max_tokens is not None:
        raise ValueError("give either vocab or max_tokens: a fixed vocabulary sets the size")
    return layers.TextVectorization(
        max_tokens=max_tokens, standardize=tf_lower, split=tf_split, output_sequence_length=max_len,
        ragged=ragged, vocabulary=None if vocab is None else list(vocab.words), name=name)


def vectorize(vocab: Vocabulary, texts: list[str] | pd.Series, max_len: int) -> np.ndarray:
    """``texts`` as ids through a :func:`text_vectorizer` layer, ``(len(texts), max_len)`` int32.

    The course's loaders turn text into tensors this way (chapter 5 shows the
    layer and checks it against :meth:`Vocabulary.encode`, which gives the same
    ids by hand). The layer has a fixed name, so building it does not move the
    automatic names of the layers of models built afterwards.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be positive, got {max_len}")
    layer = text_vectorizer(vocab, max_len, name="course_vectorizer")
    texts = list(texts)
    if not texts:
        return np.zeros((0, max_len), dtype=np.int32)
    return np.asarray(layer(texts), dtype=np.int32)

