"""comparison.compare: one compiled model per architecture, the same runs as fresh builds."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from lstm_course.comparison import compare
from lstm_course.notebook import reset


def small(cell):
    return lambda: keras.Sequential([keras.Input((6, 2)), cell(4), layers.Dense(1)])


def mse(model, x, y):
    return float(np.mean((model(x, training=False).numpy() - y) ** 2))


def test_compare_gives_the_runs_of_fresh_builds():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 6, 2)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")
    builders = {"SimpleRNN": small(layers.SimpleRNN), "GRU": small(layers.GRU)}
    results = compare(builders, (x, y), (x, y), mse, seeds=(0, 1), epochs=2, learning_rate=1e-2,
                      batch_size=16, loss="mse")
    assert list(results) == ["SimpleRNN", "GRU"]
    for run in results.values():
        assert run["score"].shape == (2,) and run["seconds"].shape == (2,) and run["loss"].shape == (2, 2)
    for name, build in builders.items():
        for i, seed in enumerate((0, 1)):
            reset(seed)  # the usual way: a new model, compiled anew, under the seed
            fresh = build()
            fresh.compile(keras.optimizers.Adam(1e-2, clipnorm=1.0), "mse")
            history = fresh.fit(x, y, batch_size=16, epochs=2, verbose=0)
            np.testing.assert_allclose(results[name]["loss"][i], history.history["loss"], rtol=1e-5)
            np.testing.assert_allclose(results[name]["score"][i], mse(fresh, x, y), rtol=1e-5)
    assert not np.allclose(results["GRU"]["loss"][0], results["GRU"]["loss"][1]), "seeds give different runs"
