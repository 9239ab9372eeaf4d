"""Keras builders for the reference architectures that chapters share.

Chapters build them to show their summaries (nbval compares them), to derive
their parameter counts by formula, and to train them. Each builder takes the
sizes that depend on the data as arguments; the defaults are those of the
course projects the architectures come from (see the references of chapters
4 and 8).

* :func:`sentiment_lstm`: Embedding -> LSTM -> Dense(1), the review
  classifier of the sentiment chapters, with optional dropout;
* :func:`stacked_bidirectional_sentiment`: the same with two stacked
  bidirectional LSTMs;
* :func:`multivariate_lstm_classifier`: an LSTM over 13 features with a small
  dense head;
* :func:`bilstm_tagger`: a bidirectional LSTM tagger (one tag per token);
* :func:`residual_bilstm_classifier`: two BiLSTM layers followed by two
  residual Dense blocks;
* :func:`dense_stack`: an LSTM encoder under a plain or residual stack of
  Dense blocks (the depth experiment of chapter 9);
* :func:`transformer_encoder`: a small Transformer encoder with one output,
  on word indices or on feature vectors, the non-recurrent model the LSTM is
  measured against (with :func:`transformer_params`, its count by formula).

Also here: the baseline every sentiment model is compared with,
:func:`bag_of_words_accuracy` (logistic regression on word counts), and
assignment 4's experiment record, :class:`Experiment`, with the experiments a
student may choose (:data:`EXPERIMENTS`) and the one aspect each may change
(:data:`CHANGES`).

The models that read word indices follow the course's padding convention
(chapter 3): sequences are padded at the end and the embedding masks the
padding (``mask_zero=True``; masking adds no parameters). The one exception is
the residual BiLSTM classifier: its ``GlobalMaxPooling1D`` cannot carry a mask
(Keras drops it with a warning), so that model reads the padding as input.
The Keras model names (``name=``) are those the chapters' stored summaries show.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lstm_course import params

if TYPE_CHECKING:
    from lstm_course.data import SentimentData

# The sentiment LSTM (chapters 10 and 11, the baseline of assignment 4):
# Embedding(10000, 64, mask_zero=True) -> LSTM(128) -> Dense(1), on reviews of 40 words.
VOCAB_SIZE = 10_000
EMBED_DIM = 64
UNITS = 128
MAX_LEN = 40
BASELINE_PARAMS = (params.embedding_params(VOCAB_SIZE, EMBED_DIM) + params.lstm_params(EMBED_DIM, UNITS)
                   + params.dense_params(UNITS, 1))
STACKED_BILSTM_PARAMS = (params.embedding_params(VOCAB_SIZE, EMBED_DIM)
                         + params.bidirectional_params(params.lstm_params(EMBED_DIM, UNITS))
                         + params.bidirectional_params(params.lstm_params(2 * UNITS, UNITS))
                         + params.dense_params(2 * UNITS, 1))


def _sentiment_model(
    recurrent: list[Any], vocab_size: int, embed_dim: int, max_len: int | None, dropout: float, name: str
) -> Any:
    """Input -> masked Embedding -> [SpatialDropout1D] -> ``recurrent`` -> [Dropout] -> Dense(1) logits."""
    import keras
    from keras import layers

    stack: list[Any] = [keras.Input((max_len,), dtype="int32"),
                        layers.Embedding(vocab_size, embed_dim, mask_zero=True)]
    if dropout:
        stack.append(layers.SpatialDropout1D(dropout))
    stack += recurrent
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(1))
    return keras.Sequential(stack, name=name)


def sentiment_lstm(
    vocab_size: int = VOCAB_SIZE,
    embed_dim: int = EMBED_DIM,
    units: int = UNITS,
    *,
    max_len: int | None = None,
    dropout: float = 0.0,
    name: str = "sentiment_lstm",
) -> Any:
    """The sentiment LSTM: Embedding -> LSTM -> Dense(1) (logits), uncompiled.

    :data:`BASELINE_PARAMS` (738,945) parameters with the defaults. ``max_len=None`` reads reviews of
    any length. With ``dropout > 0`` the same rate is used in three places:
    whole embedding channels are dropped (``SpatialDropout1D``), the LSTM
    drops its recurrent connections (``recurrent_dropout``) and the LSTM's
    output is dropped before the classifier (``Dropout``); with ``dropout == 0``
    those layers are left out, so the summary shows only what is used.
    """
    from keras import layers

    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    return _sentiment_model([layers.LSTM(units, recurrent_dropout=dropout)],
                            vocab_size, embed_dim, max_len, dropout, name)


def stacked_bidirectional_sentiment(vocab_size: int = VOCAB_SIZE, embed_dim: int = EMBED_DIM,
                                    units: int = UNITS) -> Any:
    """The stacked bidirectional sentiment model, uncompiled.

    Embedding -> BiLSTM(seq) -> BiLSTM -> Dense(1). :data:`STACKED_BILSTM_PARAMS` (1,232,129)
    parameters with the defaults.
    """
    from keras import layers

    recurrent = [layers.Bidirectional(layers.LSTM(units, return_sequences=True)),
                 layers.Bidirectional(layers.LSTM(units))]
    return _sentiment_model(recurrent, vocab_size, embed_dim, None, 0.0, "sentiment_stacked_bilstm")


def multivariate_lstm_classifier(n_features: int = 13, units: int = 32, hidden: int = 10, n_classes: int = 2) -> Any:
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


def residual_bilstm_classifier(
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
    It trains with :func:`lstm_course.training.exponential_decay`.
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


def dense_stack(
    depth: int,
    residual: bool,
    width: int = 32,
    activation: str = "relu",
    branch_scale: float | None = None,
    input_shape: tuple[int, ...] = (12, 1),
    name: str | None = None,
) -> Any:
    """A small LSTM encoder followed by ``depth`` Dense blocks and a linear output.

    Block ``i`` computes ``f = Dense(width, activation)(h)``; a plain stack
    continues with ``h = f``, a residual one with ``h = h + f`` (layers
    ``block_i`` and ``skip_i``). ``branch_scale`` sets the variance scale of
    the blocks' kernel initialiser (``VarianceScaling``, fan-in; 2.0 is
    ``he_normal``); ``None``
    keeps Keras' default (Glorot uniform). The encoder is named ``encoder``.
    """
    import keras
    from keras import layers

    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    def init() -> Any:
        # A new initialiser per layer: an unseeded Keras initialiser instance
        # returns the same values at every call, which would make all blocks equal.
        return "glorot_uniform" if branch_scale is None else keras.initializers.VarianceScaling(branch_scale)

    inputs = keras.Input(input_shape, name="window")
    h = layers.LSTM(width, name="encoder")(inputs)
    for i in range(1, depth + 1):
        f = layers.Dense(width, activation=activation, kernel_initializer=init(), name=f"block_{i}")(h)
        h = layers.Add(name=f"skip_{i}")([h, f]) if residual else f
    outputs = layers.Dense(1, name="output")(h)
    default = f"{'residual' if residual else 'plain'}_{depth}"
    return keras.Model(inputs, outputs, name=name or default)


# ----------------------------------------------- a small Transformer


@functools.cache
def _position_embedding() -> type:
    """The ``PositionEmbedding`` layer class (made on first use: Keras is imported lazily)."""
    import keras

    @keras.saving.register_keras_serializable(package="lstm_course")
    class PositionEmbedding(keras.layers.Layer):
        """Adds a learned vector per position (``max_len * dim`` weights) to its input; keeps the mask."""

        def __init__(self, max_len: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.max_len = max_len
            self.supports_masking = True

        def build(self, input_shape: tuple[int | None, ...]) -> None:
            self.positions = self.add_weight(shape=(self.max_len, input_shape[-1]), name="positions",
                                             initializer=keras.initializers.RandomUniform(-0.05, 0.05))

        def call(self, x: Any) -> Any:
            return x + self.positions[None, : keras.ops.shape(x)[1]]

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "max_len": self.max_len}

    return PositionEmbedding


def transformer_encoder(
    max_len: int,
    *,
    vocab_size: int | None = None,
    n_features: int | None = None,
    dim: int = 32,
    heads: int = 2,
    ff_dim: int = 64,
    blocks: int = 1,
    name: str = "transformer",
) -> Any:
    """A small Transformer encoder (Vaswani et al., 2017) with one linear output, uncompiled.

    Give ``vocab_size`` for word indices (an ``Embedding`` with
    ``mask_zero=True``, so padding is ignored as in the LSTM) or
    ``n_features`` for vectors of features (a ``Dense(dim)`` projection).
    A learned position vector is added to each step (``PositionEmbedding``,
    named ``positions``); then ``blocks`` encoder blocks, each
    ``x = LayerNorm(x + MultiHeadAttention(x, x))`` and
    ``x = LayerNorm(x + Dense(dim)(Dense(ff_dim, relu)(x)))`` (the original
    post-norm order), ``heads`` heads of ``dim // heads`` dimensions each. The
    steps are averaged (padding excluded) and ``Dense(1)`` gives a logit or a
    value. :func:`transformer_params` counts its parameters.
    """
    import keras
    from keras import layers

    if (vocab_size is None) == (n_features is None):
        raise ValueError("give exactly one of vocab_size (word indices) and n_features (feature vectors)")
    if dim % heads:
        raise ValueError(f"dim ({dim}) must be a multiple of heads ({heads})")
    if vocab_size is not None:
        inputs = keras.Input((max_len,), dtype="int32", name="words")
        x = layers.Embedding(vocab_size, dim, mask_zero=True, name="embedding")(inputs)
    else:
        inputs = keras.Input((max_len, n_features), name="features")
        x = layers.Dense(dim, name="projection")(inputs)
    x = _position_embedding()(max_len, name="positions")(x)
    for i in range(1, blocks + 1):
        attended = layers.MultiHeadAttention(heads, dim // heads, name=f"attention_{i}")(x, x)
        x = layers.LayerNormalization(name=f"norm_{i}a")(layers.Add(name=f"skip_{i}a")([x, attended]))
        hidden = layers.Dense(ff_dim, activation="relu", name=f"feed_forward_{i}")(x)
        x = layers.Add(name=f"skip_{i}b")([x, layers.Dense(dim, name=f"feed_back_{i}")(hidden)])
        x = layers.LayerNormalization(name=f"norm_{i}b")(x)
    x = layers.GlobalAveragePooling1D(name="average")(x)
    return keras.Model(inputs, layers.Dense(1, name="output")(x), name=name)


def transformer_params(max_len: int, inputs: int, dim: int = 32, ff_dim: int = 64, blocks: int = 1,
                       *, tokens: bool = True) -> int:
    """Parameters of :func:`transformer_encoder`, by formula.

    ``inputs`` is the vocabulary size (``tokens=True``) or the number of
    features (``tokens=False``). Each block holds the attention's four
    ``dim x dim`` projections with biases (query, key, value, output; the
    heads split ``dim``, so their number does not matter), two layer norms
    (a scale and a shift per feature) and the feed-forward pair.
    """
    entry = params.embedding_params(inputs, dim) if tokens else params.dense_params(inputs, dim)
    block = (4 * params.dense_params(dim, dim) + 2 * 2 * dim
             + params.dense_params(dim, ff_dim) + params.dense_params(ff_dim, dim))
    return entry + max_len * dim + blocks * block + params.dense_params(dim, 1)


# ------------------------------------------------------------- baselines


def bag_of_words_accuracy(data: SentimentData, C: float = 1.0) -> float:
    """Test accuracy of logistic regression on word counts (unigrams and bigrams).

    The simple baseline every sentiment model in the course is compared with;
    it sees the same training reviews and the same tokenizer.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from lstm_course.preprocessing import tokenize

    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=(1, 2), min_df=2)
    train = vectorizer.fit_transform(data.split.train["text"])
    test = vectorizer.transform(data.split.test["text"])
    model = LogisticRegression(C=C, max_iter=2_000)
    # One BLAS thread: the problem is small, and spinning threads cost seconds
    # on a busy 2-core machine without changing the result.
    with threadpool_limits(limits=1):
        model.fit(train, data.y_train)
        return float(model.score(test, data.y_test))


# ------------------------------------- assignment 4's experiment record


#: The experiments a student may choose, and what each one changes.
EXPERIMENTS: dict[str, str] = {
    "stacked_bilstm": "replace the LSTM by two Bidirectional(LSTM(128)) layers, the first with "
    f"return_sequences=True ({STACKED_BILSTM_PARAMS:,} parameters)",
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


@dataclass
class Experiment:
    """One experiment: the model to train, how many word positions it reads,
    and the callbacks to pass to ``model.fit``.

    The baseline is ``Experiment(build_baseline())``: 40 positions, no callbacks.
    """

    model: Any
    max_len: int = MAX_LEN
    callbacks: list[Any] = field(default_factory=list)
