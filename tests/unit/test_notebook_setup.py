import keras
import numpy as np

from lstm_course.env import QUIET_TF_ENV, quiet_tensorflow
from lstm_course.checks import io_shapes
import pytest

from lstm_course.notebook import SEED_ENV, reset, seed_offset, seeded, setup


def weights_after_reset(seed):
    reset(seed)
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3)], name="m")
    return [w.copy() for w in model.get_weights()], model.layers[0].name


def test_reset_makes_weights_and_names_reproducible():
    setup(plots=False)
    first, name1 = weights_after_reset(5)
    second, name2 = weights_after_reset(5)
    other, _ = weights_after_reset(6)
    assert name1 == name2 == "lstm"
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_seed_sweep_shifts_every_seed(monkeypatch):
    monkeypatch.delenv(SEED_ENV, raising=False)
    assert seed_offset() == 0 and seeded(1) == 1
    unshifted, _ = weights_after_reset(8)
    monkeypatch.setenv(SEED_ENV, "3")
    assert seed_offset() == 3 and seeded(1) == 4
    shifted, _ = weights_after_reset(5)  # 5 + 3: the global seed moves with the sweep
    assert all(np.array_equal(a, b) for a, b in zip(unshifted, shifted))
    monkeypatch.setenv(SEED_ENV, "")
    assert seed_offset() == 0
    monkeypatch.setenv(SEED_ENV, "seven")
    with pytest.raises(ValueError, match=SEED_ENV):
        seed_offset()


def test_seed_sweep_moves_tasks_splits_and_numpy_rnn(monkeypatch):
    import pandas as pd

    from lstm_course import data, numpy_rnn, tasks

    frame = pd.DataFrame({"movie": np.repeat(np.arange(20), 3), "text": "x"})

    def draws(seed):
        return [
            tasks.adding_problem(4, 6, seed=seed)[0],
            tasks.offset_recall(3, 5, [-1, 1], seed=seed).x,
            data.split_by_group(frame, "movie", 0.3, seed=seed).test["movie"].to_numpy(),
            numpy_rnn.init_rnn(2, 3, seed=seed).w_x,
        ]

    monkeypatch.delenv(SEED_ENV, raising=False)
    plain = draws(2)
    monkeypatch.setenv(SEED_ENV, "2")
    shifted = draws(0)  # 0 + 2
    assert all(np.array_equal(a, b) for a, b in zip(plain, shifted))
    assert not np.array_equal(draws(2)[0], plain[0])


def test_quiet_tensorflow_keeps_existing_values():
    env = {"TF_CPP_MIN_LOG_LEVEL": "1"}
    quiet_tensorflow(env)
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "1"
    assert env["TF_ENABLE_ONEDNN_OPTS"] == QUIET_TF_ENV["TF_ENABLE_ONEDNN_OPTS"]


def test_io_shapes_lists_every_input_and_output():
    a, b = keras.Input((5,)), keras.Input((None, 2))
    out = keras.layers.Dense(1)(a)
    model = keras.Model([a, b], [out, b])
    assert io_shapes(model) == "input (None, 5), (None, None, 2) -> output (None, 1), (None, None, 2)"
