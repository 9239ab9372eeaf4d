"""Hand-written submissions of a3_bidirectional, checked by tests/pipeline/test_pipeline.py.

CELLS, a partly correct submission with two local mistakes in the first parts,
whose functions the later parts of the notebook use:

* build_tagger never wraps the LSTM (``if bidirectional == "yes"``), so the
  "bidirectional" tagger is a unidirectional one: Part 1 loses its points,
  and its message says Bidirectional.
* boundary_f1 divides without guarding against zero denominators, so a
  tagging that finds no boundary gets an F1 of NaN (0 / 0) instead of 0:
  Part 2 loses its points, and its message says NaN.
* train_tagger and split_rate_by_length are right. The training cell trains
  the faulty taggers and scores them with the faulty boundary_f1, so the
  bidirectional tagger does not beat the unidirectional one; still, Parts 3
  and 4 get full marks: their tests do not depend on Parts 1 and 2.

VARIANT_CELLS, a correct submission written differently from the solution,
which must get full marks everywhere: the functional API with named layers,
an int32 input and TimeDistributed; boundary_f1 that computes NaN (NumPy warns
on stderr) and replaces it by 0, returning a list of NumPy floats; a loss
function object, an extra metric and ``verbose=False``; a vectorised
split_rate_by_length whose ``cuts / totals`` gives NaN with a RuntimeWarning
where no word has a length.
"""

CELLS = {
    "build_tagger": '''
def build_tagger(bidirectional, vocab_size=VOCAB_SIZE, units=32, embed_dim=16, length=LENGTH):
    lstm = layers.LSTM(units, return_sequences=True)
    model = keras.Sequential()
    model.add(keras.Input(shape=(length,)))
    model.add(layers.Embedding(vocab_size, embed_dim))
    model.add(layers.Bidirectional(lstm) if bidirectional == "yes" else lstm)
    model.add(layers.Dense(1, activation="sigmoid"))
    return model
''',
    "boundary_f1": '''
def boundary_f1(y_true, y_prob, threshold=0.5):
    truth = np.ravel(y_true)
    predicted = (np.ravel(y_prob) >= threshold).astype(int)
    tp = np.sum(truth * predicted)
    precision = tp / np.sum(predicted)
    recall = tp / np.sum(truth)
    f1 = 2 * precision * recall / (precision + recall)
    return precision, recall, f1
''',
    "train_tagger": '''
def train_tagger(model, x, y, epochs=6):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.BinaryCrossentropy())
    history = model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    return history
''',
    "split_rate_by_length": '''
def split_rate_by_length(y_true, y_pred, max_length=10):
    starts = list(np.flatnonzero(y_true)) + [len(y_true)]
    cut = {n: [] for n in range(1, max_length + 1)}
    for a, b in zip(starts[:-1], starts[1:]):
        cut[min(b - a, max_length)].append(bool(np.any(y_pred[a + 1:b])))
    return np.array([np.mean(c) if c else np.nan for c in cut.values()])
''',
}

# grade_id -> expected outcome, checked by tests/pipeline/test_pipeline.py
EXPECTED = {
    "test_build_tagger": "zero",
    "test_boundary_f1": "zero",
    "test_train_tagger": "full",
    "test_split_rate_by_length": "full",
}

# grade_id -> words the error message of a failed test must contain
MESSAGES = {
    "test_build_tagger": ["Bidirectional"],
    "test_boundary_f1": ["NaN"],
}

VARIANT_CELLS = {
    "build_tagger": '''
def build_tagger(bidirectional, vocab_size=VOCAB_SIZE, units=32, embed_dim=16, length=LENGTH):
    chars = keras.Input(shape=(length,), dtype="int32", name="chars")
    vectors = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim, name="char_vectors")(chars)
    reader = layers.LSTM(units, return_sequences=True, name="reader")
    states = (layers.Bidirectional(reader, name="both_ways") if bidirectional else reader)(vectors)
    starts = layers.TimeDistributed(layers.Dense(1, activation="sigmoid"), name="word_start")(states)
    return keras.Model(chars, starts, name="bi_tagger" if bidirectional else "uni_tagger")
''',
    "boundary_f1": '''
def boundary_f1(y_true, y_prob, threshold=0.5):
    truth = np.asarray(y_true).reshape(-1).astype(bool)
    predicted = np.asarray(y_prob).reshape(-1) >= threshold
    tp = np.sum(truth & predicted)
    fp = np.sum(~truth & predicted)
    fn = np.sum(truth & ~predicted)
    precision = np.float64(tp) / (tp + fp)  # NaN, with a RuntimeWarning, when nothing is predicted
    recall = np.float64(tp) / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    return list(np.nan_to_num([precision, recall, f1]))
''',
    "train_tagger": '''
def train_tagger(model, x, y, epochs=6):
    model.compile(keras.optimizers.Adam(1e-2), loss=keras.losses.binary_crossentropy,
                  metrics=["accuracy"])
    return model.fit(x, y, epochs=epochs, batch_size=64, verbose=False)
''',
    "split_rate_by_length": '''
def split_rate_by_length(y_true, y_pred, max_length=10):
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    starts = np.flatnonzero(y_true == 1)
    ends = np.append(starts[1:], y_true.size)
    lengths = np.minimum(ends - starts, max_length)
    seen = np.cumsum(y_pred == 1)  # boundaries predicted up to each position
    cut = (seen[ends - 1] - seen[starts]) > 0  # one inside the word, after its first character
    totals = np.bincount(lengths - 1, minlength=max_length)
    cuts = np.bincount(lengths - 1, weights=cut, minlength=max_length)
    return cuts / totals  # 0 / 0 = NaN where no word has this length
''',
}
