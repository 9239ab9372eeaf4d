"""The reference architectures have the parameter counts their sources report or the formulas give."""

import numpy as np
import pytest

from lstm_course import checks, models, params
from lstm_course.notebook import reset


def test_sentiment_model_totals():
    reset()
    assert models.sentiment_lstm().count_params() == models.BASELINE_PARAMS == 738_945
    assert models.stacked_bidirectional_sentiment().count_params() == models.STACKED_BILSTM_PARAMS == 1_232_129
    assert models.multivariate_lstm_classifier().count_params() == 6_240


def test_sentiment_lstm_layers_dropout_and_mask():
    plain = models.sentiment_lstm(1000, 8, 4, max_len=20)
    assert [type(layer).__name__ for layer in plain.layers] == ["Embedding", "LSTM", "Dense"]
    assert plain.count_params() == (params.embedding_params(1000, 8) + params.lstm_params(8, 4)
                                    + params.dense_params(4, 1))
    dropped = models.sentiment_lstm(1000, 8, 4, max_len=20, dropout=0.5)
    names = [type(layer).__name__ for layer in dropped.layers]
    assert names == ["Embedding", "SpatialDropout1D", "LSTM", "Dropout", "Dense"]
    assert dropped.layers[2].recurrent_dropout == 0.5
    assert dropped.count_params() == plain.count_params()
    assert dropped(np.ones((2, 20), "int32")).shape == (2, 1)
    # the padding at the end is masked: a padded review scores like the review alone
    review = np.zeros((1, 20), "int32")
    review[0, :3] = [5, 7, 9]
    embedding, lstm, dense = plain.layers
    np.testing.assert_allclose(plain(review), dense(lstm(embedding(review[:, :3]))), atol=1e-6)
    with pytest.raises(ValueError):
        models.sentiment_lstm(1000, 8, 4, dropout=1.0)
    # the names the chapters' stored summaries show
    assert models.sentiment_lstm().name == "sentiment_lstm"
    assert models.stacked_bidirectional_sentiment().name == "sentiment_stacked_bilstm"


def test_bilstm_tagger_matches_formula():
    reset()
    model = models.bilstm_tagger(max_len=30, num_words=500, num_tags=7)
    expected = (params.embedding_params(500, 50)
                + params.bidirectional_params(params.lstm_params(50, 100))
                + params.dense_params(200, 7))
    assert model.count_params() == expected
    assert tuple(model.outputs[0].shape) == (None, 30, 7)


def test_residual_bilstm_classifier_matches_formula():
    reset()
    model = models.residual_bilstm_classifier(vocab_size=1_000, embed_dim=32)
    expected = (params.embedding_params(1_000, 32)
                + params.bidirectional_params(params.lstm_params(32, 128))
                + params.bidirectional_params(params.lstm_params(256, 128))
                + 2 * params.dense_params(512, 512) + params.dense_params(512, 1))
    assert model.count_params() == expected
    assert model.get_layer("skip_relu") is not None and model.get_layer("skip_tanh") is not None


def test_the_baseline_description_is_the_baseline_model():
    """a4's checks compare experiments with baseline_description(): it describes the builder's model."""
    reset()
    assert checks.describe(models.sentiment_lstm(max_len=models.MAX_LEN)) == checks.baseline_description()
    stacked = checks.describe(models.stacked_bidirectional_sentiment())
    changed = [aspect for aspect, value in checks.baseline_description().items() if stacked[aspect] != value]
    assert changed == [models.CHANGES["stacked_bilstm"]]
