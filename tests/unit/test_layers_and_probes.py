"""Helpers of the chapters on parameter counts, Keras layers and residual connections."""

import numpy as np
import pytest
from keras import layers

from lstm_course import data, models, notebook, params, preprocessing, tasks, training
from lstm_course.notebook import reset


def test_rounded():
    assert notebook.rounded(np.float64(95.9182839075447)) == 95.92
    assert type(notebook.rounded(np.float32(0.5))) is float
    assert notebook.rounded(0.0002853877958841622, 3) == 0.000285
    assert notebook.rounded(2258.239835200416) == 2258.0


def test_count_built_and_weight_shapes():
    reset()  # layer names come from global counters: start them afresh
    lstm = layers.LSTM(4)
    assert params.count_built(lstm, (None, 3)) == params.lstm_params(3, 4)
    shapes = dict(params.weight_shapes(lstm))
    assert shapes["lstm/lstm_cell/kernel"] == (3, 16)
    assert shapes["lstm/lstm_cell/recurrent_kernel"] == (4, 16)
    assert params.count_built(layers.Embedding(50, 8), (None,), dtype="int32") == 400


def test_params_by_group_adds_up():
    reset()
    model = models.bilstm_tagger(max_len=10, num_words=30, num_tags=3)
    groups = params.params_by_group(model)
    assert groups == {
        "embedding": params.embedding_params(30, 50),
        "recurrent": params.bidirectional_params(params.lstm_params(50, 100)),
        "dense": params.dense_params(200, 3),  # TimeDistributed counts as its Dense
        "other": 0,
    }
    reset()
    residual = models.residual_bilstm_classifier(vocab_size=100, embed_dim=8, units=4)
    assert sum(params.params_by_group(residual).values()) == residual.count_params()


def test_hamlet_char_tagging():
    task = tasks.hamlet_char_tagging(max_len=50)
    assert task.x.shape == task.y.shape and task.x.shape[1] == task.max_len == 50
    assert task.x.dtype == np.int32 and task.x.min() >= 1  # no padding inside the play
    assert task.x.max() <= len(task.alphabet) == task.num_words - 1
    assert task.num_tags == 2 and set(np.unique(task.y)) == {0, 1}
    assert task.decode(task.x[0]).startswith("TheTragedyofHamlet")
    assert task.y[0, 0] == 1 and task.y[0, 1] == 0  # "The": a word starts at T
    with pytest.raises(ValueError):
        tasks.hamlet_char_tagging(0)


def test_standardised_sunspot_windows():
    x, y = preprocessing.sliding_windows(preprocessing.standardise(data.load_sunspots()), 12)
    assert x.shape == (309 - 12, 12, 1) and y.shape == (309 - 12, 1)
    np.testing.assert_allclose(x[1, :-1, 0], x[0, 1:, 0])  # consecutive windows overlap
    np.testing.assert_allclose(x[1, -1], y[0])
    assert abs(float(y.mean())) < 0.2 and 0.8 < float(y.var()) < 1.2


def test_dropout_patterns():
    spatial = training.kept_entries(layers.SpatialDropout1D(0.5, seed=1), (4, 10, 8))
    scattered = training.kept_entries(layers.Dropout(0.5, seed=1), (4, 10, 8))
    assert spatial.shape == scattered.shape == (4, 10, 8) and spatial.dtype == bool
    assert training.drops_whole_channels(spatial)
    assert not training.drops_whole_channels(scattered)
    assert 0.2 < spatial.mean() < 0.8 and 0.2 < scattered.mean() < 0.8
    assert training.drops_whole_channels(np.ones((1, 3, 2), bool))
    with pytest.raises(ValueError):
        training.drops_whole_channels(np.ones((3, 2), bool))


def test_dense_stack_structure_and_counts():
    reset()
    plain = models.dense_stack(3, residual=False, width=8, input_shape=(5, 2))
    reset()
    residual = models.dense_stack(3, residual=True, width=8, input_shape=(5, 2), branch_scale=0.1)
    expected = params.lstm_params(2, 8) + 3 * params.dense_params(8, 8) + params.dense_params(8, 1)
    assert plain.count_params() == residual.count_params() == expected  # skips cost nothing
    assert residual.get_layer("skip_3") is not None
    assert tuple(residual.outputs[0].shape) == (None, 1)
    with pytest.raises(ValueError):
        plain.get_layer("skip_1")
    # every block gets its own initial weights
    kernels = [residual.get_layer(f"block_{i}").kernel.numpy() for i in (1, 2, 3)]
    assert not np.allclose(kernels[0], kernels[1]) and not np.allclose(kernels[1], kernels[2])


def test_kernel_gradient_norms():
    reset()
    model = models.dense_stack(2, residual=True, width=4, input_shape=(6, 1))
    x = np.random.default_rng(0).normal(size=(16, 6, 1)).astype("float32")
    y = np.random.default_rng(1).normal(size=(16, 1)).astype("float32")
    norms = training.kernel_gradient_norms(model, x, y)
    assert list(norms) == ["encoder", "block_1", "block_2", "output"]
    assert all(value > 0 for value in norms.values())
    assert norms == training.kernel_gradient_norms(model, x, y)  # deterministic


def test_plain_stack_gradient_vanishes_and_skips_keep_it():
    """The chapter's claim, on a small scale: behind 8 ReLU blocks the encoder
    gradient shrinks without skips and not with small residual branches."""
    x, y = preprocessing.sliding_windows(preprocessing.standardise(data.load_sunspots()), 12)
    encoder = {}
    for name, kwargs in {"shallow": dict(depth=0, residual=False),
                         "plain": dict(depth=8, residual=False),
                         "residual": dict(depth=8, residual=True, branch_scale=1 / 8)}.items():
        reset()
        encoder[name] = training.kernel_gradient_norms(models.dense_stack(**kwargs), x, y)["encoder"]
    assert encoder["plain"] < 0.2 * encoder["shallow"]
    assert encoder["residual"] > 0.3 * encoder["shallow"]

