"""Training tools: a learning-rate range test, a schedule, timers and sweeps.

* :class:`LRRangeTest` and :func:`lr_range_test` -- the learning-rate range
  test of Smith (2017): raise the rate exponentially over one pass of
  minibatches and record the loss of every batch;
  :func:`suggest_learning_rate` reads a rate off the resulting curve.
* :class:`Snapshot` -- remember a compiled model's weights and optimizer state
  and put them back, so that every run of a sweep starts from the same point
  (and reuses the compiled training step, which saves seconds per run).
* :class:`EpochTimer` -- wall-clock seconds per epoch; :class:`BatchLosses`
  -- the loss of every minibatch.
* :func:`sweep` -- run one training per hyperparameter value and keep each
  run's history and duration.
* :func:`exponential_decay` -- the learning-rate schedule of the residual
  BiLSTM classifier, ``1e-3 * 0.6 ** epoch``, for
  ``keras.callbacks.LearningRateScheduler``; :func:`scheduled_rates` -- the
  rates any such scheduler sets, epoch by epoch; :func:`fit_in_passes` -- the
  decaying-rate recipe of the small sunspot forecasters.
* probes of a model or a layer: :func:`kept_entries` and
  :func:`drops_whole_channels` (what a dropout layer drops),
  :func:`kernel_gradient_norms` (the gradient reaching each layer's kernel) and
  :func:`binary_accuracy` (accuracy from a logit or a probability).

The models that the hyperparameter chapters train are built in
:mod:`lstm_course.models`.

Unlike the rest of the package this module imports Keras when it is imported:
its callbacks subclass :class:`keras.callbacks.Callback`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Mapping, TypeVar

import keras
import numpy as np

V = TypeVar("V", bound=Hashable)


def exponential_rates(min_lr: float, max_lr: float, steps: int) -> np.ndarray:
    """``steps`` learning rates from ``min_lr`` to ``max_lr``, equally spaced on a log scale."""
    if not 0.0 < min_lr < max_lr:
        raise ValueError(f"need 0 < min_lr < max_lr, got {min_lr} and {max_lr}")
    if steps < 2:
        raise ValueError(f"need at least 2 steps, got {steps}")
    return np.geomspace(min_lr, max_lr, steps)


def smooth(values: Iterable[float], beta: float = 0.9) -> np.ndarray:
    """Exponential moving average with bias correction (as in Adam's moments).

    ``out[t] = avg[t] / (1 - beta**(t+1))`` with ``avg[t] = beta*avg[t-1] +
    (1-beta)*values[t]``, so the first values are not pulled towards zero.
    ``beta=0`` returns the values unchanged.
    """
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    data = np.asarray(list(values), dtype=np.float64)
    out = np.empty_like(data)
    avg = 0.0
    for t, value in enumerate(data):
        avg = beta * avg + (1.0 - beta) * value
        out[t] = avg / (1.0 - beta ** (t + 1))
    return out


class LRRangeTest(keras.callbacks.Callback):
    """Learning-rate range test (Smith 2017) as a Keras callback.

    Before batch ``k`` the optimizer's learning rate is set to the ``k``-th of
    ``steps`` rates spaced exponentially from ``min_lr`` to ``max_lr``; after
    the batch, the rate and that batch's own loss are appended to ``rates``
    and ``losses``. (Keras reports the running mean of the loss over the
    epoch; the callback resets the model's metrics before every batch, so the
    logged value is the loss of the current batch only.)

    Training stops after ``steps`` batches, or earlier once the smoothed loss
    exceeds ``divergence`` times the best smoothed loss seen so far: the rate
    has become too large and the rest of the curve carries no information.
    """

    def __init__(
        self,
        min_lr: float = 1e-5,
        max_lr: float = 1.0,
        steps: int = 100,
        divergence: float = 4.0,
        beta: float = 0.9,
    ) -> None:
        super().__init__()
        self.schedule = exponential_rates(min_lr, max_lr, steps)
        self.divergence = divergence
        self.beta = beta
        self.rates: list[float] = []
        self.losses: list[float] = []
        self._step = 0
        self._avg = 0.0
        self._best = np.inf

    def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
        self.rates, self.losses = [], []
        self._step, self._avg, self._best = 0, 0.0, np.inf

    def on_train_batch_begin(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
        if self._step >= len(self.schedule):
            self.model.stop_training = True
            return
        self.model.optimizer.learning_rate = float(self.schedule[self._step])
        self.model.reset_metrics()

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
        if self._step >= len(self.schedule):
            return
        loss = float((logs or {})["loss"])
        self.rates.append(float(self.schedule[self._step]))
        self.losses.append(loss)
        self._step += 1
        self._avg = self.beta * self._avg + (1.0 - self.beta) * loss
        smoothed = self._avg / (1.0 - self.beta**self._step)
        self._best = min(self._best, smoothed)
        if not np.isfinite(loss) or smoothed > self.divergence * self._best:
            self.model.stop_training = True
        if self._step >= len(self.schedule):
            self.model.stop_training = True


class BatchLosses(keras.callbacks.Callback):
    """Record the loss of every training batch in ``losses`` (not the running epoch mean).

    Keras logs the mean loss since the start of the epoch; resetting the
    model's metrics before each batch makes the logged value that batch's own
    loss, which shows how noisy training is from one update to the next.
    """

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[float] = []

    def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
        self.losses = []

    def on_train_batch_begin(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
        self.model.reset_metrics()

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
        self.losses.append(float((logs or {})["loss"]))


@dataclass(frozen=True)
class RangeTestResult:
    """Rates tried and the loss of the batch trained at each rate."""

    rates: np.ndarray
    losses: np.ndarray

    def smoothed(self, beta: float = 0.9) -> np.ndarray:
        """The losses after :func:`smooth` (what one reads the curve from)."""
        return smooth(self.losses, beta)

    def suggestion(self, beta: float = 0.9, factor: float = 10.0) -> float:
        """See :func:`suggest_learning_rate`."""
        return suggest_learning_rate(self.rates, self.losses, beta, factor)


def suggest_learning_rate(
    rates: Iterable[float], losses: Iterable[float], beta: float = 0.9, factor: float = 10.0
) -> float:
    """A learning rate read off a range test: the rate of the lowest smoothed loss, divided by ``factor``.

    At the minimum the rate is already on the edge of instability; a rate
    about ten times smaller still learns fast and is safely below that edge.
    """
    r = np.asarray(list(rates), dtype=np.float64)
    smoothed = smooth(losses, beta)
    if len(r) != len(smoothed) or len(r) == 0:
        raise ValueError("need one loss per rate, and at least one of each")
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    return float(r[int(np.argmin(finite))] / factor)


def lr_range_test(
    model: Any,
    x: Any,
    y: Any,
    batch_size: int = 32,
    min_lr: float = 1e-5,
    max_lr: float = 1.0,
    divergence: float = 4.0,
) -> RangeTestResult:
    """Run a range test over one shuffled pass of ``(x, y)`` and restore the model afterwards.

    ``model`` must be compiled. The number of steps is the number of full
    minibatches in one pass. Weights and optimizer state are put back as they
    were (see :class:`Snapshot`), so the model can then be trained normally.
    """
    steps = len(x) // batch_size
    if steps < 2:
        raise ValueError(f"need at least two minibatches of {batch_size}, got {len(x)} examples")
    snapshot = Snapshot(model)
    test = LRRangeTest(min_lr, max_lr, steps, divergence)
    n = steps * batch_size
    model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, shuffle=True, verbose=0, callbacks=[test])
    snapshot.restore(model)
    return RangeTestResult(np.asarray(test.rates), np.asarray(test.losses))


class Snapshot:
    """A compiled model's weights and optimizer state, to start several runs from the same point.

    ``Snapshot(model)`` copies the model's weights and its optimizer's
    variables (step counter, learning rate, moment estimates; the optimizer
    is built first if it was not yet). :meth:`restore` writes them all back
    and optionally sets a new learning rate. Because the same model object is
    trained again, Keras reuses its compiled training step instead of tracing
    a new one.
    """

    def __init__(self, model: Any) -> None:
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None:
            raise ValueError("compile the model before taking a snapshot")
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        self.weights = [np.array(w, copy=True) for w in model.get_weights()]
        self.optimizer_state = [np.array(v.numpy(), copy=True) for v in optimizer.variables]

    def restore(self, model: Any, learning_rate: float | None = None) -> None:
        model.set_weights(self.weights)
        for variable, value in zip(model.optimizer.variables, self.optimizer_state):
            variable.assign(value)
        if learning_rate is not None:
            model.optimizer.learning_rate = float(learning_rate)
        model.stop_training = False


class EpochTimer(keras.callbacks.Callback):
    """Record the wall-clock duration of every epoch in ``seconds``.

    The first epoch of a freshly compiled model (or of a new batch size) also
    pays for tracing the training step; compare the later epochs
    (:attr:`steady`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
        self.seconds = []

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)

    @property
    def steady(self) -> float:
        """Seconds of the fastest epoch after the first (of the first, if there is no other).

        The fastest epoch is the one least slowed down by other programs
        running on the same machine.
        """
        later = self.seconds[1:] or self.seconds
        if not later:
            raise ValueError("no epoch has been timed")
        return float(np.min(later))


@dataclass
class Run:
    """One training run of a sweep: its Keras history as arrays, and how long it took."""

    history: dict[str, np.ndarray]
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def last(self, key: str = "val_loss") -> float:
        """The metric after the final epoch."""
        return float(self.history[key][-1])

    def best(self, key: str = "val_loss") -> float:
        """The lowest value of the metric over the epochs."""
        return float(np.min(self.history[key]))


def sweep(values: Iterable[V], run: Callable[[V], Any]) -> dict[V, Run]:
    """Call ``run(value)`` for every value and collect the results.

    ``run`` trains a model and returns what ``model.fit`` returned (a Keras
    ``History``), or a ``(History, extra)`` pair where ``extra`` is a dict of
    anything else worth keeping (a final evaluation, a timer...).
    """
    results: dict[V, Run] = {}
    for value in values:
        start = time.perf_counter()
        out = run(value)
        seconds = time.perf_counter() - start
        history, extra = out if isinstance(out, tuple) else (out, {})
        arrays = {key: np.asarray(vals, dtype=np.float64) for key, vals in history.history.items()}
        results[value] = Run(arrays, seconds, dict(extra))
    return results


def exponential_decay(epoch: int, lr: float | None = None, *, initial: float = 1e-3, factor: float = 0.6) -> float:
    """The learning rate ``initial * factor ** epoch`` (default ``1e-3 * 0.6 ** epoch``).

    Pass it to ``keras.callbacks.LearningRateScheduler``, which calls it with
    the epoch and the current rate; the current rate ``lr`` is ignored, so the
    schedule restarts only if the epoch counter does (see ``initial_epoch``).
    ``initial`` and ``factor`` are keyword-only for that reason.
    """
    return initial * factor**epoch


def fit_in_passes(model: Any, x: np.ndarray, y: np.ndarray, *, epochs: int = 8, passes_per_epoch: int = 10,
                  learning_rate: float = 2e-2, decay: float = 0.7, batch_size: int = 104,
                  validation_data: tuple[np.ndarray, np.ndarray] | None = None) -> Any:
    """Compile ``model`` with Adam and MSE and fit it on a small training set; return the History.

    Each epoch is ``passes_per_epoch`` passes over ``(x, y)`` (the arrays
    repeated): with a few hundred windows, Keras' per-epoch bookkeeping would
    otherwise cost more than the training. The learning rate is
    ``learning_rate * decay ** epoch``. The sunspot forecasters train this way.
    """
    model.compile(keras.optimizers.Adam(learning_rate), "mse")
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: learning_rate * decay**epoch)
    return model.fit(np.concatenate([x] * passes_per_epoch), np.concatenate([y] * passes_per_epoch),
                     batch_size=batch_size, epochs=epochs, validation_data=validation_data, verbose=0,
                     callbacks=[schedule])


# ---------------------------------------------------------------- probes


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


def binary_accuracy(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> float:
    """Fraction of reviews classified correctly, from the model's predictions.

    A probability is thresholded at 0.5, a logit at 0 (the same decision).
    It does not depend on the metric the model was compiled with.
    """
    from lstm_course.checks.introspection import output_is_probability

    scores = np.asarray(model.predict(x, batch_size=batch_size, verbose=0)).reshape(len(x))
    threshold = 0.5 if output_is_probability(model) else 0.0
    return float(np.mean((scores > threshold) == (np.asarray(y) == 1)))


def scheduled_rates(scheduler: Any, epochs: int = 4, initial: float = 1e-3) -> list[float]:
    """The learning rates a ``LearningRateScheduler`` sets in epochs ``0..epochs-1``.

    Calls the schedule as Keras does: ``schedule(epoch, lr)``, or
    ``schedule(epoch)`` if it takes one argument.
    """
    schedule: Callable[..., Any] = scheduler.schedule
    rates, lr = [], initial
    for epoch in range(epochs):
        try:
            lr = schedule(epoch, lr)
        except TypeError:
            lr = schedule(epoch)
        lr = float(lr)
        rates.append(lr)
    return rates
