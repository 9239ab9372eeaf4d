"""Helpers for the chapters on parameter counts, Keras sequence layers and
residual connections.

* numbers for prose: :func:`rounded`;
* counting: :func:`count_built`, :func:`weight_shapes`, :func:`params_by_group`;
* data: :func:`hamlet_char_tagging` (the BiLSTM tagger's task on real text),
  :func:`sunspot_windows` (a small real regression task);
* dropout: :func:`kept_entries`, :func:`drops_whole_channels`;
* residual stacks: :func:`dense_stack`, :func:`kernel_gradient_norms`.

Keras and TensorFlow are imported inside the functions, as in
:mod:`lstm_course.models`, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_course.data import load_hamlet, sliding_windows, word_boundary_tags

# ---------------------------------------------------------------- numbers


def rounded(value: float, digits: int = 4) -> float:
    """``value`` as a Python float rounded to ``digits`` significant digits.

    For ``glue``: a glued value is stored in the notebook and compared by
    nbval, so it should not carry the last, platform-dependent digits of a
    floating-point computation (nor be a NumPy scalar, which Sphinx cannot
    format).
    """
    return float(f"{float(value):.{digits}g}")


# ---------------------------------------------------------------- counting


def count_built(layer: Any, input_shape: tuple[int | None, ...], dtype: str = "float32") -> int:
    """Parameters of ``layer`` once it is built on inputs of ``input_shape``.

    ``input_shape`` excludes the batch axis, as in ``keras.Input``. A layer
    creates its weights only when it first sees an input, because their shapes
    depend on the number of input features; this calls the layer on a symbolic
    input and returns ``layer.count_params()``.
    """
    import keras

    layer(keras.Input(input_shape, dtype=dtype))
    return int(layer.count_params())


def weight_shapes(layer: Any) -> list[tuple[str, tuple[int, ...]]]:
    """``(path, shape)`` of every weight of a built layer, e.g.
    ``("lstm/lstm_cell/kernel", (64, 512))``."""
    return [(w.path, tuple(int(d) for d in w.shape)) for w in layer.weights]


_GROUPS = {
    "Embedding": "embedding",
    "SimpleRNN": "recurrent",
    "LSTM": "recurrent",
    "GRU": "recurrent",
    "Bidirectional": "recurrent",
    "Dense": "dense",
}


def params_by_group(model: Any) -> dict[str, int]:
    """A model's parameters split into ``embedding``, ``recurrent``, ``dense``
    and ``other`` (every group present, possibly 0).

    ``TimeDistributed`` counts as the layer it wraps; layers without weights
    (dropout, pooling, ``Add``...) contribute nothing.
    """
    totals = {"embedding": 0, "recurrent": 0, "dense": 0, "other": 0}
    for layer in model.layers:
        inner = getattr(layer, "layer", layer) if type(layer).__name__ == "TimeDistributed" else layer
        group = _GROUPS.get(type(inner).__name__, "other")
        totals[group] += int(layer.count_params())
    return totals


# -------------------------------------------------------------------- data


@dataclass(frozen=True)
class CharTagging:
    """*Hamlet* without white space, cut into windows, one tag per character.

    ``x[i, t]`` is the index of a character (0 is reserved for padding, the
    characters of ``alphabet`` take 1, 2, ...); ``y[i, t]`` is 1 where a word
    starts and 0 elsewhere (see :func:`lstm_course.data.word_boundary_tags`).
    """

    x: np.ndarray  # (n_windows, max_len) int32
    y: np.ndarray  # (n_windows, max_len) int64
    alphabet: tuple[str, ...]

    @property
    def max_len(self) -> int:
        return int(self.x.shape[1])

    @property
    def num_words(self) -> int:
        """Size of the input vocabulary: the distinct characters plus padding."""
        return len(self.alphabet) + 1

    @property
    def num_tags(self) -> int:
        """Number of distinct tags that occur in the data."""
        return int(np.unique(self.y).size)

    def decode(self, row: np.ndarray) -> str:
        """The characters of one window of indices (padding is skipped)."""
        return "".join(self.alphabet[i - 1] for i in np.asarray(row) if i > 0)


def hamlet_char_tagging(max_len: int = 100) -> CharTagging:
    """Word-boundary tagging on *Hamlet*, in consecutive windows of ``max_len``
    characters (the last, incomplete window is dropped, so there is no padding).

    The windows keep the order of the play: split them by position (e.g. the
    last fifth for validation) to keep training and validation text apart.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be positive, got {max_len}")
    chars, tags = word_boundary_tags(load_hamlet())
    alphabet = tuple(sorted(set(chars)))
    lookup = {c: i + 1 for i, c in enumerate(alphabet)}
    n = len(chars) // max_len
    ids = np.fromiter((lookup[c] for c in chars[: n * max_len]), dtype=np.int32, count=n * max_len)
    return CharTagging(
        x=ids.reshape(n, max_len),
        y=tags[: n * max_len].reshape(n, max_len).astype(np.int64),
        alphabet=alphabet,
    )


def sunspot_windows(length: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Yearly sunspot numbers 1700-2008 (``statsmodels``), standardised, as
    many-to-one pairs: ``x`` of shape ``(n, length, 1)``, the next year ``y``
    of shape ``(n, 1)``. Standardised, so predicting the mean gives an MSE
    close to 1."""
    import statsmodels.api as sm

    series = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(np.float64)
    series = (series - series.mean()) / series.std()
    return sliding_windows(series, length)


# ----------------------------------------------------------------- dropout


def kept_entries(layer: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Boolean array of ``shape``: which entries of an all-ones input a dropout
    layer keeps (non-zero output) when called in training mode."""
    ones = np.ones(shape, dtype=np.float32)
    out = np.asarray(layer(ones, training=True))
    return out != 0


def drops_whole_channels(kept: np.ndarray) -> bool:
    """True if, in every sequence of ``kept`` (``batch, time, channels``), each
    channel is either kept at every time step or dropped at every time step."""
    kept = np.asarray(kept, dtype=bool)
    if kept.ndim != 3:
        raise ValueError(f"expected (batch, time, channels), got shape {kept.shape}")
    return bool(np.all(kept.all(axis=1) | (~kept).all(axis=1)))


# --------------------------------------------------------- residual stacks


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


def kernel_gradient_norms(model: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Norm of the gradient of the mean squared error with respect to each
    layer's input kernel, in the order of ``model.layers``.

    Keys are layer names; only layers with a ``kernel`` (Dense) or a cell with
    one (LSTM, GRU, SimpleRNN) appear. One forward and backward pass on the
    whole of ``x``; deterministic for fixed weights.
    """
    import tensorflow as tf

    kernels: dict[str, Any] = {}
    for layer in model.layers:
        owner = getattr(layer, "cell", layer)
        kernel = getattr(owner, "kernel", None)
        if kernel is not None:
            kernels[layer.name] = kernel
    xs = tf.convert_to_tensor(x, dtype=tf.float32)
    ys = tf.convert_to_tensor(y, dtype=tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(xs, training=False) - ys))
    grads = tape.gradient(loss, list(kernels.values()))
    return {name: float(tf.norm(g)) for name, g in zip(kernels, grads)}

