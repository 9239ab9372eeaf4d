import keras
import numpy as np
import pytest

from lstm_course import training as hp
from lstm_course.notebook import reset


def linear_problem(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.1).astype("float32")
    return x, y


def linear_model(optimizer=None):
    reset(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer or keras.optimizers.SGD(0.01), "mse")
    return model


def test_exponential_rates_are_evenly_spaced_in_log():
    rates = hp.exponential_rates(1e-4, 1.0, 5)
    np.testing.assert_allclose(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-12)
    with pytest.raises(ValueError):
        hp.exponential_rates(1.0, 1e-4, 5)
    with pytest.raises(ValueError):
        hp.exponential_rates(1e-4, 1.0, 1)


def test_smooth_is_bias_corrected():
    np.testing.assert_allclose(hp.smooth([3.0] * 10, beta=0.9), 3.0)
    values = [1.0, 5.0, 2.0]
    np.testing.assert_allclose(hp.smooth(values, beta=0.0), values)
    # second value: (0.5*0.5*1 + 0.5*5) / (1 - 0.25)
    np.testing.assert_allclose(hp.smooth([1.0, 5.0], beta=0.5), [1.0, (0.25 + 2.5) / 0.75])
    with pytest.raises(ValueError):
        hp.smooth(values, beta=1.0)


def test_suggestion_is_a_tenth_of_the_rate_at_the_lowest_smoothed_loss():
    rates = hp.exponential_rates(1e-5, 1.0, 51)
    losses = (np.log10(rates) + 2.0) ** 2 + 1.0  # minimum at 1e-2
    assert hp.suggest_learning_rate(rates, losses, beta=0.0) == pytest.approx(1e-3)
    losses[-1] = np.nan  # a diverged last batch is ignored
    assert hp.suggest_learning_rate(rates, losses, beta=0.0) == pytest.approx(1e-3)
    with pytest.raises(ValueError):
        hp.suggest_learning_rate(rates[:3], losses[:2])


def test_range_test_records_the_loss_of_each_batch():
    x, y = linear_problem()
    model = linear_model()
    w, b = (np.array(v) for v in model.get_weights())
    test = hp.LRRangeTest(min_lr=1e-12, max_lr=1e-11, steps=4)  # rates too small to change anything
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[test])
    expected = [float(np.mean((x[i:i + 16] @ w + b - y[i:i + 16]) ** 2)) for i in range(0, 64, 16)]
    np.testing.assert_allclose(test.losses, expected, rtol=1e-4)
    np.testing.assert_allclose(test.rates, hp.exponential_rates(1e-12, 1e-11, 4))


def test_range_test_stops_at_divergence_and_after_its_steps():
    x, y = linear_problem(n=256)
    model = linear_model()
    diverging = hp.LRRangeTest(min_lr=1e-3, max_lr=1e3, steps=64)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[diverging])
    assert 2 <= len(diverging.losses) < 64
    model = linear_model()
    short = hp.LRRangeTest(min_lr=1e-4, max_lr=1e-2, steps=5)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[short])
    assert len(short.losses) == 5


def test_lr_range_test_restores_the_model():
    x, y = linear_problem(n=128)
    model = linear_model(keras.optimizers.Adam(1e-3))
    before = [np.array(v) for v in model.get_weights()]
    result = hp.lr_range_test(model, x, y, batch_size=8, min_lr=1e-4, max_lr=10.0)
    assert len(result.rates) == len(result.losses) <= 16
    assert np.all(np.diff(result.rates) > 0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(1e-3)
    assert 1e-5 <= result.suggestion() <= 1.0
    with pytest.raises(ValueError):
        hp.lr_range_test(model, x[:8], y[:8], batch_size=8)


def run_restart_run(optimizer, epochs):
    """Fit, restore the snapshot taken before, fit again: (model, snapshot, losses, losses again)."""
    x, y = linear_problem()
    model = linear_model(optimizer)
    start = hp.Snapshot(model)
    first = model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0).history["loss"]
    start.restore(model)
    again = model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0).history["loss"]
    return model, start, first, again


def test_snapshot_restarts_identical_runs():
    model, start, first, again = run_restart_run(keras.optimizers.Adam(0.05), epochs=3)
    np.testing.assert_allclose(first, again, rtol=1e-6)
    start.restore(model, learning_rate=1e-3)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(1e-3)
    assert int(model.optimizer.iterations.numpy()) == 0
    x, y = linear_problem()
    slower = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history["loss"]
    assert slower[-1] > first[-1]


def test_snapshot_keeps_the_optimizer_initial_state():
    # Adagrad's accumulators start at 0.1, not 0: a restore must bring that back.
    _, _, first, again = run_restart_run(keras.optimizers.Adagrad(0.1), epochs=2)
    np.testing.assert_allclose(first, again, rtol=1e-6)


def test_snapshot_needs_a_compiled_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError):
        hp.Snapshot(model)


def test_epoch_timer_and_sweep():
    x, y = linear_problem()
    model = linear_model()
    start = hp.Snapshot(model)

    def run(rate):
        start.restore(model, rate)
        timer = hp.EpochTimer()
        history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[timer])
        return history, {"timer": timer}

    runs = hp.sweep([1e-3, 1e-1], run)
    assert list(runs) == [1e-3, 1e-1]
    for result in runs.values():
        assert len(result.history["loss"]) == 3 and result.seconds > 0
        timer = result.extra["timer"]
        assert len(timer.seconds) == 3 and timer.steady == min(timer.seconds[1:]) > 0
    assert runs[1e-1].last("loss") < runs[1e-3].last("loss")
    assert runs[1e-1].best("loss") == min(runs[1e-1].history["loss"])
    plain = hp.sweep([1], lambda _: model.fit(x, y, epochs=1, verbose=0))
    assert plain[1].extra == {}
    with pytest.raises(ValueError):
        hp.EpochTimer().steady


def test_batch_losses_are_per_batch():
    x, y = linear_problem()
    model = linear_model(keras.optimizers.SGD(1e-12))
    w, b = (np.array(v) for v in model.get_weights())
    recorder = hp.BatchLosses()
    model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    expected = [float(np.mean((x[i:i + 32] @ w + b - y[i:i + 32]) ** 2)) for i in (0, 32)]
    np.testing.assert_allclose(recorder.losses, expected * 2, rtol=1e-4)


def test_exponential_decay_as_keras_calls_it():
    assert hp.exponential_decay(0) == 1e-3
    assert abs(hp.exponential_decay(2) - 1e-3 * 0.36) < 1e-15
    assert hp.exponential_decay(1, 0.5) == hp.exponential_decay(1)  # the current rate is ignored
    model = linear_model(keras.optimizers.SGD(0.5))
    x, y = linear_problem()
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(hp.exponential_decay)])
    np.testing.assert_allclose(history.history["learning_rate"], [1e-3, 6e-4, 3.6e-4], rtol=1e-6)


def test_fit_in_passes_repeats_the_data_and_decays_the_rate():
    x, y = np.linspace(0, 1, 26, dtype="float32")[:, None], np.linspace(1, 2, 26, dtype="float32")[:, None]
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    history = hp.fit_in_passes(model, x, y, epochs=3, passes_per_epoch=4, learning_rate=0.1, decay=0.5,
                            batch_size=13, validation_data=(x, y))
    assert len(history.history["loss"]) == 3 and "val_loss" in history.history
    assert history.params["steps"] == 26 * 4 // 13  # four passes of two batches per epoch
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
