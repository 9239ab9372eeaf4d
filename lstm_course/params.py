"""Parameter counts of Keras layers, by formula.

Each function returns what ``layer.count_params()`` reports for the layer
described, so a notebook can derive a model summary's numbers by hand and
check them. ``d`` is the number of input features per time step, ``h`` the
number of units.

The functions of the last section count a layer that Keras has built:
:func:`count_built`, :func:`weight_shapes` and :func:`params_by_group`.
"""

from __future__ import annotations

from typing import Any


def dense_params(d: int, units: int, bias: bool = True) -> int:
    """Dense: a weight per (input, unit) pair plus a bias per unit."""
    return d * units + (units if bias else 0)


def embedding_params(vocab_size: int, dim: int) -> int:
    """Embedding: one ``dim``-vector per vocabulary entry (a lookup table)."""
    return vocab_size * dim


def simple_rnn_params(d: int, h: int) -> int:
    """SimpleRNN: input kernel ``d*h``, recurrent kernel ``h*h``, bias ``h``."""
    return h * (d + h) + h


def lstm_params(d: int, h: int) -> int:
    """LSTM: four SimpleRNN-sized blocks (input, forget, candidate, output)."""
    return 4 * simple_rnn_params(d, h)


def gru_params(d: int, h: int, reset_after: bool = True) -> int:
    """GRU: three blocks (update, reset, candidate).

    Keras' default ``reset_after=True`` keeps a second bias vector for the
    recurrent kernel (the cuDNN formulation), hence ``3 * 2h`` biases.
    """
    biases = 2 * h if reset_after else h
    return 3 * (h * (d + h) + biases)


def bidirectional_params(one_direction: int) -> int:
    """Bidirectional: two independent copies of the wrapped layer."""
    return 2 * one_direction


# ------------------------------------------------- counting built layers


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
    "Dense": "dense",
}


def params_by_group(model: Any) -> dict[str, int]:
    """A model's parameters split into ``embedding``, ``recurrent``, ``dense``
    and ``other`` (every group present, possibly 0).

    ``TimeDistributed`` counts as the layer it wraps; layers without weights
    (dropout, pooling, ``Add``...) contribute nothing.
    """
    from lstm_course.checks.introspection import unwrap

    totals = {"embedding": 0, "recurrent": 0, "dense": 0, "other": 0}
    for layer in model.layers:
        group = _GROUPS.get(type(unwrap(layer)).__name__, "other")
        totals[group] += int(layer.count_params())
    return totals
