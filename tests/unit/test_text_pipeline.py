"""The course's tokens and ids inside TensorFlow: tf_lower, tf_split, text_vectorizer."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lstm_course import preprocessing
from lstm_course.preprocessing import Vocabulary, text_vectorizer, tf_lower, tf_split, tokenize

TEXTS = [
    "It's a GREAT film -- isn't it?",
    "Café  naïve\tÉTÉ\x85Über-cool…",
    "“Quoted”, 3.5 stars;\u2003em\u00a0space\x1cand\x0bmore",
    "",
    "   ",
    "¿Qué? [UNK] <pad> 100%!",
]


def tf_tokens(texts):
    import tensorflow as tf

    rows = tf_split(tf_lower(tf.constant(texts))).to_list()
    return [[token.decode("utf-8") for token in row] for row in rows]


def test_white_space_class_is_pythons():
    """The RE2 class spells exactly the characters Python's \\s matches."""
    import re

    python = {chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))}
    spelled = set()
    for part in re.findall(r"\\x\{?([0-9a-f]+)\}?(?:-\\x\{?([0-9a-f]+)\}?)?|\\([tnr])|( )",
                           preprocessing._RE2_SPACE):
        start, end, escape, space = part
        if escape:
            spelled.add({"t": "\t", "n": "\n", "r": "\r"}[escape])
        elif space:
            spelled.add(" ")
        else:
            spelled.update(chr(c) for c in range(int(start, 16), int(end or start, 16) + 1))
    assert spelled == python


def test_tf_tokens_are_the_python_tokens():
    assert tf_tokens(TEXTS) == [tokenize(text) for text in TEXTS]
    # Unicode lower-casing, not ASCII only (a non-ASCII letter is a token of its own, as in tokenize)
    assert tf_tokens(["ÉTÉ"]) == [["é", "t", "é"]]
    assert tf_lower(np.array(["ÉTÉ Über"])).numpy()[0].decode("utf-8") == "été über"


def test_text_vectorizer_gives_the_vocabulary_ids():
    vocab = Vocabulary.build(TEXTS[:3] * 2 + TEXTS[3:], size=12)
    for max_len in (3, 8, 20):
        ids = text_vectorizer(vocab, max_len)(TEXTS).numpy()
        assert ids.dtype == np.int64
        assert np.array_equal(ids, vocab.encode(TEXTS, max_len))
    layer = text_vectorizer(vocab)
    assert layer.get_vocabulary()[:2] == ["", "[UNK]"] and layer.vocabulary_size() == vocab.size
    longest = max(len(tokenize(t)) for t in TEXTS)
    assert np.array_equal(layer(TEXTS).numpy(), vocab.encode(TEXTS, longest))  # padded to the longest


def test_text_vectorizer_ragged_and_adapted():
    vocab = Vocabulary.build(TEXTS, size=100)
    ragged = text_vectorizer(vocab, ragged=True)(TEXTS)
    assert ragged.row_lengths().numpy().tolist() == [len(tokenize(t)) for t in TEXTS]
    adapted = text_vectorizer(max_tokens=100)
    adapted.adapt(TEXTS)
    # same words, same counts; only ties are ordered the other way round
    assert sorted(adapted.get_vocabulary()[2:]) == sorted(vocab.words)
    with pytest.raises(ValueError, match="either"):
        text_vectorizer(vocab, max_tokens=10)


def test_a_model_with_the_vectorizer_saves_and_loads(tmp_path):
    import keras

    vocab = Vocabulary.build(TEXTS, size=30)
    inputs = keras.Input(shape=(), dtype="string")
    outputs = keras.layers.Embedding(vocab.size, 2, mask_zero=True)(text_vectorizer(vocab)(inputs))
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(outputs))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"tf_lower": tf_lower, "tf_split": tf_split})
    x = np.array(TEXTS[:3])
    assert np.allclose(model(x), loaded(x))


def test_vectorize_equals_the_hand_written_encoding():
    """The loaders' path (TextVectorization) gives Vocabulary.encode's ids, odd texts included."""
    vocab = Vocabulary.build(TEXTS + ["a great film", "a film"], size=8)
    for max_len in (1, 3, 12):
        got = preprocessing.vectorize(vocab, TEXTS, max_len)
        assert got.dtype == np.int32 and got.shape == (len(TEXTS), max_len)
        np.testing.assert_array_equal(got, vocab.encode(TEXTS, max_len))
    assert preprocessing.vectorize(vocab, [], 4).shape == (0, 4)
    with pytest.raises(ValueError, match="max_len"):
        preprocessing.vectorize(vocab, TEXTS, 0)


def test_vectorize_leaves_the_automatic_layer_names_alone():
    """A model built after loading the data gets the layer names it would get without it."""
    import keras
    from keras import layers

    keras.backend.clear_session()
    preprocessing.vectorize(Vocabulary.build(["a b"], size=4), ["a b"], 2)
    assert layers.TextVectorization().name == "text_vectorization"


def test_load_sentiment_ids_are_the_vocabularys():
    """Every review of the real corpus, at two vocabulary sizes and three lengths."""
    from lstm_course import data

    for size in (10_000, 500):
        loaded = data.load_sentiment(vocab_size=size)
        train, test = loaded.split.train["text"], loaded.split.test["text"]
        np.testing.assert_array_equal(loaded.x_train, loaded.vocab.encode(train, 40))
        np.testing.assert_array_equal(loaded.x_test, loaded.vocab.encode(test, 40))
        for max_len in (3, 80):
            arrays = data.sentiment_arrays(loaded, max_len=max_len)
            np.testing.assert_array_equal(arrays.x_test, loaded.vocab.encode(test, max_len))
