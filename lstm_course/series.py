"""Forecasting a series: the baselines a model must beat, and forecasts many steps ahead.

A forecast *from origin* ``t`` knows the values up to and including ``t`` and
predicts ``t + 1, ..., t + horizon``. Every function here works on a batch of
origins at once, each given by its *history*: the ``window`` values that end at
the origin (:func:`histories`), shape ``(n, window)``. Forecasts have shape
``(n, horizon)``.

* Baselines: :func:`persistence` (the last value, repeated),
  :func:`seasonal_naive` (the value one period earlier) and an autoregression
  whose order is chosen by Akaike's information criterion
  (:func:`fit_autoregression`, on ``statsmodels``' ``AutoReg`` and
  ``ar_select_order``).
* Many steps ahead: :func:`recursive` feeds a one-step forecaster its own
  predictions; a *direct* model predicts all horizons at once and trains on
  :func:`direct_pairs`.
* Scores: :func:`future` (what happened after each origin) and
  :func:`mae_by_horizon`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from lstm_course.preprocessing import windows


def histories(values: np.ndarray, origins: Sequence[int], window: int) -> np.ndarray:
    """The ``window`` values ending at each origin: row ``k`` is
    ``values[origins[k] - window + 1 : origins[k] + 1]``, shape ``(n, window)``."""
    values, origins = np.asarray(values, dtype=np.float64), np.asarray(origins)
    if origins.min() < window - 1 or origins.max() >= len(values):
        raise ValueError(f"origins must lie in [{window - 1}, {len(values) - 1}] for a window of {window}")
    return windows(values, window, step=1)[origins - window + 1]


def future(values: np.ndarray, origins: Sequence[int], horizon: int) -> np.ndarray:
    """What followed each origin: row ``k`` is ``values[origins[k] + 1 : origins[k] + 1 + horizon]``."""
    values, origins = np.asarray(values, dtype=np.float64), np.asarray(origins)
    if origins.min() < -1 or origins.max() + horizon >= len(values):
        raise ValueError(f"origins must lie in [-1, {len(values) - 1 - horizon}] for a horizon of {horizon}")
    return windows(values, horizon, step=1)[origins + 1]


def persistence(history: np.ndarray, horizon: int) -> np.ndarray:
    """Every future value equals the last one seen."""
    return np.repeat(np.asarray(history, dtype=np.float64)[:, -1:], horizon, axis=1)


def seasonal_naive(history: np.ndarray, horizon: int, period: int) -> np.ndarray:
    """Each future value equals the value one ``period`` before it (``horizon <= period``)."""
    history = np.asarray(history, dtype=np.float64)
    if not 1 <= horizon <= period <= history.shape[1]:
        raise ValueError(f"need 1 <= horizon <= period <= window, got {horizon}, {period}, {history.shape[1]}")
    start = history.shape[1] - period
    return history[:, start:start + horizon].copy()


@dataclass(frozen=True)
class AutoRegression:
    """``y[t+1] = const + coefs[0] * y[t] + ... + coefs[order-1] * y[t-order+1]``."""

    order: int
    const: float
    coefs: np.ndarray

    def step(self, history: np.ndarray) -> np.ndarray:
        """One-step forecasts from histories of at least ``order`` values, shape ``(n,)``."""
        recent = np.asarray(history, dtype=np.float64)[:, ::-1][:, :self.order]
        return self.const + recent @ self.coefs


def fit_autoregression(train: np.ndarray, max_order: int) -> AutoRegression:
    """An AR(p) with a constant, least squares on ``train``; ``p`` (1 to ``max_order``)
    is the order with the lowest AIC, compared on the same training years."""
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    train = np.asarray(train, dtype=np.float64)
    lags = ar_select_order(train, maxlag=max_order, ic="aic", trend="c").ar_lags
    order = max(lags) if lags else 1
    params = np.asarray(AutoReg(train, lags=order, trend="c").fit().params)
    return AutoRegression(order, float(params[0]), params[1:])


def recursive(step: Callable[[np.ndarray], np.ndarray], history: np.ndarray, horizon: int) -> np.ndarray:
    """Forecast ``horizon`` steps by feeding a one-step forecaster its own output:
    the window slides one step, the forecast joining its end, ``horizon`` times."""
    window = np.asarray(history, dtype=np.float64).copy()
    out = []
    for _ in range(horizon):
        nxt = np.asarray(step(window), dtype=np.float64).reshape(len(window))
        out.append(nxt)
        window = np.concatenate([window[:, 1:], nxt[:, None]], axis=1)
    return np.stack(out, axis=1)


def direct_pairs(values: np.ndarray, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs for a model that predicts every horizon at once: ``x`` ``(n, window)``,
    each run of ``window`` values, and ``y`` ``(n, horizon)``, the ``horizon`` values after it."""
    cut = windows(np.asarray(values, dtype=np.float64), window + horizon, step=1)
    return cut[:, :window], cut[:, window:]


def mae_by_horizon(forecast: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Mean absolute error over the origins, one value per horizon, shape ``(horizon,)``."""
    return np.mean(np.abs(np.asarray(forecast) - np.asarray(actual)), axis=0)
