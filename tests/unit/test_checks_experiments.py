"""Arrays, accuracy and the checks of lstm_course.sentiment_experiments (assignment a4)."""

import functools

import keras
import numpy as np
import pytest
from keras import layers

from lstm_course import checks, models, training
from lstm_course.notebook import reset
from lstm_course.data import arrays_for, load_sentiment, sentiment_arrays


@pytest.fixture(scope="module", autouse=True)
def fresh_keras():
    reset()


@pytest.fixture(scope="module")
def reference():
    return baseline()


@pytest.fixture(scope="module")
def data():
    return load_sentiment(vocab_size=2_000, max_len=30)


def words(*stack, vocab=models.VOCAB_SIZE, dim=models.EMBED_DIM, length=None, mask=True):
    return keras.Sequential([keras.Input((length,), dtype="int32"),
                             layers.Embedding(vocab, dim, mask_zero=mask), *stack])


def baseline(**dense):
    return words(layers.LSTM(models.UNITS), layers.Dense(1, **dense))


# --------------------------------------------------------------------------
# arrays and accuracy
# --------------------------------------------------------------------------

def test_sentiment_arrays_split_and_padding(data):
    a = sentiment_arrays(data, val_fraction=0.1)
    assert a.max_len == 30
    assert len(a.x_train) + len(a.x_val) == len(data.x_train)
    assert 0.05 < len(a.x_val) / len(data.x_train) <= 0.1
    assert len(a.x_test) == len(data.x_test) and len(a.y_train) == len(a.x_train)
    # padded at the end: every review starts on a word, and no word follows padding
    assert np.all(a.x_train[:, 0] > 0)
    words_per_row = (a.x_train > 0).sum(axis=1)
    assert np.all((a.x_train > 0) == (np.arange(a.max_len) < words_per_row[:, None]))
    assert (words_per_row < a.max_len).any()  # some reviews are padded
    # a different length keeps the same reviews on each side, in the same order
    short = sentiment_arrays(data, max_len=12, val_fraction=0.1)
    assert short.max_len == 12
    np.testing.assert_array_equal(short.y_train, a.y_train)
    np.testing.assert_array_equal(short.y_val, a.y_val)
    # a shorter length keeps each review's first words
    np.testing.assert_array_equal(short.x_train, a.x_train[:, :12])
    assert arrays_for(a, data, 30) is a
    again = arrays_for(sentiment_arrays(data, val_fraction=0.2, seed=3), data, 12)
    np.testing.assert_array_equal(again.x_val, data.vocab.encode(data.split.train["text"], 12)[again.val_rows])


def test_validation_films_are_not_training_films(data):
    a = sentiment_arrays(data, val_fraction=0.2, seed=3)
    movies = data.split.train["movie"].to_numpy()
    films_val, films_fit = set(movies[a.val_rows]), set(movies[a.train_rows])
    assert films_val and films_fit and not films_val & films_fit
    assert sorted(np.concatenate([a.train_rows, a.val_rows])) == list(range(len(movies)))
    np.testing.assert_array_equal(a.y_val, data.y_train[a.val_rows])
    np.testing.assert_array_equal(a.x_val, data.x_train[a.val_rows])


def test_binary_accuracy_uses_the_right_threshold():
    x = np.array([[-1.0], [0.3], [2.0]])
    y = np.array([0, 0, 1])
    for activation in (None, "sigmoid"):
        m = keras.Sequential([keras.Input((1,)), layers.Dense(1, activation=activation)])
        m.layers[-1].set_weights([np.ones((1, 1)), np.zeros(1)])
        # logit 0.3 (probability 0.57) means "fresh": wrong for the second review
        assert training.binary_accuracy(m, x, y) == pytest.approx(2 / 3)
        assert checks.output_is_probability(m) == (activation == "sigmoid")


# --------------------------------------------------------------------------
# Part 1: the baseline, layer by layer
# --------------------------------------------------------------------------

def test_baseline_layers_accepts_both_output_conventions():
    checks.assert_baseline_layers(baseline())
    checks.assert_baseline_layers(baseline(activation="sigmoid"))
    assert baseline().count_params() == models.BASELINE_PARAMS


@pytest.mark.parametrize("model, message", [
    (lambda: words(layers.LSTM(128), layers.Dense(1), vocab=64, dim=10_000), "swapped"),
    (lambda: words(layers.LSTM(128), layers.Dense(1), vocab=40), "vocabulary size"),
    (lambda: words(layers.LSTM(128), layers.Dense(1), dim=32), "output_dim=32"),
    (lambda: words(layers.LSTM(128), layers.Dense(1), mask=False), "mask_zero=True"),
    (lambda: words(layers.LSTM(128, return_sequences=True), layers.Dense(1)), "return_sequences"),
    (lambda: words(layers.LSTM(64), layers.Dense(1)), "64 units"),
    (lambda: words(layers.Bidirectional(layers.LSTM(128)), layers.Dense(1)), "Bidirectional"),
    (lambda: words(layers.GRU(128), layers.Dense(1)), "one LSTM"),
    (lambda: words(layers.LSTM(128), layers.Dense(16), layers.Dense(1)), "hidden Dense"),
    (lambda: words(layers.LSTM(128), layers.Dense(1, activation="softmax")), "always outputs 1.0"),
    (lambda: words(layers.LSTM(128), layers.Dense(2)), "2 units"),
    (lambda: words(layers.LSTM(128), layers.Dropout(0.5), layers.Dense(1)), "Dropout"),
])
def test_baseline_layers_name_the_mistake(model, message):
    with pytest.raises(AssertionError, match=message):
        checks.assert_baseline_layers(model())


# --------------------------------------------------------------------------
# Part 2: loss and output agree
# --------------------------------------------------------------------------

@pytest.mark.parametrize("activation, loss, message", [
    (None, keras.losses.BinaryCrossentropy(from_logits=True), None),
    ("sigmoid", keras.losses.BinaryCrossentropy(), None),
    ("sigmoid", "binary_crossentropy", None),
    (None, "binary_crossentropy", "expects probabilities"),
    (None, keras.losses.BinaryCrossentropy(), "from_logits=False"),
    ("sigmoid", keras.losses.BinaryCrossentropy(from_logits=True), "opposite of what the model does"),
    (None, "mse", "binary cross-entropy"),
    (None, keras.losses.MeanSquaredError(), "binary cross-entropy"),
    ("sigmoid", keras.losses.binary_crossentropy, None),
    ("sigmoid", "BinaryCrossentropy", None),
    (None, functools.partial(keras.losses.binary_crossentropy, from_logits=True), None),
    (None, keras.losses.binary_crossentropy, "from_logits=False"),
    ("sigmoid", functools.partial(keras.losses.binary_crossentropy, from_logits=True), "from_logits=True"),
])
def test_loss_matches_output(activation, loss, message):
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation=activation)])
    m.compile(optimizer="adam", loss=loss)
    if message is None:
        checks.assert_loss_matches_output(m)
    else:
        with pytest.raises(AssertionError, match=message):
            checks.assert_loss_matches_output(m)


def test_uncompiled_model_is_reported():
    with pytest.raises(AssertionError, match="not compiled"):
        checks.assert_loss_matches_output(baseline())


def compile_for(kind, metric="right", loss=None, rate=None):
    """A compile_model for one output convention, with an optional mistake."""
    def compile_model(model, learning_rate=1e-3):
        logits = kind == "logit" if kind != "adaptive" else not checks.output_is_probability(model)
        metrics = {"right": [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if logits else 0.5)],
                   "string": ["accuracy"], "unnamed": [keras.metrics.BinaryAccuracy()]}[metric]
        model.compile(optimizer=keras.optimizers.Adam(rate or learning_rate),
                      loss=loss or keras.losses.BinaryCrossentropy(from_logits=logits), metrics=metrics)
    return compile_model


def test_compile_model_is_checked_on_stand_ins(reference):
    assert checks.assert_compile_model(compile_for("logit"), reference) == "logit"
    assert checks.assert_compile_model(compile_for("probability", metric="string"),
                                   baseline(activation="sigmoid")) == "probability"
    probability_fn = compile_for("probability", metric="string", loss=keras.losses.binary_crossentropy)
    assert checks.assert_compile_model(probability_fn, None) == "probability"
    assert checks.assert_compile_model(compile_for("adaptive"), reference, learning_rate=0.005) == "logit and probability"
    # a baseline that is neither (Part 1 got it wrong) does not count against compile_model
    assert checks.assert_compile_model(compile_for("logit"), baseline(activation="softmax")) == "logit"
    assert checks.output_kind(baseline(activation="softmax")) is None and checks.output_kind(None) is None


@pytest.mark.parametrize("compile_model, message", [
    (compile_for("logit", metric="string"), "threshold does not match a logit.*threshold=0.0"),
    (compile_for("probability", metric="string"), "your baseline outputs a logit.*from_logits=False"),
    (compile_for("logit", metric="unnamed"), "named 'accuracy'"),
    (compile_for("logit", rate=0.01), "learning rate is 0.01, expected 0.001"),
    (compile_for("logit", loss="mse"), "the loss is 'mean_squared_error'"),
    (lambda model, learning_rate=1e-3: None, "not compiled"),
])
def test_compile_model_mistakes_are_named(compile_model, message, reference):
    with pytest.raises(AssertionError, match=message):
        checks.assert_compile_model(compile_model, reference)


def test_compile_model_must_pass_its_learning_rate_on(reference):
    def fixed_rate(model, learning_rate=1e-3):
        compile_for("logit")(model)
    checks.assert_compile_model(fixed_rate, reference)
    with pytest.raises(AssertionError, match="expected 0.005"):
        checks.assert_compile_model(fixed_rate, reference, learning_rate=0.005)
    with pytest.raises(AssertionError, match="neither kind of output"):
        checks.assert_compile_model(compile_for("logit", metric="string"), None)


# --------------------------------------------------------------------------
# Part 3: exactly one change
# --------------------------------------------------------------------------

def stacked(merge_mode="concat", units=128):
    return words(layers.Bidirectional(layers.LSTM(units, return_sequences=True), merge_mode=merge_mode),
                 layers.Bidirectional(layers.LSTM(units), merge_mode=merge_mode), layers.Dense(1))


def schedule(epoch):
    return 1e-3 * 0.6**epoch


def test_describe_the_baseline():
    assert checks.describe(baseline()) == checks.baseline_description()


@pytest.mark.parametrize("name, experiment", [
    ("stacked_bilstm", lambda: models.Experiment(stacked())),
    ("dropout", lambda: models.Experiment(words(layers.SpatialDropout1D(0.3), layers.LSTM(128),
                                            layers.Dropout(0.5), layers.Dense(1)))),
    ("dropout", lambda: models.Experiment(words(layers.LSTM(128, recurrent_dropout=0.2), layers.Dense(1)))),
    ("embedding_size", lambda: models.Experiment(words(layers.LSTM(128), layers.Dense(1), dim=16))),
    ("sequence_length", lambda: models.Experiment(baseline(), max_len=20)),
    ("sequence_length", lambda: models.Experiment(words(layers.LSTM(128), layers.Dense(1), length=60), max_len=60)),
    ("lr_schedule", lambda: models.Experiment(baseline(), callbacks=[keras.callbacks.LearningRateScheduler(schedule)])),
])
def test_valid_experiments_pass(name, experiment, reference):
    checks.assert_experiment(name, experiment(), reference)


def test_stacked_bilstm_total():
    assert stacked().count_params() == models.STACKED_BILSTM_PARAMS == 1_232_129


def test_experiment_on_a_faulty_baseline_counts_once():
    """An experiment built on the student's own (faulty) baseline that changes one thing
    passes, and so does one built as specified."""
    small = words(layers.LSTM(64), layers.Dense(1))
    checks.assert_experiment("sequence_length", models.Experiment(words(layers.LSTM(64), layers.Dense(1)), max_len=20), small)
    checks.assert_experiment("dropout", models.Experiment(words(layers.LSTM(64, dropout=0.2), layers.Dense(1))), small)
    checks.assert_experiment("embedding_size", models.Experiment(words(layers.LSTM(64), layers.Dense(1), dim=16)), small)
    checks.assert_experiment("dropout", models.Experiment(words(layers.LSTM(128, dropout=0.2), layers.Dense(1))), small)
    with pytest.raises(AssertionError, match="also changes recurrent layers.*matches neither"):
        checks.assert_experiment("sequence_length", models.Experiment(words(layers.LSTM(32), layers.Dense(1)), max_len=20), small)
    softmax = baseline(activation="softmax")
    checks.assert_experiment("sequence_length", models.Experiment(baseline(activation="softmax"), max_len=20), softmax)


@pytest.mark.parametrize("name, experiment, message", [
    ("bigger", lambda: models.Experiment(baseline()), "choose one of"),
    ("dropout", lambda: baseline(), "returned a Sequential"),
    ("dropout", lambda: models.Experiment(baseline()), "same as in the baseline"),
    ("dropout", lambda: models.Experiment(words(layers.Dropout(0.2), layers.LSTM(128), layers.Dense(1), dim=32)),
     "also changes embedding"),
    ("embedding_size", lambda: models.Experiment(words(layers.LSTM(128), layers.Dense(1), dim=32, mask=False)),
     "also changes masking"),
    ("stacked_bilstm", lambda: models.Experiment(stacked(merge_mode="sum")), "merge_mode"),
    ("stacked_bilstm", lambda: models.Experiment(stacked(units=64)), "128 units"),
    ("stacked_bilstm", lambda: models.Experiment(words(layers.Bidirectional(layers.LSTM(128)), layers.Dense(1))),
     "found 1 Bidirectional"),
    ("embedding_size", lambda: models.Experiment(words(layers.LSTM(128), layers.Dense(1), vocab=5_000)),
     "changes the vocabulary"),
    ("sequence_length", lambda: models.Experiment(baseline(), max_len=2), "between 5 and 100"),
    ("sequence_length", lambda: models.Experiment(words(layers.LSTM(128), layers.Dense(1), length=40), max_len=20),
     "input has shape"),
    ("lr_schedule", lambda: models.Experiment(baseline(), callbacks=[keras.callbacks.LearningRateScheduler(lambda e: 1e-3)]),
     "in every epoch"),
    ("lr_schedule", lambda: models.Experiment(baseline(), callbacks=[keras.callbacks.EarlyStopping()]),
     "LearningRateScheduler"),
    ("lr_schedule", lambda: models.Experiment(baseline(activation="sigmoid"),
                                          callbacks=[keras.callbacks.LearningRateScheduler(schedule)]),
     "keep the baseline's output"),
    ("dropout", lambda: models.Experiment(words(layers.LSTM(128, return_sequences=True), layers.Dropout(0.3),
                                            layers.Dense(1))), r"outputs shape \(None, None, 1\)"),
])
def test_experiment_mistakes_are_named(name, experiment, message, reference):
    with pytest.raises(AssertionError, match=message):
        checks.assert_experiment(name, experiment(), reference)


def test_scheduled_rates_call_the_schedule_like_keras():
    one = keras.callbacks.LearningRateScheduler(schedule)
    two = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    np.testing.assert_allclose(training.scheduled_rates(one, 3), [1e-3, 6e-4, 3.6e-4])
    np.testing.assert_allclose(training.scheduled_rates(two, 3), [5e-4, 2.5e-4, 1.25e-4])
