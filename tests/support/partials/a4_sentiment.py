"""Hand-written submissions of a4_sentiment, checked by tests/pipeline/test_pipeline.py.

CELLS, a partly correct submission with two local mistakes:

* build_baseline ends with ``Dense(1, activation="softmax")``: a softmax over
  a single unit always outputs 1.0, so the baseline cannot learn. Part 1 loses
  its points, and its message says softmax.
* compile_model is right for a logit. Its test compiles stand-in models, not
  the faulty baseline: full marks, although the baseline it compiled did not
  learn (a softmax output is neither a logit nor a probability).
* The experiment (a shorter sequence, 20 word positions) is built on the
  faulty baseline and changes exactly one thing: full marks. It does not
  learn either, but neither did the baseline, so that is not its fault.
* final_log_line writes "Epoch n/n" from the number of epochs that ran, which
  passes the visible test (a finished run) but not the hidden one (a run
  stopped early after 3 of 5 epochs): Part 4 loses its points, and its
  message shows the expected "Epoch 3/5".

VARIANT_CELLS, a correct submission written differently from the solution,
which must get full marks everywhere: a probability output built with the
functional API, named layers and a fixed input length; the loss as a function
object with two metrics; the lr_schedule experiment on build_baseline(); a
report line formatted with ``format`` and ``join``.
"""

CELLS = {
    "build_baseline": '''
def build_baseline(vocab_size=VOCAB_SIZE, embed_dim=64, units=128):
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(layers.Embedding(input_dim=vocab_size, output_dim=embed_dim, mask_zero=True))
    model.add(layers.LSTM(units))
    model.add(layers.Dense(1, activation="softmax"))
    return model
''',
    "compile_model": '''
def compile_model(model, learning_rate=1e-3):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)])
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

# grade_id -> expected outcome, checked by tests/pipeline/test_pipeline.py
EXPECTED = {
    "test_build_baseline": "zero",
    "test_compile_model": "full",
    "test_experiment": "full",
    "test_final_log_line": "zero",
}

# grade_id -> words the error message of a failed test must contain
MESSAGES = {
    "test_build_baseline": ["softmax"],
    "test_final_log_line": ["Epoch 3/5"],
}

VARIANT_CELLS = {
    "build_baseline": '''
def build_baseline(vocab_size=VOCAB_SIZE, embed_dim=64, units=128):
    words = keras.Input(shape=(MAX_LEN,), dtype="int32", name="words")
    vectors = layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="word_vectors")(words)
    summary = layers.LSTM(units, name="reader")(vectors)
    fresh = layers.Dense(1, activation="sigmoid", name="p_fresh")(summary)
    return keras.Model(inputs=words, outputs=fresh, name="baseline")
''',
    "compile_model": '''
def compile_model(model, learning_rate=1e-3):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.binary_crossentropy,
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
''',
    "build_experiment": '''
EXPERIMENT = "lr_schedule"


def build_experiment():
    decay = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.6)
    return Experiment(build_baseline(), callbacks=[decay])
''',
    "final_log_line": '''
def final_log_line(history):
    last = {key: values[-1] for key, values in history.history.items()}
    parts = [f"Epoch {history.epoch[-1] + 1}/{history.params['epochs']}"]
    parts += [key + ": " + format(last[key], ".4f") for key in ["loss", "accuracy", "val_loss", "val_accuracy"]]
    return " - ".join(parts)
''',
}

# More correct submissions, run by the seed sweep (tools/seeds.py --variants) under
# every seed but not graded by the pipeline test: the shortest reviews that the
# sequence_length experiment allows. Such an experiment does worse than the baseline,
# which is a result for Part 5, not a mistake: it must keep its full marks under any seed.
SWEEP_VARIANTS = {
    "sequence_length_5": {
        "build_experiment": '''
EXPERIMENT = "sequence_length"


def build_experiment():
    return Experiment(build_baseline(), max_len=5)
''',
    },
}
