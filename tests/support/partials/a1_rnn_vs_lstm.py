"""Hand-written submissions of a1_rnn_vs_lstm, checked by tests/pipeline/test_pipeline.py.

CELLS, a partly correct submission with two local mistakes:

* build_model ends with ``Dense(1, activation="relu")``: a ReLU output cannot
  be negative and stops learning wherever it outputs 0, wrong for a real-valued
  target. Only Part 2 may lose its points, and its message must name the ReLU.
* train forgets gradient clipping (``Adam(learning_rate=0.01)`` without
  ``clipnorm=1.0``). Only Part 3 may lose its points, and its message must say
  clipnorm.
* input_gradient_norms is right. Its test must not depend on the two parts
  above: full marks, although the models it is applied to in the notebook were
  built and trained by the faulty functions.

VARIANT_CELLS, a correct submission written differently from the solution,
which must get full marks everywhere: a Sequential model built with the
``input_shape=`` argument (Keras warns on stderr) and named layers; the loss
as a function object, an extra metric, verbose training, the learning rate
passed positionally and ``clipnorm=1`` as an int; gradients through a
``tf.Variable`` of float64 inputs, returned as a Python list.
"""

CELLS = {
    "build_model": '''
def build_model(cell, units=32, length=LENGTH):
    return keras.Sequential([keras.Input((length, 2)), cell(units), layers.Dense(1, activation="relu")])
''',
    "train": '''
def train(model, x, y, epochs=12):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mean_squared_error")
    return model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
''',
    "input_gradient_norms": '''
def input_gradient_norms(model, x, y):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(tf.square(model(x) - y))
    return tf.norm(tape.gradient(loss, x), axis=-1).numpy().mean(axis=0)
''',
}

# grade_id -> expected outcome, checked by tests/pipeline/test_pipeline.py
EXPECTED = {
    "test_build_model": "zero",
    "test_train": "zero",
    "test_input_gradient_norms": "full",
}

# grade_id -> words the error message of a failed test must contain
MESSAGES = {
    "test_build_model": ["linear", "relu"],
    "test_train": ["clipnorm=1"],
}

VARIANT_CELLS = {
    "build_model": '''
def build_model(cell, units=32, length=LENGTH):
    """Old-tutorial style: the first layer gets input_shape= (Keras 3 warns about it)."""
    model = keras.Sequential(name=f"{cell.__name__.lower()}_adder")
    model.add(cell(units, input_shape=(length, 2), name="memory"))
    model.add(layers.Dense(1, activation="linear", name="sum"))
    return model
''',
    "train": '''
def train(model, x, y, epochs=12):
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1),
                  loss=keras.losses.mean_squared_error, metrics=["mae"])
    history = model.fit(x, y, epochs=epochs, batch_size=64, verbose=2)
    return history
''',
    "input_gradient_norms": '''
def input_gradient_norms(model, x, y):
    inputs = tf.Variable(np.asarray(x, dtype=np.float64))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.mean_squared_error(y, model(inputs)))
    gradient = tape.gradient(loss, inputs).numpy()
    return list(np.linalg.norm(gradient, axis=2).mean(axis=0))
''',
}
