"""A hand-written, partly correct submission of a4_sentiment.

* build_baseline is right (a logit output).
* compile_model uses the right loss, BinaryCrossentropy(from_logits=True), but
  metrics=["accuracy"]: Keras then compares the logit with 0.5 instead of 0, so
  the reported accuracy does not match the predictions. The visible test of
  Part 2 catches it.
* The experiment (a shorter sequence, 20 word positions) is right.
* final_log_line writes "Epoch n/n" from the number of epochs that ran, which
  passes the visible test (training ran all its epochs) but not the hidden one
  (a run stopped early after 3 of 5 epochs).

Expected: full marks for Parts 1 and 3, none for Parts 2 and 4.
"""

CELLS = {
    "build_baseline": '''
def build_baseline(vocab_size=VOCAB_SIZE, embed_dim=64, units=128):
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(layers.Embedding(input_dim=vocab_size, output_dim=embed_dim))
    model.add(layers.LSTM(units))
    model.add(layers.Dense(1))
    return model
''',
    "compile_model": '''
def compile_model(model, learning_rate=1e-3):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=["accuracy"])
''',
    "build_experiment": '''
EXPERIMENT = "sequence_length"


def build_experiment():
    return Experiment(build_baseline(), max_len=20)
''',
    "final_log_line": '''
def final_log_line(history):
    h = history.history
    n = len(history.epoch)
    return (f"Epoch {n}/{n} - loss: {h['loss'][-1]:.4f} - accuracy: {h['accuracy'][-1]:.4f} - "
            f"val_loss: {h['val_loss'][-1]:.4f} - val_accuracy: {h['val_accuracy'][-1]:.4f}")
''',
}

# grade_id -> expected outcome, checked by tests/test_pipeline.py
EXPECTED = {
    "test_build_baseline": "full",
    "test_compile_model": "zero",
    "test_experiment": "full",
    "test_final_log_line": "zero",
}
