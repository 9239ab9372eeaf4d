"""lstm_course.features: daily features from the past only, the up/down label, windows
inside one period, and the standard error of an accuracy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_course import features


def toy_prices(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    high = close * np.exp(rng.uniform(0, 0.01, n))
    low = close / np.exp(rng.uniform(0, 0.01, n))
    low[5] = high[5] = close[5]  # a day without a range
    return pd.DataFrame({"Open": close, "High": high, "Low": low, "Close": close, "Adj Close": close,
                         "Volume": rng.integers(1_000, 2_000, n).astype(float)},
                        index=pd.bdate_range("2001-01-01", periods=n))


def test_daily_features_by_hand():
    prices = toy_prices()
    table = features.daily_features(prices)
    assert tuple(table.columns) == features.FEATURES and len(table) == len(prices)
    log_close, log_volume = np.log(prices["Adj Close"].to_numpy()), np.log(prices["Volume"].to_numpy())
    t = 70
    row = table.iloc[t]
    assert row["return"] == pytest.approx(log_close[t] - log_close[t - 1])
    assert row["return_5d"] == pytest.approx(log_close[t] - log_close[t - 5])
    assert row["return_20d"] == pytest.approx(log_close[t] - log_close[t - 20])
    assert row["range"] == pytest.approx(np.log(prices["High"].iloc[t] / prices["Low"].iloc[t]))
    high, low, close = prices[["High", "Low", "Close"]].iloc[t]
    assert row["close_in_range"] == pytest.approx((close - low) / (high - low) - 0.5)
    assert row["volume_change"] == pytest.approx(log_volume[t] - log_volume[t - 1])
    assert row["volume_vs_20d"] == pytest.approx(log_volume[t] - log_volume[t - 19:t + 1].mean())
    closes = prices["Adj Close"].to_numpy()
    assert row["gap_ma10"] == pytest.approx(log_close[t] - np.log(closes[t - 9:t + 1].mean()))
    assert row["gap_ma50"] == pytest.approx(log_close[t] - np.log(closes[t - 49:t + 1].mean()))
    returns = np.diff(log_close)
    assert row["volatility_20d"] == pytest.approx(returns[t - 20:t].std(ddof=1))
    assert table["close_in_range"].iloc[5] == 0.0  # high == low
    assert table.iloc[:49]["gap_ma50"].isna().all() and table.iloc[50:].notna().all().all()


def test_close_in_range_spans_low_to_high():
    values = features.daily_features(toy_prices())["close_in_range"]
    assert values.between(-0.5, 0.5).all()


def test_next_day_up_reads_the_following_close():
    prices = toy_prices(10)
    up = features.next_day_up(prices)
    close = prices["Adj Close"].to_numpy()
    np.testing.assert_array_equal(up.to_numpy()[:-1], (close[1:] > close[:-1]).astype(float))
    assert np.isnan(up.iloc[-1])


def test_look_ahead_free_accepts_the_features_and_rejects_peeking():
    prices = toy_prices()
    days = [0, 10, 55, 80, -1]
    assert features.look_ahead_free(features.daily_features, prices, days)
    assert not features.look_ahead_free(features.next_day_up, prices, days)

    def centred(frame):
        return frame["Close"].rolling(5, center=True).mean()

    def whole_series_scaling(frame):
        return (frame["Close"] - frame["Close"].mean()) / frame["Close"].std()

    assert not features.look_ahead_free(centred, prices, days)
    assert not features.look_ahead_free(whole_series_scaling, prices, days)


def test_period_windows_stay_inside_their_period():
    n, length = 40, 4
    values = np.arange(2 * n, dtype=float).reshape(n, 2)
    labels = np.arange(n, dtype=float) % 2
    values[12, 1] = np.nan  # windows that read row 12 are dropped
    x, y, ends = features.period_windows(values, labels, 10, 30, length)
    assert x.shape == (len(ends), length, 2) and x.dtype == np.float32
    assert ends.min() - length + 1 >= 10 and ends.max() + 1 < 30
    assert not set(range(12, 12 + length)) & set(ends.tolist())
    assert ends.tolist() == list(range(16, 29))
    for k, t in enumerate(ends):
        np.testing.assert_array_equal(x[k], values[t - length + 1:t + 1])
        assert y[k] == labels[t]


def test_period_windows_drop_missing_labels_and_reject_what_cannot_fit():
    values, labels = np.arange(20.0), np.r_[np.zeros(19), np.nan]
    x, y, ends = features.period_windows(values, labels, 0, 20, 5, horizon=0)
    assert x.shape == (15, 5, 1) and ends[-1] == 18  # the last row's label is missing
    with pytest.raises(ValueError):
        features.period_windows(values, labels, 0, 5, 5)  # no room for the target day
    with pytest.raises(ValueError):
        features.period_windows(values, labels[:-1], 0, 20, 5)


def test_binomial_standard_error():
    assert features.binomial_standard_error(0.5, 100) == pytest.approx(0.05)
    assert features.binomial_standard_error(1.0, 10) == 0.0
    rng = np.random.default_rng(0)
    rates = rng.binomial(1_000, 0.53, size=20_000) / 1_000
    assert rates.std() == pytest.approx(features.binomial_standard_error(0.53, 1_000), rel=0.03)
    with pytest.raises(ValueError):
        features.binomial_standard_error(0.5, 0)
