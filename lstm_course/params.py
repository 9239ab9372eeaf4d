"""Parameter counts of Keras layers, by formula.

Each function returns what ``layer.count_params()`` reports for the layer
described, so a notebook can derive a model summary's numbers by hand and
check them. ``d`` is the number of input features per time step, ``h`` the
number of units.
"""

from __future__ import annotations


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
