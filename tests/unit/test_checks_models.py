import functools

import keras
import numpy as np
import pytest
from keras import layers

from lstm_course import checks


def one_to_many(repeat=True, activation="softmax", n=6, steps=3):
    stack = [keras.Input((n,))]
    if repeat:
        stack.append(layers.RepeatVector(steps))
    stack += [layers.LSTM(4, return_sequences=True),
              layers.TimeDistributed(layers.Dense(n, activation=activation))]
    return keras.Sequential(stack)


def many_to_one(return_sequences=False, activation="sigmoid"):
    return keras.Sequential([keras.Input((5, 2)), layers.LSTM(3, return_sequences=return_sequences),
                             layers.Dense(1, activation=activation)])


def test_build_passes_a_model_through():
    model = checks.build(one_to_many, what="one_to_many()")
    assert isinstance(model, keras.Model)


@pytest.mark.parametrize("make, expected", [
    (lambda: one_to_many(repeat=False), "RepeatVector"),
    (lambda: keras.Sequential([keras.Input((4, 2)), layers.LSTM(3),
                               layers.TimeDistributed(layers.Dense(2))]), "return_sequences=True"),
    (lambda: keras.Sequential([keras.Input((4, 1), dtype="int32"), layers.Embedding(5, 3),
                               layers.LSTM(3)]), "shape (length,)"),
])
def test_build_explains_keras_errors(make, expected):
    with pytest.raises(AssertionError, match=r"raised ValueError") as info:
        checks.build(make, what="f()")
    assert expected in str(info.value)


def test_build_keeps_not_implemented_and_rejects_non_models():
    def stub():
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        checks.build(stub)
    with pytest.raises(AssertionError, match="returned None"):
        checks.build(lambda: None, what="f()")


def test_output_activation():
    assert checks.output_activation(one_to_many()) == "softmax"
    assert checks.output_activation(many_to_one()) == "sigmoid"
    assert checks.output_activation(many_to_one(activation=None)) == "linear"
    softmax_layer = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Softmax()])
    assert checks.output_activation(softmax_layer) == "softmax"
    checks.assert_output_activation(one_to_many(), "softmax")
    with pytest.raises(AssertionError, match="uses sigmoid, expected softmax"):
        checks.assert_output_activation(one_to_many(activation="sigmoid"), "softmax")
    with pytest.raises(AssertionError, match="no activation"):
        checks.assert_output_activation(many_to_one(activation=None), "sigmoid")


def test_assert_probabilities():
    x = np.eye(6, dtype="float32")[[0, 3]]
    checks.assert_probabilities(one_to_many()(x), "softmax")
    with pytest.raises(AssertionError, match="does not sum to 1"):
        checks.assert_probabilities(one_to_many(activation="sigmoid")(x), "softmax")
    windows = np.random.default_rng(0).normal(size=(4, 5, 2)).astype("float32")
    checks.assert_probabilities(many_to_one()(windows), "sigmoid")
    with pytest.warns(UserWarning, match="always return the value 1"):
        stuck = many_to_one(activation="softmax")(windows)
    with pytest.raises(AssertionError, match="always 1"):
        checks.assert_probabilities(stuck, "sigmoid")
    with pytest.raises(AssertionError, match="not probabilities"):
        checks.assert_probabilities(np.array([[-2.0], [3.0]]), "sigmoid")
    with pytest.raises(AssertionError, match="NaN"):
        checks.assert_probabilities(np.array([np.nan]), "sigmoid")
    with pytest.raises(ValueError):
        checks.assert_probabilities(np.array([0.5]), "relu")


@pytest.mark.parametrize("build, loss, expected", [
    *[("many_to_one", loss, "binary_crossentropy") for loss in [
        "binary_crossentropy", "bce", keras.losses.BinaryCrossentropy(), keras.losses.binary_crossentropy]],
    *[("regression", loss, "mean_squared_error") for loss in [
        "mse", "mean_squared_error", "MeanSquaredError", keras.losses.mean_squared_error,
        keras.losses.MeanSquaredError(), functools.partial(keras.losses.mean_squared_error)]],
])
def test_loss_name_accepts_every_spelling_of_a_loss(build, loss, expected):
    model = {"many_to_one": many_to_one, "regression": regression}[build]()
    model.compile(optimizer="adam", loss=loss)
    assert checks.loss_name(model) == expected
    checks.assert_loss(model, expected)


def test_assert_loss_explains_mix_ups():
    model = one_to_many()
    with pytest.raises(AssertionError, match="not compiled"):
        checks.assert_loss(model, "sparse_categorical_crossentropy")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(AssertionError, match="one-hot targets"):
        checks.assert_loss(model, "sparse_categorical_crossentropy")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(AssertionError, match="categorical cross-entropy"):
        checks.assert_loss(model, "sparse_categorical_crossentropy")
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy())
    checks.assert_loss(model, "sparse_categorical_crossentropy")
    single = many_to_one()
    single.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(AssertionError, match="one probability"):
        checks.assert_loss(single, "binary_crossentropy")
    single.compile(optimizer="adam", loss="mse")
    with pytest.raises(AssertionError, match="'mean_squared_error', expected 'binary_crossentropy'"):
        checks.assert_loss(single, "binary_crossentropy")


def test_assert_return_sequences():
    checks.assert_return_sequences(many_to_one(), last=False)
    checks.assert_return_sequences(one_to_many(), last=True)
    with pytest.raises(AssertionError, match="remove return_sequences=True"):
        checks.assert_return_sequences(many_to_one(return_sequences=True), last=False)
    with pytest.raises(AssertionError, match="set return_sequences=True so"):
        checks.assert_return_sequences(many_to_one(), last=True)
    stacked = keras.Sequential([keras.Input((5, 2)), layers.Bidirectional(layers.LSTM(3)),
                                layers.RepeatVector(5), layers.GRU(2), layers.Dense(1)])
    assert len(checks.recurrent_layers(stacked)) == 2
    checks.assert_return_sequences(stacked, last=False)
    no_rnn = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    with pytest.raises(AssertionError, match="no recurrent layer"):
        checks.assert_return_sequences(no_rnn, last=False)



def regression(activation=None):
    return keras.Sequential([keras.Input((5, 2)), layers.LSTM(3), layers.Dense(1, activation=activation)])


def test_output_activation_linear_for_a_regression_target():
    checks.assert_output_activation(regression(), "linear")
    checks.assert_output_activation(regression("linear"), "linear")
    with pytest.raises(AssertionError, match="must be linear .* for a regression target: found activation 'relu'. "
                                             "A ReLU output can never be negative"):
        checks.assert_output_activation(regression("relu"), "linear")
    with pytest.raises(AssertionError, match="found activation 'sigmoid'.*into \\(0, 1\\)"):
        checks.assert_output_activation(regression("sigmoid"), "linear")
    with pytest.raises(AssertionError, match="uses relu, expected sigmoid.*a yes/no outcome"):
        checks.assert_output_activation(regression("relu"), "sigmoid")


def test_from_logits_is_read_from_objects_and_partials():
    model = many_to_one()
    for loss, expected in [("binary_crossentropy", False), (keras.losses.binary_crossentropy, False),
                           (keras.losses.BinaryCrossentropy(), False),
                           (keras.losses.BinaryCrossentropy(from_logits=True), True),
                           (functools.partial(keras.losses.binary_crossentropy, from_logits=True), True)]:
        model.compile(optimizer="adam", loss=loss)
        assert checks.loss_from_logits(model) is expected
    with pytest.raises(AssertionError, match="from_logits=True, which says the output is a logit"):
        checks.assert_loss(model, "binary_crossentropy")
    logits = many_to_one(activation=None)
    logits.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    checks.assert_loss(logits, "binary_crossentropy")


def compiled(optimizer):
    model = regression()
    model.compile(optimizer=optimizer, loss="mse")
    return model


def test_assert_optimizer_accepts_every_spelling():
    for optimizer in (keras.optimizers.Adam(0.01, clipnorm=1), keras.optimizers.Adam(learning_rate=1e-2, clipnorm=1.0)):
        checks.assert_optimizer(compiled(optimizer), "Adam", learning_rate=0.01, clipnorm=1.0)
    checks.assert_optimizer(compiled("adam"), "Adam", learning_rate=1e-3)
    checks.assert_optimizer(compiled("adam"))


@pytest.mark.parametrize("optimizer, message", [
    (None, "not compiled"),
    (keras.optimizers.SGD(0.01, clipnorm=1.0), "is SGD, expected Adam"),
    ("adam", r"0.001 \(Adam's default, e.g. from optimizer='adam'\), expected 0.01"),
    (keras.optimizers.Adam(0.01), "does not clip gradients: pass clipnorm=1"),
    (keras.optimizers.Adam(0.01, clipvalue=1.0), "clipvalue, which clips every gradient entry"),
    (keras.optimizers.Adam(0.01, global_clipnorm=1.0), "global_clipnorm"),
    (keras.optimizers.Adam(0.01, clipnorm=5.0), "clipnorm is 5"),
])
def test_assert_optimizer_names_the_mistake(optimizer, message):
    model = regression() if optimizer is None else compiled(optimizer)
    with pytest.raises(AssertionError, match=message):
        checks.assert_optimizer(model, "Adam", learning_rate=0.01, clipnorm=1.0)
