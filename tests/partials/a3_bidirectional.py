"""A hand-written, partly correct submission of a3_bidirectional.

build_tagger and train_tagger are right. boundary_f1 divides without guarding
against zero denominators, so a tagging that finds no boundary gets an F1 of
NaN (0 / 0) instead of 0: the visible "one character late" test catches it.
split_rate_by_length looks for predicted boundaries from a word's own first
character on (``y_pred[a:b]`` instead of ``y_pred[a + 1:b]``), so a correctly
predicted word start counts as a cut: the visible hand-made case catches it.
Expected: full marks for Parts 1 and 3, none for Parts 2 and 4.
"""

CELLS = {
    "build_tagger": '''
def build_tagger(bidirectional, vocab_size=VOCAB_SIZE, units=32, embed_dim=16, length=LENGTH):
    lstm = layers.LSTM(units, return_sequences=True)
    model = keras.Sequential()
    model.add(keras.Input(shape=(length,)))
    model.add(layers.Embedding(vocab_size, embed_dim))
    model.add(layers.Bidirectional(lstm) if bidirectional else lstm)
    model.add(layers.TimeDistributed(layers.Dense(1, activation="sigmoid")))
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
        cut[min(b - a, max_length)].append(bool(np.any(y_pred[a:b])))
    return np.array([np.mean(c) if c else np.nan for c in cut.values()])
''',
}

# grade_id -> expected outcome, checked by tests/test_pipeline.py
EXPECTED = {
    "test_build_tagger": "full",
    "test_boundary_f1": "zero",
    "test_train_tagger": "full",
    "test_split_rate_by_length": "zero",
}
