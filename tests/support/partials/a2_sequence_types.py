"""Hand-written submissions of a2_sequence_types, checked by tests/pipeline/test_pipeline.py.

CELLS, a partly correct submission. Each part of this assignment has its own
function; a part's training run trains the model of that part's function, so
a model that cannot learn loses its training points too, and nothing else:

* build_melody_model is right (with an extra metric, which the training cell
  must tolerate): full marks for it and for its training run.
* build_direction_model ends with ``Dense(1, activation="softmax")``, the
  classic mix-up of a multi-class output with a yes/no one: a softmax over a
  single unit always outputs 1, so the visible test of the model fails
  ("always 1: ... use sigmoid") and the training run cannot lower the loss.
* build_tagger hard-codes two tags (``Dense(2, ...)``) instead of using its
  ``n_tags`` argument: every visible test passes (the data have two tags) and
  the training run is fine, but the hidden test with five tags fails.

Expected: 8 of the 17 automatic points.

VARIANT_CELLS, a correct submission written differently from the solution,
which must get full marks everywhere: the functional API with named layers and
a separate Softmax layer, a loss function object and metrics; a Sequential
model built with ``input_shape=`` (Keras warns on stderr); a Sequential model
with no input at all (built when it first sees data), an Activation layer at
the end and a loss object.
"""

CELLS = {
    "build_melody_model": '''
def build_melody_model(n_pitches, steps, units=32):
    model = keras.Sequential([
        keras.Input((n_pitches,)),
        layers.RepeatVector(steps),
        layers.LSTM(units, return_sequences=True),
        layers.Dense(n_pitches, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model
''',
    "build_direction_model": '''
def build_direction_model(window, n_features, units=16):
    model = keras.Sequential([
        keras.Input((window, n_features)),
        layers.LSTM(units),
        layers.Dense(1, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    return model
''',
    "build_tagger": '''
def build_tagger(length, n_chars, n_tags, units=32):
    model = keras.Sequential([
        keras.Input((length,), dtype="int32"),
        layers.Embedding(n_chars, 16),
        layers.LSTM(units, return_sequences=True),
        layers.TimeDistributed(layers.Dense(2, activation="softmax")),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy")
    return model
''',
}

# grade_id -> expected outcome, checked by tests/pipeline/test_pipeline.py
EXPECTED = {
    "test_build_melody_model": "full",
    "test_train_melody": "full",
    "test_build_direction_model": "zero",
    "test_train_direction": "zero",
    "test_build_tagger": "zero",
    "test_train_tagger": "full",
}

# grade_id -> words the error message of a failed test must contain
MESSAGES = {
    "test_build_direction_model": ["always 1", "sigmoid"],
    "test_train_direction": ["always 1", "sigmoid"],
    "test_build_tagger": ["n_tags"],
}

VARIANT_CELLS = {
    "build_melody_model": '''
def build_melody_model(n_pitches, steps, units=32):
    note = keras.Input(shape=(n_pitches,), name="note")
    repeated = layers.RepeatVector(steps, name="copies")(note)
    states = layers.LSTM(units, return_sequences=True, name="melody")(repeated)
    scores = layers.Dense(n_pitches, name="pitch_scores")(states)
    model = keras.Model(note, layers.Softmax(name="pitch_probabilities")(scores))
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.sparse_categorical_crossentropy, metrics=["accuracy"])
    return model
''',
    "build_direction_model": '''
def build_direction_model(window, n_features, units=16):
    model = keras.Sequential([
        layers.LSTM(units, input_shape=(window, n_features)),
        layers.Dense(1, activation=keras.activations.sigmoid),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.BinaryCrossentropy(), metrics=["accuracy", keras.metrics.AUC()])
    return model
''',
    "build_tagger": '''
def build_tagger(length, n_chars, n_tags, units=32):
    model = keras.Sequential(name="tagger")  # no keras.Input: Keras builds it on the first batch
    model.add(layers.Embedding(input_dim=n_chars, output_dim=16))
    model.add(layers.LSTM(units=units, return_sequences=True))
    model.add(layers.Dense(n_tags))
    model.add(layers.Activation("softmax"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["sparse_categorical_accuracy"])
    return model
''',
}
