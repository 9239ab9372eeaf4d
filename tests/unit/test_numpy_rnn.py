"""The NumPy RNN: forward pass, backpropagation through time, Jacobians, clipping."""

import keras
import numpy as np
import pytest

from lstm_course import numpy_rnn as R
from lstm_course.notebook import reset
from lstm_course.tasks import adding_problem


@pytest.mark.parametrize("d,h,k,scale", [(2, 3, 1, 0.9), (3, 5, 2, 1.7), (1, 4, 1, 3.0)])
def test_backprop_matches_finite_differences(d, h, k, scale):
    rng = np.random.default_rng(d + h)
    x = rng.normal(size=(4, 6, d))
    y = rng.normal(size=(4, k))
    params = R.init_rnn(d, h, k, recurrent_scale=scale, seed=h)
    params.b[:] = rng.normal(size=h)  # non-zero biases exercise every term
    errors = R.gradient_check(params, x, y)
    assert set(errors) == set(R.PARAM_NAMES)
    assert max(errors.values()) < 1e-6, errors


def test_input_and_hidden_gradients_match_finite_differences():
    x, y = adding_problem(3, 5, seed=0)
    params = R.init_rnn(2, 4, seed=1)
    grads = R.loss_and_gradients(params, x, y)
    eps = 1e-6
    numeric = np.zeros_like(grads.inputs)
    for index in np.ndindex(x.shape):
        plus, minus = x.astype(np.float64).copy(), x.astype(np.float64).copy()
        plus[index] += eps
        minus[index] -= eps
        numeric[index] = (R.evaluate(params, plus, y) - R.evaluate(params, minus, y)) / (2 * eps)
    assert R.relative_error(grads.inputs, numeric) < 1e-6
    # dL/dh_T is the readout's error signal: 2 (y_hat - y) / n times w_y
    trace = R.rnn_forward(params, x)
    expected_last = 2 * (trace.y - y) / y.size @ params.w_y.T
    np.testing.assert_allclose(grads.hidden[:, -1], expected_last, rtol=1e-12)


def test_initial_recurrent_matrix_has_the_requested_singular_values():
    params = R.init_rnn(2, 16, recurrent_scale=1.5, seed=3)
    singular = np.linalg.svd(params.w_h, compute_uv=False)
    np.testing.assert_allclose(singular, 1.5, rtol=1e-10)
    assert R.largest_singular_value(params.w_h) == pytest.approx(1.5)
    assert R.spectral_radius(params.w_h) == pytest.approx(1.5)
    w = np.array([[0.5, 10.0], [0.0, 0.5]])  # non-normal: radius 0.5, norm > 10
    assert R.spectral_radius(w) == pytest.approx(0.5) and R.largest_singular_value(w) > 10


def test_forward_matches_keras_simple_rnn():
    reset(0)
    layer = keras.layers.SimpleRNN(5, return_sequences=True)
    x, _ = adding_problem(3, 7, seed=4)
    keras_out = np.asarray(layer(x))
    w_x, w_h, b = layer.get_weights()
    params = R.RNNParams(w_x=w_x, w_h=w_h, b=b, w_y=np.zeros((5, 1)), b_y=np.zeros(1))
    np.testing.assert_allclose(R.rnn_forward(params, x).states, keras_out, atol=1e-5)
    assert params.count() == keras.Sequential(
        [keras.Input((7, 2)), keras.layers.SimpleRNN(5), keras.layers.Dense(1)]).count_params()


def test_jacobian_products_are_bounded_by_powers_of_the_norm():
    x, _ = adding_problem(1, 30, seed=0)
    for scale in (0.7, 1.0, 2.0):
        params = R.init_rnn(2, 8, recurrent_scale=scale, seed=0)
        trace = R.rnn_forward(params, x)
        norms = R.jacobian_product_norms(params, trace)
        assert norms.shape == (30,) and norms[0] == pytest.approx(1.0)
        bound = scale ** np.arange(30)
        assert np.all(norms <= bound * (1 + 1e-9))
    jac = R.step_jacobians(params, trace)
    t = 4
    expected = np.diag(1 - trace.h[0, t + 1] ** 2) @ params.w_h.T
    np.testing.assert_allclose(jac[t], expected)


def test_hidden_gradient_vanishes_or_explodes_with_the_scale():
    x, y = adding_problem(64, 40, seed=0)
    ratio = {}
    for scale in (0.5, 3.0):
        grads = R.loss_and_gradients(R.init_rnn(2, 16, recurrent_scale=scale, seed=0), x, y)
        norms = np.linalg.norm(grads.hidden, axis=-1).mean(axis=0)
        ratio[scale] = norms[0] / norms[-1]
    assert ratio[0.5] < 1e-6 and ratio[3.0] > 1e3


def test_clip_by_global_norm_keeps_direction_and_bounds_length():
    params = R.init_rnn(2, 4, seed=0)
    big = params.scaled(100.0)
    clipped, norm = R.clip_by_global_norm(big, 1.0)
    assert norm == pytest.approx(big.norm())
    assert clipped.norm() == pytest.approx(1.0)
    np.testing.assert_allclose(clipped.w_h / np.linalg.norm(clipped.w_h), big.w_h / np.linalg.norm(big.w_h))
    small = params.scaled(1e-3)
    same, _ = R.clip_by_global_norm(small, 1.0)
    assert same is small
    with pytest.raises(ValueError):
        R.clip_by_global_norm(big, 0.0)


def test_sgd_with_clipping_bounds_every_step_and_learns():
    x, y = adding_problem(500, 8, seed=1)
    params = R.init_rnn(2, 8, seed=0)
    trained, log = R.train_sgd(params, x, y, learning_rate=0.1, steps=300, batch_size=32, clip_norm=0.5)
    assert len(log.loss) == 300 and np.all(log.step_norm <= 0.1 * 0.5 * (1 + 1e-9))
    assert R.evaluate(trained, x, y) < R.evaluate(params, x, y)
    assert np.array_equal(params.w_h, R.init_rnn(2, 8, seed=0).w_h), "training must not change its input"


def test_unclipped_sgd_on_an_exploding_network_overflows_and_stops():
    x, y = adding_problem(2000, 20, seed=1)
    params = R.init_rnn(2, 32, recurrent_scale=1.5, seed=0)
    _, log = R.train_sgd(params, x, y, learning_rate=0.15, steps=400, batch_size=32)
    assert len(log.loss) < 400 and not np.isfinite(log.grad_norm[-1] * log.loss[-1])


def test_bad_shapes_are_rejected():
    params = R.init_rnn(2, 3)
    with pytest.raises(ValueError):
        R.rnn_forward(params, np.zeros((4, 2)))
    with pytest.raises(ValueError):
        R.rnn_forward(params, np.zeros((1, 4, 3)))
    with pytest.raises(ValueError):
        R.init_rnn(0, 3)


def test_single_threaded_blas_limits_threads_and_nests():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    with R.single_threaded_blas():
        assert blas_threads() == {1}
        with R.single_threaded_blas():
            assert blas_threads() == {1}
        assert blas_threads() == {1}
    calls = []

    @R.single_threaded
    def probe(value):
        calls.append(blas_threads())
        return value

    assert probe(3) == 3 and calls == [{1}]
    assert probe.__name__ == "probe"
