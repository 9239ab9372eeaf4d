"""Keras builders for the reference models that the chapters take from course projects.

Chapters build them to show their summaries (nbval compares them) and to
derive their parameter counts by formula. Each builder takes the sizes that
depend on the data as arguments; defaults are the projects' own values.

* the sentiment LSTM and the stacked bidirectional sentiment model: sentiment
  classifiers on word indices (LSTM, stacked BiLSTM);
* the 13-feature sequence classifier: an LSTM over 13 features with a small
  dense head;
* the BiLSTM tagger: a bidirectional LSTM tagger (one tag per token);
* the residual BiLSTM classifier: two BiLSTM layers followed by two residual
  Dense blocks.

The models that read word indices follow the course's padding convention
(chapter 6): sequences are padded at the end and the embedding masks the
padding (``mask_zero=True``; masking adds no parameters). The one exception is
the residual BiLSTM classifier: its ``GlobalMaxPooling1D`` cannot carry a mask
(Keras drops it with a warning), so that model reads the padding as input.
"""

from __future__ import annotations

from typing import Any


def sentiment_lstm(vocab_size: int = 10_000, embed_dim: int = 64, units: int = 128) -> Any:
    """The sentiment LSTM: Embedding -> LSTM -> Dense(1) (logits).

    738,945 parameters with the defaults.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.Embedding(vocab_size, embed_dim, mask_zero=True),
            layers.LSTM(units),
            layers.Dense(1),
        ],
        name="sentiment_lstm",
    )


def sentiment_stacked_bilstm(vocab_size: int = 10_000, embed_dim: int = 64, units: int = 128) -> Any:
    """The stacked bidirectional sentiment model.

    Embedding -> BiLSTM(seq) -> BiLSTM -> Dense(1). 1,232,129 parameters with the defaults.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.Embedding(vocab_size, embed_dim, mask_zero=True),
            layers.Bidirectional(layers.LSTM(units, return_sequences=True)),
            layers.Bidirectional(layers.LSTM(units)),
            layers.Dense(1),
        ],
        name="sentiment_stacked_bilstm",
    )


def lstm_feature_classifier(n_features: int = 13, units: int = 32, hidden: int = 10, n_classes: int = 2) -> Any:
    """The 13-feature sequence classifier.

    LSTM(32) over 13 features -> Dense(10, relu) -> Dense(2, softmax): 6,240 parameters.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((None, n_features)),
            layers.LSTM(units),
            layers.Dense(hidden, activation="relu"),
            layers.Dense(n_classes, activation="softmax"),
        ],
        name="lstm_feature_classifier",
    )


def bilstm_tagger(
    max_len: int,
    num_words: int,
    num_tags: int,
    embed_dim: int = 50,
    units: int = 100,
    spatial_dropout: float = 0.1,
    recurrent_dropout: float = 0.1,
) -> Any:
    """The BiLSTM tagger (one tag per token).

    Input -> Embedding -> SpatialDropout1D -> BiLSTM(seq) -> TimeDistributed(Dense softmax).
    """
    import keras
    from keras import layers

    words = keras.Input((max_len,), dtype="int32", name="words")
    x = layers.Embedding(num_words, embed_dim, mask_zero=True)(words)
    x = layers.SpatialDropout1D(spatial_dropout)(x)
    x = layers.Bidirectional(
        layers.LSTM(units, return_sequences=True, recurrent_dropout=recurrent_dropout)
    )(x)
    tags = layers.TimeDistributed(layers.Dense(num_tags, activation="softmax"))(x)
    return keras.Model(words, tags, name="bilstm_tagger")


def residual_bilstm(
    vocab_size: int,
    embed_dim: int = 64,
    units: int = 128,
    dropout: float = 0.25,
    n_outputs: int = 1,
    max_len: int | None = None,
) -> Any:
    """The residual BiLSTM classifier.

    Embedding -> SpatialDropout1D(0.25) -> 2 x BiLSTM(128) -> pooled features
    (4 x 128 = 512) -> two residual Dense(512) blocks (relu, then tanh)
    -> Dense(n_outputs, sigmoid).

    The BiLSTM's per-step outputs (2 x 128) are pooled by global max and global
    average and concatenated, which gives the 4 x 128 = 512 features that the
    Dense(512) blocks add back onto (``h + Dense(h)``): a skip connection needs
    equal widths.

    Its embedding does not mask the padding: ``GlobalMaxPooling1D`` cannot
    carry a mask, so the pooled maximum would include the padded steps anyway.
    """
    import keras
    from keras import layers

    width = 4 * units
    words = keras.Input((max_len,), dtype="int32", name="words")
    x = layers.Embedding(vocab_size, embed_dim)(words)
    x = layers.SpatialDropout1D(dropout)(x)
    x = layers.Bidirectional(layers.LSTM(units, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(units, return_sequences=True))(x)
    h = layers.Concatenate()([layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)])
    h = layers.Add(name="skip_relu")([h, layers.Dense(width, activation="relu")(h)])
    h = layers.Add(name="skip_tanh")([h, layers.Dense(width, activation="tanh")(h)])
    out = layers.Dense(n_outputs, activation="sigmoid")(h)
    return keras.Model(words, out, name="residual_bilstm")


def seed000_learning_rate(epoch: int) -> float:
    """The residual BiLSTM classifier's learning-rate schedule: 1e-3 * 0.6 ** epoch.

    Pass it to keras.callbacks.LearningRateScheduler.
    """
    return 1e-3 * 0.6**epoch
