"""A hand-written, partly correct submission of a2_sequence_types.

* build_melody_model is right: full marks for it and for its training run.
* build_direction_model ends with ``Dense(1, activation="softmax")``, the
  classic mix-up of a multi-class output with a yes/no one: a softmax over a
  single unit always outputs 1, so the visible test of the model fails
  ("always 1: ... use sigmoid") and the training run cannot lower the loss.
* build_tagger hard-codes two tags (``Dense(2, ...)``) instead of using its
  ``n_tags`` argument: every visible test passes (the data have two tags) and
  the training run is fine, but the hidden test with five tags fails.

Expected: 8 of the 17 automatic points.
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
                  loss=keras.losses.SparseCategoricalCrossentropy())
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

# grade_id -> expected outcome, checked by tests/test_pipeline.py
EXPECTED = {
    "test_build_melody_model": "full",
    "test_train_melody": "full",
    "test_build_direction_model": "zero",
    "test_train_direction": "zero",
    "test_build_tagger": "zero",
    "test_train_tagger": "full",
}
