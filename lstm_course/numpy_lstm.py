"""The LSTM cell (and the GRU) in NumPy, computed from the weights of a Keras layer.

``keras.layers.LSTM(h).get_weights()`` returns three arrays:

* ``kernel`` of shape ``(d, 4h)``, applied to the input ``x_t``;
* ``recurrent_kernel`` of shape ``(h, 4h)``, applied to the previous hidden state;
* ``bias`` of shape ``(4h,)``.

Their ``4h`` columns hold four blocks of ``h`` columns, in the order
**i, f, c, o**: input gate, forget gate, candidate cell values (often written
g or c-tilde) and output gate. One step of the cell is::

    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias      # (batch, 4h)
    i = sigmoid(z[:, 0h:1h])        input gate
    f = sigmoid(z[:, 1h:2h])        forget gate
    g = tanh(z[:, 2h:3h])           candidate
    o = sigmoid(z[:, 3h:4h])        output gate
    c_t = f * c_{t-1} + i * g       new cell state
    h_t = o * tanh(c_t)             new hidden state

:func:`lstm_forward` runs this over a sequence and reproduces the layer's
outputs; with ``return_gates=True`` it also returns every gate's activation
at every step, which Keras does not expose. :func:`memory_view` renames the
same quantities in the learn / forget / remember / use vocabulary.
:func:`input_sensitivity` measures how much the final state depends on each
input step, and :func:`gru_forward` does for ``keras.layers.GRU`` what
:func:`lstm_forward` does for the LSTM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from lstm_course.numpy_rnn import single_threaded

GATE_ORDER: tuple[str, ...] = ("i", "f", "c", "o")
"""Order of the four blocks in the kernel's columns, as Keras stores them."""

GATE_NAMES: dict[str, str] = {"i": "input", "f": "forget", "c": "candidate", "o": "output"}
"""Block letter -> the key under which :func:`lstm_forward` returns the activations."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``.

    Computed as ``(1 + tanh(z / 2)) / 2``, the same function written in a form
    that cannot overflow for large ``|z|``.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def _weights_list(source: Any) -> list[np.ndarray]:
    """Arrays from a Keras layer (``get_weights()``) or from a sequence of arrays."""
    if hasattr(source, "get_weights"):
        source = source.get_weights()
    return [np.asarray(w, dtype=np.float64) for w in source]


@dataclass(frozen=True)
class LSTMWeights:
    """The three weight arrays of a Keras LSTM layer (float64 copies)."""

    kernel: np.ndarray  # (d, 4h)
    recurrent_kernel: np.ndarray  # (h, 4h)
    bias: np.ndarray  # (4h,)

    def __post_init__(self) -> None:
        d, four_h = self.kernel.shape
        if four_h % 4 or self.recurrent_kernel.shape != (four_h // 4, four_h):
            raise ValueError(
                f"kernel {self.kernel.shape} and recurrent kernel {self.recurrent_kernel.shape} "
                "do not describe an LSTM: expected (d, 4h) and (h, 4h)")
        if self.bias.shape != (four_h,):
            raise ValueError(f"bias has shape {self.bias.shape}, expected ({four_h},)")

    @classmethod
    def from_keras(cls, source: Any) -> "LSTMWeights":
        """From a ``keras.layers.LSTM`` (or its ``get_weights()`` list: kernel, recurrent kernel, bias).

        A layer built with ``use_bias=False`` has no bias array; zeros are used.
        """
        arrays = _weights_list(source)
        if len(arrays) == 2:
            arrays.append(np.zeros(arrays[0].shape[1]))
        if len(arrays) != 3:
            raise ValueError(f"an LSTM has 3 weight arrays (kernel, recurrent kernel, bias), got {len(arrays)}")
        return cls(*arrays)

    @property
    def units(self) -> int:
        return int(self.recurrent_kernel.shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.kernel.shape[0])

    def block(self, gate: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(W, U, b)`` of one gate: its input kernel ``(d, h)``, recurrent kernel
        ``(h, h)`` and bias ``(h,)``. ``gate`` is ``"i"``, ``"f"``, ``"c"`` or ``"o"``."""
        k = GATE_ORDER.index(gate)
        cols = slice(k * self.units, (k + 1) * self.units)
        return self.kernel[:, cols], self.recurrent_kernel[:, cols], self.bias[cols]


@dataclass(frozen=True)
class Peepholes:
    """Diagonal peephole weights (Gers & Schmidhuber): the gates also see the cell state.

    ``i`` and ``f`` read the previous cell state ``c_{t-1}``, ``o`` reads the
    new one ``c_t``; each is a vector of ``h`` weights (an elementwise product).
    """

    i: np.ndarray
    f: np.ndarray
    o: np.ndarray


@dataclass
class LSTMOutputs:
    """Result of :func:`lstm_forward`."""

    sequence: np.ndarray  # (batch, T, h) every hidden state (return_sequences=True)
    h: np.ndarray  # (batch, h) final hidden state
    c: np.ndarray  # (batch, h) final cell state
    cells: np.ndarray  # (batch, T, h) every cell state
    gates: dict[str, np.ndarray] | None  # "input", "forget", "candidate", "output": (batch, T, h)
    c0: np.ndarray  # (batch, h) the initial cell state


def _as_batch(x: np.ndarray, d: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, time, features), got {x.shape}")
    if x.shape[2] != d:
        raise ValueError(f"x has {x.shape[2]} features, the weights expect {d}")
    return x


def _initial(state: np.ndarray | None, batch: int, units: int) -> np.ndarray:
    if state is None:
        return np.zeros((batch, units))
    state = np.asarray(state, dtype=np.float64)
    return np.broadcast_to(state, (batch, units)).copy()


def lstm_step(
    x_t: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    weights: LSTMWeights,
    peepholes: Peepholes | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One step of the cell: returns the new ``h``, the new ``c`` and the four gate activations."""
    n = weights.units
    z = x_t @ weights.kernel + h @ weights.recurrent_kernel + weights.bias
    z_i, z_f, z_c, z_o = (z[:, k * n:(k + 1) * n] for k in range(4))
    if peepholes is not None:
        z_i = z_i + peepholes.i * c
        z_f = z_f + peepholes.f * c
    i, f, g = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c)
    c_new = f * c + i * g
    if peepholes is not None:
        z_o = z_o + peepholes.o * c_new
    o = sigmoid(z_o)
    h_new = o * np.tanh(c_new)
    return h_new, c_new, {"input": i, "forget": f, "candidate": g, "output": o}


@single_threaded
def lstm_forward(
    x: np.ndarray,
    weights: LSTMWeights | Sequence[np.ndarray] | Any,
    initial_state: tuple[np.ndarray, np.ndarray] | None = None,
    return_gates: bool = False,
    peepholes: Peepholes | None = None,
) -> LSTMOutputs:
    """Run an LSTM over ``x`` of shape ``(batch, T, d)``.

    ``weights`` is an :class:`LSTMWeights`, a Keras LSTM layer, or its
    ``get_weights()`` list. ``initial_state`` is ``(h0, c0)`` (zeros if
    omitted), as in ``layer(x, initial_state=[h0, c0])``. The outputs match
    ``keras.layers.LSTM(h, return_sequences=True, return_state=True)``:
    ``sequence``, ``h`` and ``c``; ``gates`` holds the four activations per
    step when ``return_gates`` is true.
    """
    if not isinstance(weights, LSTMWeights):
        weights = LSTMWeights.from_keras(weights)
    x = _as_batch(x, weights.n_inputs)
    batch, steps, _ = x.shape
    n = weights.units
    h0, c0 = (None, None) if initial_state is None else initial_state
    h, c = _initial(h0, batch, n), _initial(c0, batch, n)
    c_start = c.copy()
    sequence = np.zeros((batch, steps, n))
    cells = np.zeros((batch, steps, n))
    gates = {name: np.zeros((batch, steps, n)) for name in GATE_NAMES.values()} if return_gates else None
    for t in range(steps):
        h, c, step_gates = lstm_step(x[:, t], h, c, weights, peepholes)
        sequence[:, t], cells[:, t] = h, c
        if gates is not None:
            for name, value in step_gates.items():
                gates[name][:, t] = value
    return LSTMOutputs(sequence=sequence, h=h, c=c, cells=cells, gates=gates, c0=c_start)


def memory_view(outputs: LSTMOutputs) -> dict[str, np.ndarray]:
    """The same computation in the learn / forget / remember / use vocabulary.

    With the cell state read as long-term memory and the hidden state as
    short-term (working) memory, each entry has shape ``(batch, T, h)``:

    * ``"learn"``: what is written this step, input gate x candidate, ``i * g``;
    * ``"forget"``: what is kept of the old long-term memory, ``f * c_{t-1}``;
    * ``"remember"``: the new long-term memory, ``learn + forget`` = ``c_t``;
    * ``"use"``: the new short-term memory and output, ``o * tanh(c_t)`` = ``h_t``.

    Needs ``outputs`` computed with ``return_gates=True``.
    """
    if outputs.gates is None:
        raise ValueError("run lstm_forward(..., return_gates=True) first")
    previous = np.concatenate([outputs.c0[:, None], outputs.cells[:, :-1]], axis=1)
    g = outputs.gates
    return {
        "learn": g["input"] * g["candidate"],
        "forget": g["forget"] * previous,
        "remember": outputs.cells,
        "use": g["output"] * np.tanh(outputs.cells),
    }


@single_threaded
def input_sensitivity(
    x: np.ndarray,
    weights: LSTMWeights | Sequence[np.ndarray] | Any,
    eps: float = 1e-4,
) -> np.ndarray:
    """How strongly the final hidden state depends on the input at each step.

    Entry ``t`` is the Frobenius norm of the Jacobian ``d h_T / d x_t``
    (``h x d``), estimated by central differences (each feature of ``x_t``
    nudged by ``+-eps``) and averaged over the batch. It is the forward-pass
    view of the vanishing gradient: ``dL/dx_t = dL/dh_T @ dh_T/dx_t``, so an
    input whose Jacobian is tiny receives almost no error signal.

    A nudge at step ``t`` leaves the states before ``t`` unchanged, so each
    nudged run restarts from the stored state at ``t - 1``; the ``2d`` nudged
    copies of the batch run together.
    """
    if not isinstance(weights, LSTMWeights):
        weights = LSTMWeights.from_keras(weights)
    x = _as_batch(x, weights.n_inputs)
    batch, steps, d = x.shape
    base = lstm_forward(x, weights)
    zeros = np.zeros((batch, weights.units))
    squares = np.zeros((batch, steps))
    for t in range(steps):
        h_prev = base.sequence[:, t - 1] if t > 0 else zeros
        c_prev = base.cells[:, t - 1] if t > 0 else zeros
        copies = np.repeat(x[None, :, t:], 2 * d, axis=0)  # (2d, batch, T - t, d)
        for k in range(d):
            copies[2 * k, :, 0, k] += eps
            copies[2 * k + 1, :, 0, k] -= eps
        state = (np.tile(h_prev, (2 * d, 1)), np.tile(c_prev, (2 * d, 1)))
        final = lstm_forward(copies.reshape(2 * d * batch, steps - t, d), weights, state).h
        final = final.reshape(2 * d, batch, weights.units)
        columns = (final[0::2] - final[1::2]) / (2.0 * eps)  # (d, batch, h)
        squares[:, t] = np.sum(columns**2, axis=(0, 2))
    return np.sqrt(squares).mean(axis=0)


# --- the GRU -------------------------------------------------------------------------


@dataclass
class GRUOutputs:
    """Result of :func:`gru_forward`."""

    sequence: np.ndarray  # (batch, T, h)
    h: np.ndarray  # (batch, h)
    gates: dict[str, np.ndarray] | None  # "update", "reset", "candidate": (batch, T, h)


@single_threaded
def gru_forward(
    x: np.ndarray,
    weights: Sequence[np.ndarray] | Any,
    initial_state: np.ndarray | None = None,
    reset_after: bool = True,
    return_gates: bool = False,
) -> GRUOutputs:
    """Run a ``keras.layers.GRU`` over ``x`` from its weights (blocks in the order z, r, h).

    One step (Keras' convention, ``reset_after=True``)::

        z = sigmoid(x W_z + b_z + h U_z + b'_z)              update gate
        r = sigmoid(x W_r + b_r + h U_r + b'_r)              reset gate
        n = tanh(x W_n + b_n + r * (h U_n + b'_n))           candidate
        h = z * h_prev + (1 - z) * n

    With ``reset_after=False`` the reset gate acts before the product,
    ``n = tanh(x W_n + b_n + (r * h) U_n)``, and there is one bias vector.
    """
    arrays = _weights_list(weights)
    kernel, recurrent = arrays[0], arrays[1]
    n = recurrent.shape[0]
    if len(arrays) == 3:
        bias = arrays[2]
    else:
        bias = np.zeros((2, 3 * n)) if reset_after else np.zeros(3 * n)
    if reset_after:
        bias = bias.reshape(2, 3 * n)
        b_in, b_rec = bias[0], bias[1]
    else:
        b_in, b_rec = bias.reshape(3 * n), np.zeros(3 * n)
    x = _as_batch(x, kernel.shape[0])
    batch, steps, _ = x.shape
    h = _initial(initial_state, batch, n)
    sequence = np.zeros((batch, steps, n))
    gates = {k: np.zeros((batch, steps, n)) for k in ("update", "reset", "candidate")} if return_gates else None
    for t in range(steps):
        xz = x[:, t] @ kernel + b_in
        if reset_after:
            inner = h @ recurrent + b_rec
            z = sigmoid(xz[:, :n] + inner[:, :n])
            r = sigmoid(xz[:, n:2 * n] + inner[:, n:2 * n])
            cand = np.tanh(xz[:, 2 * n:] + r * inner[:, 2 * n:])
        else:
            z = sigmoid(xz[:, :n] + h @ recurrent[:, :n])
            r = sigmoid(xz[:, n:2 * n] + h @ recurrent[:, n:2 * n])
            cand = np.tanh(xz[:, 2 * n:] + (r * h) @ recurrent[:, 2 * n:])
        h = z * h + (1.0 - z) * cand
        sequence[:, t] = h
        if gates is not None:
            gates["update"][:, t], gates["reset"][:, t], gates["candidate"][:, t] = z, r, cand
    return GRUOutputs(sequence=sequence, h=h, gates=gates)
