"""The small Transformer encoder: its parameter formula, its inputs, and the padding mask."""

import keras
import numpy as np
import pytest

from lstm_course import models, params
from lstm_course.notebook import reset


@pytest.mark.parametrize("blocks", [1, 2])
def test_parameter_formula_matches_keras(blocks):
    reset()
    words = models.transformer_encoder(20, vocab_size=500, dim=16, heads=4, ff_dim=24, blocks=blocks)
    assert words.count_params() == models.transformer_params(20, 500, 16, 24, blocks)
    features = models.transformer_encoder(30, n_features=3, dim=8, heads=2, ff_dim=12, blocks=blocks)
    assert features.count_params() == models.transformer_params(30, 3, 8, 12, blocks, tokens=False)
    # the pieces, for one block: attention = four dense maps d -> d; two norms; the feed-forward pair
    attention = words.get_layer("attention_1").count_params()
    assert attention == 4 * params.dense_params(16, 16)
    assert words.get_layer("positions").count_params() == 20 * 16


def test_layers_names_and_shapes():
    reset()
    model = models.transformer_encoder(12, n_features=2, name="adding_transformer")
    assert model.name == "adding_transformer"
    kinds = [type(layer).__name__ for layer in model.layers]
    for kind in ("Dense", "PositionEmbedding", "MultiHeadAttention", "LayerNormalization", "Add",
                 "GlobalAveragePooling1D"):
        assert kind in kinds, kind
    assert model(np.zeros((3, 12, 2), "float32")).shape == (3, 1)
    assert tuple(model.inputs[0].shape) == (None, 12, 2)


def test_padding_at_the_end_is_masked():
    """A review padded to 20 words scores as the same review read at its own length."""
    reset()
    padded_model = models.transformer_encoder(20, vocab_size=100, dim=8, heads=2, ff_dim=8)
    short_model = models.transformer_encoder(3, vocab_size=100, dim=8, heads=2, ff_dim=8)
    # the same weights, the position table cut to three positions
    short_model.set_weights([w[:3] if w.shape == (20, 8) else w for w in padded_model.get_weights()])
    review = np.zeros((1, 20), "int32")
    review[0, :3] = [5, 7, 9]
    np.testing.assert_allclose(padded_model(review), short_model(review[:, :3]), atol=1e-5)
    # and the position embedding matters: the same words in another order score differently
    shuffled = review.copy()
    shuffled[0, :3] = [9, 5, 7]
    assert not np.allclose(padded_model(review), padded_model(shuffled), atol=1e-6)


def test_invalid_arguments():
    with pytest.raises(ValueError):
        models.transformer_encoder(10)
    with pytest.raises(ValueError):
        models.transformer_encoder(10, vocab_size=50, n_features=2)
    with pytest.raises(ValueError):
        models.transformer_encoder(10, vocab_size=50, dim=10, heads=3)


def test_saved_and_loaded(tmp_path):
    """The position layer is registered, so a saved model loads with its weights."""
    reset()
    model = models.transformer_encoder(6, n_features=2, dim=8, heads=2, ff_dim=8)
    path = tmp_path / "transformer.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(0).normal(size=(2, 6, 2)).astype("float32")
    np.testing.assert_allclose(model(x), loaded(x), atol=1e-6)
