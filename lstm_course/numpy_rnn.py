"""A plain (tanh) recurrent network in NumPy, with backpropagation through time.

The network reads a batch of sequences ``x`` of shape ``(batch, T, d)`` and
keeps a hidden state of ``h`` units::

    h_t = tanh(x_t @ w_x + h_{t-1} @ w_h + b)        t = 1 .. T,  h_0 = 0
    y   = h_T @ w_y + b_y                             (a linear readout)
    L   = mean((y - target) ** 2)

The weight layout follows Keras (``x @ kernel``, ``h @ recurrent_kernel``), so
``w_x``, ``w_h`` and ``b`` are what ``keras.layers.SimpleRNN.get_weights()``
returns. Everything is computed in float64, which makes finite-difference
checks of the gradients precise.

Besides the forward and backward passes the module holds what the chapter on
vanishing gradients needs: the Jacobians ``dh_t / dh_{t-1}`` and the norms of
their products, the largest singular value and the spectral radius of the
recurrent matrix, gradient clipping by global norm, and a small SGD loop that
records gradient and step sizes.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, fields
from typing import Callable, Iterator, ParamSpec, TypeVar

import numpy as np

from lstm_course.notebook import seeded

PARAM_NAMES: tuple[str, ...] = ("w_x", "w_h", "b", "w_y", "b_y")

_P = ParamSpec("_P")
_R = TypeVar("_R")
_blas_depth = 0


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run NumPy's matrix products on one thread inside the block.

    The networks of the course multiply small matrices thousands of times. A
    multi-threaded BLAS gains nothing on such sizes and, on a busy machine,
    loses a lot waiting for its threads (measured: 30x slower with two threads
    competing for two loaded cores). One thread is also reproducible: results
    do not depend on the number of cores. Nested uses cost nothing.
    """
    global _blas_depth
    if _blas_depth:
        _blas_depth += 1
        try:
            yield
        finally:
            _blas_depth -= 1
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        limits: contextlib.AbstractContextManager = contextlib.nullcontext()
    else:
        limits = threadpool_limits(limits=1, user_api="blas")
    _blas_depth += 1
    try:
        with limits:
            yield
    finally:
        _blas_depth -= 1


def single_threaded(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: run ``func`` inside :func:`single_threaded_blas`."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with single_threaded_blas():
            return func(*args, **kwargs)

    return wrapper


@dataclass
class RNNParams:
    """Weights of the network (or gradients with the same layout)."""

    w_x: np.ndarray  # (d, h)  input kernel
    w_h: np.ndarray  # (h, h)  recurrent kernel
    b: np.ndarray  # (h,)    hidden bias
    w_y: np.ndarray  # (h, k)  readout kernel
    b_y: np.ndarray  # (k,)    readout bias

    def items(self) -> Iterator[tuple[str, np.ndarray]]:
        """``(name, array)`` pairs in the order of :data:`PARAM_NAMES`."""
        for f in fields(self):
            yield f.name, getattr(self, f.name)

    def copy(self) -> "RNNParams":
        return RNNParams(**{name: value.copy() for name, value in self.items()})

    def zeros_like(self) -> "RNNParams":
        return RNNParams(**{name: np.zeros_like(value) for name, value in self.items()})

    def scaled(self, factor: float) -> "RNNParams":
        return RNNParams(**{name: factor * value for name, value in self.items()})

    def norm(self) -> float:
        """Euclidean norm of all arrays taken together (the "global" norm)."""
        return float(np.sqrt(sum(np.sum(value**2) for _, value in self.items())))

    @property
    def n_hidden(self) -> int:
        return int(self.w_h.shape[0])

    def count(self) -> int:
        """Number of parameters (equals a Keras SimpleRNN + Dense of the same sizes)."""
        return int(sum(value.size for _, value in self.items()))


def orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal ``n x n`` matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def init_rnn(
    n_inputs: int,
    n_hidden: int,
    n_outputs: int = 1,
    recurrent_scale: float = 1.0,
    seed: int = 0,
) -> RNNParams:
    """Random weights with a recurrent matrix ``recurrent_scale * Q`` (``Q`` orthogonal).

    Every singular value of ``w_h``, hence also its largest singular value and
    its spectral radius, equals ``recurrent_scale``: one knob that moves the
    network from vanishing (< 1) to exploding (> 1) gradients. Input and readout
    kernels are Gaussian with variance ``1 / fan_in``; biases start at zero.
    """
    if min(n_inputs, n_hidden, n_outputs) < 1:
        raise ValueError("layer sizes must be positive")
    rng = np.random.default_rng(seeded(seed))
    return RNNParams(
        w_x=rng.normal(0.0, 1.0 / np.sqrt(n_inputs), size=(n_inputs, n_hidden)),
        w_h=recurrent_scale * orthogonal(n_hidden, rng),
        b=np.zeros(n_hidden),
        w_y=rng.normal(0.0, 1.0 / np.sqrt(n_hidden), size=(n_hidden, n_outputs)),
        b_y=np.zeros(n_outputs),
    )


@dataclass
class RNNTrace:
    """What the forward pass keeps for the backward pass."""

    x: np.ndarray  # (batch, T, d) the inputs, float64
    h: np.ndarray  # (batch, T + 1, h) hidden states; h[:, 0] is the initial state
    y: np.ndarray  # (batch, k) the readout of the last hidden state

    @property
    def states(self) -> np.ndarray:
        """Hidden states after each step, ``(batch, T, h)`` (what Keras returns
        with ``return_sequences=True``)."""
        return self.h[:, 1:]


def _as_batch(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, time, features), got {x.shape}")
    return x


@single_threaded
def rnn_forward(params: RNNParams, x: np.ndarray, h0: np.ndarray | None = None) -> RNNTrace:
    """Run the network over ``x`` (``(batch, T, d)``) and read out the last state."""
    x = _as_batch(x)
    batch, steps, d = x.shape
    if d != params.w_x.shape[0]:
        raise ValueError(f"x has {d} features, the network expects {params.w_x.shape[0]}")
    h = np.zeros((batch, steps + 1, params.n_hidden))
    if h0 is not None:
        h[:, 0] = h0
    for t in range(steps):
        h[:, t + 1] = np.tanh(x[:, t] @ params.w_x + h[:, t] @ params.w_h + params.b)
    y = h[:, -1] @ params.w_y + params.b_y
    return RNNTrace(x=x, h=h, y=y)


def mse(prediction: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error over every entry (Keras' ``"mse"`` for one output)."""
    return float(np.mean((np.asarray(prediction) - np.asarray(target)) ** 2))


@dataclass
class RNNGradients:
    """Result of :func:`rnn_backward`."""

    loss: float
    params: RNNParams  # dL/dparameter, same layout as the weights
    hidden: np.ndarray  # (batch, T, h): dL/dh_t for t = 1 .. T
    inputs: np.ndarray  # (batch, T, d): dL/dx_t


@single_threaded
def rnn_backward(params: RNNParams, trace: RNNTrace, target: np.ndarray) -> RNNGradients:
    """Backpropagation through time for the loss ``mse(trace.y, target)``.

    The error enters at the last state through the readout and is passed back
    one step at a time: ``dL/dh_{t-1} = ((1 - h_t**2) * dL/dh_t) @ w_h.T``.
    The weight gradients are sums over the time steps, because the same
    weights act at every step.
    """
    target = np.asarray(target, dtype=np.float64).reshape(trace.y.shape)
    batch, steps, _ = trace.x.shape
    grads = params.zeros_like()
    d_y = 2.0 * (trace.y - target) / target.size  # dL/dy
    grads.w_y = trace.h[:, -1].T @ d_y
    grads.b_y = d_y.sum(axis=0)
    d_hidden = np.zeros((batch, steps, params.n_hidden))
    d_inputs = np.zeros_like(trace.x)
    d_h = d_y @ params.w_y.T  # dL/dh_T
    for t in range(steps - 1, -1, -1):
        d_hidden[:, t] = d_h
        d_pre = d_h * (1.0 - trace.h[:, t + 1] ** 2)  # through tanh
        grads.w_x += trace.x[:, t].T @ d_pre
        grads.w_h += trace.h[:, t].T @ d_pre
        grads.b += d_pre.sum(axis=0)
        d_inputs[:, t] = d_pre @ params.w_x.T
        d_h = d_pre @ params.w_h.T  # dL/dh_{t-1}
    return RNNGradients(loss=mse(trace.y, target), params=grads, hidden=d_hidden, inputs=d_inputs)


@single_threaded
def loss_and_gradients(params: RNNParams, x: np.ndarray, target: np.ndarray) -> RNNGradients:
    """Forward pass, then backpropagation through time."""
    return rnn_backward(params, rnn_forward(params, x), target)


@single_threaded
def numerical_gradients(
    params: RNNParams, x: np.ndarray, target: np.ndarray, eps: float = 1e-6
) -> RNNParams:
    """Central finite differences ``(L(w + eps) - L(w - eps)) / (2 eps)`` for every weight.

    Slow (two forward passes per weight): use it on small networks only.
    """
    grads = params.zeros_like()
    for name, value in params.items():
        out = getattr(grads, name)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + eps
            plus = mse(rnn_forward(params, x).y, target)
            value[index] = saved - eps
            minus = mse(rnn_forward(params, x).y, target)
            value[index] = saved
            out[index] = (plus - minus) / (2.0 * eps)
    return grads


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(|a| + |b|)``: near 1e-16 for equal arrays, near 1 for unrelated ones."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = float(np.max(np.abs(a) + np.abs(b)))
    return float(np.max(np.abs(a - b)) / scale) if scale > 0 else 0.0


@single_threaded
def gradient_check(
    params: RNNParams, x: np.ndarray, target: np.ndarray, eps: float = 1e-6
) -> dict[str, float]:
    """Relative error between backpropagation and finite differences, per weight array."""
    analytic = loss_and_gradients(params, x, target).params
    numeric = numerical_gradients(params, x, target, eps)
    return {name: relative_error(getattr(analytic, name), getattr(numeric, name)) for name in PARAM_NAMES}


# --- the product-of-Jacobians argument -------------------------------------------------


def largest_singular_value(matrix: np.ndarray) -> float:
    """The spectral norm ``||W||_2``: the most any vector can be stretched by ``W``."""
    return float(np.linalg.norm(matrix, ord=2))


def spectral_radius(matrix: np.ndarray) -> float:
    """The largest absolute eigenvalue: the growth rate of ``||W^k v||`` for large ``k``."""
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def step_jacobians(params: RNNParams, trace: RNNTrace, example: int = 0) -> np.ndarray:
    """``J[t] = dh_{t+1} / dh_t = diag(1 - h_{t+1}**2) @ w_h.T`` for one example.

    Shape ``(T, h, h)``; entry ``[t, i, j]`` is the derivative of unit ``i`` of
    ``h_{t+1}`` with respect to unit ``j`` of ``h_t``.
    """
    derivative = 1.0 - trace.h[example, 1:] ** 2  # (T, h)
    return derivative[:, :, None] * params.w_h.T[None, :, :]


@single_threaded
def jacobian_product_norms(params: RNNParams, trace: RNNTrace, example: int = 0) -> np.ndarray:
    """``||dh_T / dh_{T-k}||_2`` for ``k = 0 .. T-1`` (spectral norms of Jacobian products).

    Entry ``k`` is the norm of a product of ``k`` step Jacobians: it bounds how
    much a change of the state ``k`` steps before the end can move the final
    state. ``k = 0`` gives the identity (norm 1).
    """
    jac = step_jacobians(params, trace, example)
    steps, n, _ = jac.shape
    product = np.eye(n)
    norms = np.empty(steps)
    for k in range(steps):
        norms[k] = largest_singular_value(product)
        product = product @ jac[steps - 1 - k]
    return norms


# --- exploding gradients: clipping and training ---------------------------------------


def clip_by_global_norm(grads: RNNParams, max_norm: float) -> tuple[RNNParams, float]:
    """Rescale all gradients together so that their global norm is at most ``max_norm``.

    The direction is kept, only the length changes (Pascanu et al., 2013).
    Returns the clipped gradients and the norm before clipping.
    """
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    norm = grads.norm()
    if norm <= max_norm:
        return grads, norm
    return grads.scaled(max_norm / norm), norm


@dataclass
class TrainLog:
    """Per-step records of :func:`train_sgd`."""

    loss: np.ndarray  # loss on the minibatch before the step
    grad_norm: np.ndarray  # global norm of the raw gradient
    step_norm: np.ndarray  # global norm of the actual change of the weights


@single_threaded
def train_sgd(
    params: RNNParams,
    x: np.ndarray,
    target: np.ndarray,
    learning_rate: float,
    steps: int,
    batch_size: int = 32,
    clip_norm: float | None = None,
    seed: int = 0,
) -> tuple[RNNParams, TrainLog]:
    """Plain minibatch SGD, optionally with gradient clipping by global norm.

    Works on a copy of ``params``; minibatches are drawn with ``seed``. A run
    that overflows stops early (the log then ends with ``inf``/``nan``).
    """
    params = params.copy()
    rng = np.random.default_rng(seeded(seed))
    target = np.asarray(target, dtype=np.float64).reshape(len(x), -1)
    losses, grad_norms, step_norms = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            rows = rng.choice(len(x), size=batch_size, replace=False)
            result = loss_and_gradients(params, x[rows], target[rows])
            grads = result.params
            norm = grads.norm()
            if clip_norm is not None:
                grads, _ = clip_by_global_norm(grads, clip_norm)
            update = grads.scaled(-learning_rate)
            losses.append(result.loss)
            grad_norms.append(norm)
            step_norms.append(update.norm())
            if not np.isfinite(result.loss) or not np.isfinite(norm):
                break
            for name, value in params.items():
                value += getattr(update, name)
    log = TrainLog(np.asarray(losses), np.asarray(grad_norms), np.asarray(step_norms))
    return params, log


@single_threaded
def evaluate(params: RNNParams, x: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error of the network on ``(x, target)`` (``inf`` if it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        value = mse(rnn_forward(params, x).y, np.asarray(target).reshape(len(x), -1))
    return value if np.isfinite(value) else float("inf")

