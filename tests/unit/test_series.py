"""lstm_course.series: forecasting baselines and multi-step forecasts, checked against
plain indexing and against statsmodels' own AR predictions."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_course import series

VALUES = np.arange(30, dtype=float) ** 1.5


def test_histories_and_future_are_the_values_around_each_origin():
    origins = [4, 10, 20]
    past, ahead = series.histories(VALUES, origins, 5), series.future(VALUES, origins, 3)
    for row, t in enumerate(origins):
        np.testing.assert_array_equal(past[row], VALUES[t - 4:t + 1])
        np.testing.assert_array_equal(ahead[row], VALUES[t + 1:t + 4])
    with pytest.raises(ValueError):
        series.histories(VALUES, [3], 5)  # not enough past
    with pytest.raises(ValueError):
        series.future(VALUES, [27], 3)  # not enough future


def test_persistence_repeats_the_last_value():
    past = series.histories(VALUES, [9, 12], 4)
    np.testing.assert_array_equal(series.persistence(past, 3), [[VALUES[9]] * 3, [VALUES[12]] * 3])


def test_seasonal_naive_is_the_value_one_period_earlier():
    t, period, horizon = 15, 6, 4
    past = series.histories(VALUES, [t], 8)
    expected = [VALUES[t + h - period] for h in range(1, horizon + 1)]
    np.testing.assert_array_equal(series.seasonal_naive(past, horizon, period)[0], expected)
    with pytest.raises(ValueError):
        series.seasonal_naive(past, 7, period)  # beyond one period


def test_seasonal_naive_is_perfect_on_a_periodic_series():
    periodic = np.tile([3.0, 1.0, 4.0, 1.0, 5.0], 8)
    origins = np.arange(9, 30)
    forecast = series.seasonal_naive(series.histories(periodic, origins, 10), 5, 5)
    np.testing.assert_array_equal(forecast, series.future(periodic, origins, 5))


def ar_series(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    for t in range(2, n):
        y[t] = 0.5 + 1.2 * y[t - 1] - 0.5 * y[t - 2] + rng.normal()
    return y


def test_autoregression_matches_statsmodels():
    from statsmodels.tsa.ar_model import AutoReg

    y = ar_series()
    ar = series.fit_autoregression(y, max_order=8)
    assert ar.order == 2  # AIC finds the true order of this AR(2)
    fitted = AutoReg(y, lags=ar.order, trend="c").fit()
    # one step: statsmodels' in-sample predictions from every origin
    origins = np.arange(ar.order - 1, len(y) - 1)
    np.testing.assert_allclose(ar.step(series.histories(y, origins, ar.order)),
                               fitted.predict(start=ar.order, end=len(y) - 1), rtol=1e-10)
    # many steps: statsmodels' out-of-sample forecast from the end of the data
    np.testing.assert_allclose(series.recursive(ar.step, y[None, -5:], 12)[0], fitted.forecast(12), rtol=1e-10)


def test_recursive_feeds_the_forecast_back():
    # a "model" that adds the last two values: a Fibonacci continuation
    fib = series.recursive(lambda w: w[:, -1] + w[:, -2], np.array([[1.0, 1.0], [2.0, 3.0]]), 4)
    np.testing.assert_array_equal(fib, [[2, 3, 5, 8], [5, 8, 13, 21]])


def test_direct_pairs_are_windows_and_what_follows():
    x, y = series.direct_pairs(VALUES, 6, 3)
    assert x.shape == (len(VALUES) - 8, 6) and y.shape == (len(VALUES) - 8, 3)
    for k in (0, 7, len(x) - 1):
        np.testing.assert_array_equal(x[k], VALUES[k:k + 6])
        np.testing.assert_array_equal(y[k], VALUES[k + 6:k + 9])


def test_mae_by_horizon():
    forecast = np.array([[1.0, 2.0], [3.0, 4.0]])
    actual = np.array([[2.0, 2.0], [1.0, 7.0]])
    np.testing.assert_array_equal(series.mae_by_horizon(forecast, actual), [1.5, 1.5])
