"""Daily features of a price series, computed from the past only, and the up/down task.

A model that predicts tomorrow from today may only read what was known by
today's close. Every feature of day ``t`` here is a function of the prices of
day ``t`` and earlier; :func:`look_ahead_free` checks that property for any
feature function, by computing it again on the prices cut after each day.

* :func:`daily_features`: ten features per trading day (returns over one, five
  and twenty days, the day's range and where the close lies in it, two volume
  features, gaps to two moving averages, recent volatility), named in
  :data:`FEATURES`;
* :func:`next_day_up`: the label, whether the next day closes higher (it looks
  ahead by definition, and :func:`look_ahead_free` says so);
* :func:`period_windows`: many-to-one windows whose input days *and* target
  day all lie inside one period of a chronological split;
* :func:`binomial_standard_error`: how much an accuracy measured on ``n``
  independent days varies by chance.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from lstm_course.preprocessing import windows

FEATURES = (
    "return", "return_5d", "return_20d", "range", "close_in_range",
    "volume_change", "volume_vs_20d", "gap_ma10", "gap_ma50", "volatility_20d",
)
"""The columns of :func:`daily_features`, in order."""


def daily_features(prices: pd.DataFrame) -> pd.DataFrame:
    """Ten features per trading day from ``High``, ``Low``, ``Close``, ``Adj Close`` and ``Volume``.

    Row ``t`` uses the rows up to and including ``t`` only:

    * ``return``, ``return_5d``, ``return_20d``: log return of the adjusted
      close over the last 1, 5 and 20 trading days;
    * ``range``: ``log(High / Low)``, how far the price moved within the day;
    * ``close_in_range``: where the close lies between the day's low (-0.5)
      and high (0.5); 0 on a day whose high equals its low;
    * ``volume_change``: the change of ``log(Volume)`` from the day before;
    * ``volume_vs_20d``: ``log(Volume)`` minus its mean over the last 20 days;
    * ``gap_ma10``, ``gap_ma50``: log of the adjusted close over its mean of
      the last 10 and 50 days;
    * ``volatility_20d``: standard deviation of the daily log returns of the
      last 20 days.

    The first rows, which lack the history a feature needs (50 days for
    ``gap_ma50``), are NaN. The ``Open`` column is not used.
    """
    close = prices["Adj Close"].astype(np.float64)
    log_close = np.log(close)
    log_volume = np.log(prices["Volume"].astype(np.float64))
    daily = log_close.diff()
    span = prices["High"] - prices["Low"]
    location = ((prices["Close"] - prices["Low"]) / span.where(span > 0)).fillna(0.5) - 0.5
    table = pd.DataFrame({
        "return": daily,
        "return_5d": log_close.diff(5),
        "return_20d": log_close.diff(20),
        "range": np.log(prices["High"] / prices["Low"]),
        "close_in_range": location,
        "volume_change": log_volume.diff(),
        "volume_vs_20d": log_volume - log_volume.rolling(20).mean(),
        "gap_ma10": log_close - np.log(close.rolling(10).mean()),
        "gap_ma50": log_close - np.log(close.rolling(50).mean()),
        "volatility_20d": daily.rolling(20).std(),
    }, index=prices.index)
    return table[list(FEATURES)]


def next_day_up(prices: pd.DataFrame) -> pd.Series:
    """1.0 on a day whose *next* trading day closes higher (adjusted close), else 0.0; NaN on the last day."""
    close = prices["Adj Close"].astype(np.float64)
    up = (close.shift(-1) > close).astype(np.float64)
    up.iloc[-1] = np.nan
    return up.rename("next_day_up")


def look_ahead_free(compute: Callable[[pd.DataFrame], pd.DataFrame | pd.Series], prices: pd.DataFrame,
                    days: Sequence[int]) -> bool:
    """True if, for every position ``t`` in ``days``, row ``t`` of ``compute(prices)`` is
    what ``compute`` gives from the prices up to and including day ``t`` alone.

    A feature that peeks at later rows (a centred moving average, tomorrow's
    return, statistics of the whole series) changes when the future is cut
    off, and fails. NaN equals NaN; values are compared to a relative
    tolerance of 1e-9.
    """
    full = np.asarray(compute(prices), dtype=np.float64)
    for t in days:
        t = int(t) % len(prices)
        past = np.asarray(compute(prices.iloc[:t + 1]), dtype=np.float64)
        if not np.allclose(past[-1], full[t], rtol=1e-9, atol=0.0, equal_nan=True):
            return False
    return True


def period_windows(values: np.ndarray, labels: np.ndarray, start: int, stop: int, length: int,
                   horizon: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Many-to-one windows that lie entirely inside the rows ``start .. stop - 1``.

    A window ending at row ``t`` holds rows ``t - length + 1 .. t`` of
    ``values`` (shape ``(n, features)``, or ``(n,)`` for one feature) and the
    label ``labels[t]``, which is about row ``t + horizon``. A window is kept
    when its first row, its last row *and* its target row ``t + horizon`` lie
    in ``[start, stop)`` and nothing in it is NaN, so no window of one period
    reads or predicts a day of another.

    Returns ``x`` ``(windows, length, features)`` (float32), ``y``
    ``(windows,)`` and ``ends``, the row ``t`` of each window.
    """
    table = np.asarray(values, dtype=np.float32)
    table = table[:, None] if table.ndim == 1 else table
    labels = np.asarray(labels, dtype=np.float32)
    if len(labels) != len(table):
        raise ValueError(f"{len(table)} rows of values but {len(labels)} labels")
    first_end, last_end = start + length - 1, stop - 1 - horizon
    if start < 0 or stop > len(table) or length < 1 or horizon < 0 or last_end < first_end:
        raise ValueError(f"no window of {length} rows (and a target {horizon} ahead) fits in rows "
                         f"{start}..{stop - 1} of {len(table)}")
    x = windows(table[start:last_end + 1], length, step=1)
    ends = np.arange(first_end, last_end + 1)
    y = labels[ends]
    keep = ~np.isnan(x).any(axis=(1, 2)) & ~np.isnan(y)
    return x[keep], y[keep], ends[keep]


def binomial_standard_error(p: float, n: int) -> float:
    """Standard error ``sqrt(p (1 - p) / n)`` of a rate (an accuracy, a share of up days)
    measured on ``n`` independent trials whose true rate is ``p``."""
    if n < 1 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need 0 <= p <= 1 and n >= 1, got p {p}, n {n}")
    return float(np.sqrt(p * (1.0 - p) / n))
