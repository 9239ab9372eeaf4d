"""Hand-written submissions of a5_generation, checked by tests/pipeline/test_pipeline.py.

CELLS, a partly correct submission with two local mistakes:

* sample_with_temperature multiplies the log-probabilities by the temperature
  instead of dividing: right at temperatures 0 and 1, but at 0.5 it flattens
  the distribution that it should sharpen. Part 1 loses its points, and its
  message says to divide.
* bits_per_char is right.
* shift_right shifts in place: it overwrites its argument. The cell after it
  passes a copy, so the training windows are untouched; Part 3 loses its
  points, and its message says the function changed its argument.
* build_generator is right, and the generator it builds is trained on the
  course's windows (not on the output of shift_right): Part 4 gets full marks.

VARIANT_CELLS, a correct submission written differently from the solution,
which must get full marks everywhere: a sampler that takes ``np.log`` of zero
probabilities without silencing NumPy's warning and returns a NumPy integer;
bits per character through natural logarithms and fancy indexing; a
``shift_right`` built with ``np.roll`` that returns a list; a generator built
with the functional API, named layers, an int64 input and a separate
``Softmax`` layer.
"""

CELLS = {
    "sample_with_temperature": '''
def sample_with_temperature(probabilities, temperature, rng):
    p = np.asarray(probabilities, dtype=np.float64)
    if temperature == 0:
        return int(np.argmax(p))
    with np.errstate(divide="ignore"):
        logits = np.log(p) * temperature
    q = np.exp(logits - logits.max())
    return int(rng.choice(len(q), p=q / q.sum()))
''',
    "bits_per_char": '''
def bits_per_char(probabilities, targets):
    probabilities = np.asarray(probabilities)
    targets = np.asarray(targets)
    picked = np.take_along_axis(probabilities, targets[..., np.newaxis], axis=-1)
    return float(np.mean(-np.log2(picked)))
''',
    "shift_right": '''
def shift_right(targets, start_id):
    targets[:, 1:] = targets[:, :-1].copy()
    targets[:, 0] = start_id
    return targets
''',
    "build_generator": '''
def build_generator(vocab_size=VOCAB_SIZE, embed_dim=32, units=64):
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(layers.Embedding(vocab_size, embed_dim))
    model.add(layers.LSTM(units, return_sequences=True))
    model.add(layers.Dense(vocab_size, activation="softmax"))
    return model
''',
}

# grade_id -> expected outcome, checked by tests/pipeline/test_pipeline.py
EXPECTED = {
    "test_sample_with_temperature": "zero",
    "test_bits_per_char": "full",
    "test_shift_right": "zero",
    "test_build_generator": "full",
}

# grade_id -> words the error message of a failed test must contain
MESSAGES = {
    "test_sample_with_temperature": ["temperature 0.5", "divide"],
    "test_shift_right": ["changed its argument"],
}

VARIANT_CELLS = {
    "sample_with_temperature": '''
def sample_with_temperature(probabilities, temperature, rng):
    p = np.array(probabilities, dtype=float)
    if temperature <= 1e-12:
        return np.argmax(p)
    scaled = np.log(p) / temperature  # log(0) = -inf: NumPy warns, exp(-inf) = 0 is what we want
    weights = np.exp(scaled - np.max(scaled))
    return rng.choice(np.arange(p.size), p=weights / np.sum(weights))
''',
    "bits_per_char": '''
def bits_per_char(probabilities, targets):
    p = np.asarray(probabilities, dtype=np.float64)
    t = np.asarray(targets).reshape(-1)
    p = p.reshape(-1, p.shape[-1])
    nats = -np.log(p[np.arange(t.size), t])
    return nats.mean() / np.log(2)
''',
    "shift_right": '''
def shift_right(targets, start_id):
    shifted = np.roll(np.asarray(targets), 1, axis=1)
    shifted[:, 0] = start_id
    return shifted.tolist()
''',
    "build_generator": '''
def build_generator(vocab_size=VOCAB_SIZE, embed_dim=32, units=64):
    chars = keras.Input(shape=(None,), dtype="int64", name="chars")
    vectors = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim, name="char_vectors")(chars)
    states = layers.LSTM(units=units, return_sequences=True, name="reader")(vectors)
    logits = layers.Dense(vocab_size, name="next_char_logits")(states)
    return keras.Model(chars, layers.Softmax(name="next_char")(logits), name="writer")
''',
}
