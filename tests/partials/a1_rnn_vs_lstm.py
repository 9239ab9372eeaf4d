"""A hand-written, partly correct submission of a1_rnn_vs_lstm.

build_model and train are right; input_gradient_norms makes the classic
mistake of summing over the batch instead of averaging, which the visible
"repeat the batch twice" test catches. Expected: full marks on the first two
test cells, none on the third.
"""

CELLS = {
    "build_model": '''
def build_model(cell, units=32, length=LENGTH):
    return keras.Sequential([keras.Input((length, 2)), cell(units), layers.Dense(1)])
''',
    "train": '''
def train(model, x, y, epochs=12):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01, clipnorm=1.0),
                  loss="mean_squared_error")
    return model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
''',
    "input_gradient_norms": '''
def input_gradient_norms(model, x, y):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.square(model(x) - y))
    return tf.norm(tape.gradient(loss, x), axis=-1).numpy().mean(axis=0)
''',
}

# grade_id -> expected outcome, checked by tests/test_pipeline.py
EXPECTED = {
    "test_build_model": "full",
    "test_train": "full",
    "test_input_gradient_norms": "zero",
}
