import numpy as np
import pytest

from lstm_course import tasks


def test_adding_problem_shapes_markers_and_targets():
    x, y = tasks.adding_problem(200, 50, seed=3)
    assert x.shape == (200, 50, 2) and y.shape == (200, 1) and x.dtype == np.float32
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    first = markers[:, :25].sum(axis=1)
    assert np.all(first == 1), "one marker in each half"
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(axis=1), rtol=1e-6)


def test_adding_problem_is_deterministic_and_seeded():
    a, _ = tasks.adding_problem(10, 20, seed=1)
    b, _ = tasks.adding_problem(10, 20, seed=1)
    c, _ = tasks.adding_problem(10, 20, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_mean_baseline_is_about_one_sixth():
    x, y = tasks.adding_problem(20_000, 10, seed=0)
    assert abs(tasks.mean_baseline_mse(y[:10_000], y[10_000:]) - 1 / 6) < 0.01


def test_temporal_order_classes():
    x, y = tasks.temporal_order(400, 100, seed=0)
    assert x.shape == (400, 100, 6) and set(np.unique(y)) == {0, 1, 2, 3}
    relevant = x[:, :, :2].sum(axis=(1, 2))
    assert np.all(relevant == 2), "exactly two X/Y symbols per sequence"
    for i in range(20):
        steps = np.flatnonzero(x[i, :, :2].sum(axis=1))
        assert 10 <= steps[0] <= 20 and 50 <= steps[1] <= 60
        a, b = x[i, steps[0], 1], x[i, steps[1], 1]  # 1 if the symbol is Y
        assert y[i] == 2 * a + b


def test_copy_task_layout():
    x, y = tasks.copy_task(5, n_items=3, lag=4, seed=0, n_symbols=8)
    assert x.shape == (5, 11, 10) and y.shape == (5, 11)
    items = x[:, :3, :8].argmax(axis=-1)
    assert np.array_equal(y[:, -3:], items)
    assert np.all(x[:, 7, 9] == 1), "recall marker after the lag"
    assert np.all(y[:, :-3] == 8)


@pytest.mark.parametrize("call", [
    lambda: tasks.adding_problem(0, 10),
    lambda: tasks.adding_problem(5, 1),
    lambda: tasks.temporal_order(5, 5),
    lambda: tasks.copy_task(5, 0, 3),
])
def test_generators_reject_bad_sizes(call):
    with pytest.raises(ValueError):
        call()
