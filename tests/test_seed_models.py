"""The seed architectures have the parameter counts the seeds report or the formulas give."""

from lstm_course import params, seed_models
from lstm_course.notebook import reset


def test_seed004_and_seed002_totals():
    reset()
    assert seed_models.sentiment_lstm().count_params() == 738_945
    assert seed_models.sentiment_stacked_bilstm().count_params() == 1_232_129
    assert seed_models.lstm_feature_classifier().count_params() == 6_240


def test_seed001_tagger_matches_formula():
    reset()
    model = seed_models.bilstm_tagger(max_len=30, num_words=500, num_tags=7)
    expected = (params.embedding_params(500, 50)
                + params.bidirectional_params(params.lstm_params(50, 100))
                + params.dense_params(200, 7))
    assert model.count_params() == expected
    assert tuple(model.outputs[0].shape) == (None, 30, 7)


def test_seed000_residual_matches_formula():
    reset()
    model = seed_models.residual_bilstm(vocab_size=1_000, embed_dim=32)
    expected = (params.embedding_params(1_000, 32)
                + params.bidirectional_params(params.lstm_params(32, 128))
                + params.bidirectional_params(params.lstm_params(256, 128))
                + 2 * params.dense_params(512, 512) + params.dense_params(512, 1))
    assert model.count_params() == expected
    assert model.get_layer("skip_relu") is not None and model.get_layer("skip_tanh") is not None


def test_seed000_schedule():
    assert seed_models.seed000_learning_rate(0) == 1e-3
    assert abs(seed_models.seed000_learning_rate(2) - 1e-3 * 0.36) < 1e-15
