import numpy as np
import pytest

from lstm_course import language_model


def test_ngram_bits_per_char_by_hand():
    train = np.array([0, 1, 0, 1, 1])
    valid = np.array([0, 1])
    # unigram: counts 0 -> 2, 1 -> 3 of 5; add-one over 2 symbols: P(0) = 3/7, P(1) = 4/7
    expected = -(np.log2(3 / 7) + np.log2(4 / 7)) / 2
    assert language_model.ngram_bits_per_char(train, valid, 1, 2) == pytest.approx(expected)
    # bigram: contexts 0 -> {1: 2}, 1 -> {0: 1, 1: 1}; the first valid 0 follows the
    # last train 1: P(0 | 1) = (1 + 1) / (2 + 2), then P(1 | 0) = (2 + 1) / (2 + 2)
    expected = -(np.log2(2 / 4) + np.log2(3 / 4)) / 2
    assert language_model.ngram_bits_per_char(train, valid, 2, 2) == pytest.approx(expected)
    # alpha changes the smoothing: P(0) = 2.5 / 6, P(1) = 3.5 / 6
    expected = -(np.log2(2.5 / 6) + np.log2(3.5 / 6)) / 2
    assert language_model.ngram_bits_per_char(train, valid, 1, 2, alpha=0.5) == pytest.approx(expected)


def test_ngram_unseen_symbols_and_contexts_get_the_smoothed_share():
    train = np.array([1, 1, 1])
    # id 3 never seen: unigram P = 1 / (3 + 4); context 3 never seen: bigram P = 1 / 4
    assert language_model.ngram_bits_per_char(train, np.array([3]), 1, 4) == pytest.approx(np.log2(7))
    assert language_model.ngram_bits_per_char(train, np.array([1, 3, 2]), 2, 4) == pytest.approx(
        -(np.log2(3 / 6) + np.log2(1 / 6) + np.log2(1 / 4)) / 3)


def test_ngram_models_are_distributions():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 3, size=50)
    for order in (1, 2, 3):
        # one validation character, predicted from the tail of train: the probabilities sum to 1
        total = sum(2.0 ** -language_model.ngram_bits_per_char(train, np.array([c]), order, 3) for c in range(3))
        assert total == pytest.approx(1.0)


def test_ngram_rejects_bad_input():
    with pytest.raises(ValueError):
        language_model.ngram_bits_per_char(np.array([0, 1]), np.array([2]), 1, 2)
    with pytest.raises(ValueError):
        language_model.ngram_bits_per_char(np.array([0, 1]), np.array([1]), 0, 2)
    with pytest.raises(ValueError):
        language_model.ngram_bits_per_char(np.array([0, 1]), np.array([1]), 1, 2, alpha=0.0)
    with pytest.raises(ValueError):
        language_model.ngram_bits_per_char(np.array([0, 1]), np.array([], dtype=int), 1, 2)
    with pytest.raises(ValueError, match="overflow"):
        language_model.ngram_bits_per_char(np.array([0, 1]), np.array([1]), 12, 68)


def test_bits_per_char_and_perplexity():
    assert language_model.bits_per_char(np.array([0.5, 0.25])) == pytest.approx(1.5)
    assert language_model.bits_per_char(np.full((3, 2), 1 / 8)) == pytest.approx(3.0)
    assert language_model.perplexity(3.0) == pytest.approx(8.0)
    # a uniform guess among V symbols: perplexity V
    assert language_model.perplexity(language_model.bits_per_char(np.full(5, 1 / 26))) == pytest.approx(26.0)
    with pytest.raises(ValueError):
        language_model.bits_per_char(np.array([0.5, 0.0]))
    with pytest.raises(ValueError):
        language_model.bits_per_char(np.array([]))


def test_entropy_bits():
    assert language_model.entropy_bits(np.array([0.5, 0.5])) == pytest.approx(1.0)
    assert language_model.entropy_bits(np.array([1.0, 0.0, 0.0])) == pytest.approx(0.0)
    rows = language_model.entropy_bits(np.array([[0.25] * 4, [0.5, 0.5, 0, 0]]))
    np.testing.assert_allclose(rows, [2.0, 1.0])
    np.testing.assert_allclose(language_model.entropy_bits(np.array([[0.5, 1.0], [0.5, 0.0]]), axis=0), [1.0, 0.0])


def test_temperature_sharpens_and_flattens():
    p = np.array([0.1, 0.6, 0.3])
    np.testing.assert_allclose(language_model.apply_temperature(p, 1.0), p)
    np.testing.assert_array_equal(language_model.apply_temperature(p, 0.0), [0.0, 1.0, 0.0])
    np.testing.assert_allclose(language_model.apply_temperature(p, 0.5), p**2 / np.sum(p**2))
    np.testing.assert_allclose(language_model.apply_temperature(p, 1e-3), [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(language_model.apply_temperature(p, 1e6), np.full(3, 1 / 3), atol=1e-6)
    temperatures = [0.0, 0.2, 0.5, 1.0, 1.5, 3.0]
    entropies = [language_model.entropy_bits(language_model.apply_temperature(p, t)) for t in temperatures]
    assert np.all(np.diff(entropies) > 0)
    # a zero probability stays zero; rows are handled independently
    batch = language_model.apply_temperature(np.array([[0.0, 0.2, 0.8], [0.5, 0.5, 0.0]]), 2.0)
    assert batch[0, 0] == 0.0 and batch[1, 2] == 0.0
    np.testing.assert_allclose(batch.sum(axis=1), 1.0)
    with pytest.raises(ValueError):
        language_model.apply_temperature(p, -1.0)


def test_sample_next_is_seeded_and_greedy_at_zero():
    p = np.array([0.2, 0.5, 0.3])
    draws = [language_model.sample_next(p, 1.0, np.random.default_rng(7)) for _ in range(3)]
    assert len(set(draws)) == 1  # the same seed, the same draw
    rng = np.random.default_rng(0)
    assert {language_model.sample_next(p, 0.0, rng) for _ in range(20)} == {1}
    counts = np.bincount([language_model.sample_next(p, 1.0, rng) for _ in range(4000)], minlength=3) / 4000
    np.testing.assert_allclose(counts, p, atol=0.03)


def test_stateful_batches_continue_each_stream():
    ids = np.arange(26)
    x, y = language_model.stateful_batches(ids, batch_size=3, length=4)
    # 25 usable positions (each needs a target): 2 batches of 3 streams x 4 characters
    assert x.shape == y.shape == (6, 4) and x.dtype == np.int32
    np.testing.assert_array_equal(y, x + 1)  # the target is the next character
    batches = x.reshape(2, 3, 4)
    np.testing.assert_array_equal(batches[0], [[0, 1, 2, 3], [8, 9, 10, 11], [16, 17, 18, 19]])
    np.testing.assert_array_equal(batches[1], [[4, 5, 6, 7], [12, 13, 14, 15], [20, 21, 22, 23]])
    # row i of batch k + 1 starts where row i of batch k stopped
    np.testing.assert_array_equal(batches[1][:, 0], batches[0][:, -1] + 1)
    with pytest.raises(ValueError):
        language_model.stateful_batches(np.arange(12), batch_size=3, length=4)
    with pytest.raises(ValueError):
        language_model.stateful_batches(ids, batch_size=0, length=4)


def test_generate_with_a_toy_model():
    # a "model" that always predicts the symbol after the one it read (mod 4), with probability 0.7
    def step(symbol, state):
        probs = np.full(4, 0.1)
        probs[(symbol + 1) % 4] = 0.7
        return probs, state + 1

    start = step(2, 0)  # the distribution after a prompt that ends with 2, and the state
    ids, used = language_model.generate(step, *start, length=6, temperature=0.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(ids, [3, 0, 1, 2, 3, 0])
    assert used.shape == (6, 4) and np.all(used.max(axis=1) == 1.0)
    one = language_model.generate(step, *start, 50, 1.0, np.random.default_rng(3))
    two = language_model.generate(step, *start, 50, 1.0, np.random.default_rng(3))
    np.testing.assert_array_equal(one[0], two[0])
    hot = language_model.generate(step, *start, 200, 1.5, np.random.default_rng(3))
    assert language_model.entropy_bits(hot[1]).mean() > language_model.entropy_bits(one[1]).mean()


def test_char_lstm_matches_keras():
    import keras
    from keras import layers

    from lstm_course.notebook import reset

    reset(3)
    model = keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(7, 3),
                              layers.LSTM(5, return_sequences=True), layers.Dense(7)])
    ids = np.random.default_rng(0).integers(0, 7, size=(2, 9))
    expected = keras.ops.convert_to_numpy(keras.ops.softmax(model(ids), axis=-1))
    char_model = language_model.CharLSTM.from_keras(model)
    assert char_model.units == 5
    run = char_model.run(ids, return_gates=True)
    np.testing.assert_allclose(run.probs, expected, atol=1e-5)
    assert run.gates["forget"].shape == (2, 9, 5) and run.state[0].shape == (2, 5)
    # reading in two parts with the state carried = reading at once
    first = char_model.run(ids[:, :4])
    np.testing.assert_allclose(char_model.run(ids[:, 4:], first.state).probs, run.probs[:, 4:], atol=1e-12)
    # one stream, one character at a time
    probs, state = char_model.step(int(ids[0, 0]), None)
    np.testing.assert_allclose(probs, run.probs[0, 0], atol=1e-12)
    probs, _ = char_model.step(int(ids[0, 1]), state)
    np.testing.assert_allclose(probs, run.probs[0, 1], atol=1e-12)
    with pytest.raises(ValueError, match="LSTM"):
        language_model.CharLSTM.from_keras(keras.Sequential([keras.Input((3,)), layers.Dense(2)]))


def test_stateful_batches_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstm_course import diagrams

    fig, ax = plt.subplots()
    diagrams.draw_stateful_batches(ax, "to be or not to be, that is", 3, 4, title="streams")
    texts = {t.get_text() for t in ax.texts}
    assert {"stream 1", "stream 3", "batch 1", "batch 2"} <= texts and ax.get_title() == "streams"
    with pytest.raises(ValueError):
        diagrams.draw_stateful_batches(ax, "short", 3, 4)
    plt.close(fig)
