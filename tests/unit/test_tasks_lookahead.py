import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course import diagrams, preprocessing, tasks  # noqa: E402


def test_offset_recall_targets_are_the_shifted_inputs():
    task = tasks.offset_recall(50, 12, [-2, 0, 3], n_symbols=5, seed=4)
    assert task.x.shape == (50, 12, 5) and task.y.shape == task.valid.shape == (50, 12, 3)
    assert np.array_equal(task.x.argmax(-1), task.symbols)
    assert np.array_equal(task.y[:, 2:, 0], task.symbols[:, :-2])
    assert np.array_equal(task.y[:, :, 1], task.symbols)
    assert np.array_equal(task.y[:, :-3, 2], task.symbols[:, 3:])
    assert task.valid[:, :2, 0].sum() == 0 and task.valid[:, -3:, 2].sum() == 0
    assert task.valid[:, 2:, 0].all() and task.valid[:, :-3, 2].all()


def test_offset_recall_is_seeded_and_validated():
    a, b = tasks.offset_recall(5, 8, [1], seed=1), tasks.offset_recall(5, 8, [1], seed=1)
    assert np.array_equal(a.symbols, b.symbols)
    assert not np.array_equal(a.symbols, tasks.offset_recall(5, 8, [1], seed=2).symbols)
    with pytest.raises(ValueError):
        tasks.offset_recall(5, 8, [8])


def test_accuracy_by_offset_scores_valid_targets_only():
    task = tasks.offset_recall(20, 10, [-1, 0, 1], n_symbols=4, seed=0)
    perfect = np.eye(4)[task.y]
    assert np.allclose(tasks.accuracy_by_offset(perfect, task), 1.0)
    # Right only at offset 0: the others score 0 on their valid targets.
    guess = np.eye(4)[np.repeat(task.symbols[..., None], 3, axis=-1)]
    acc = tasks.accuracy_by_offset(guess, task)
    assert acc[1] == 1.0 and acc[0] < 0.5 and acc[2] < 0.5
    with pytest.raises(ValueError):
        tasks.accuracy_by_offset(perfect[:, :5], task)


def test_next_word_capital_tags():
    tags = tasks.next_word_capital_tags("to Be or\nNot to")
    # characters up to the start of the last word ("to")
    assert tags.text == "to Be or\nNot "
    #                  t o _ B e _ o r \n N o t _
    assert tags.tags.tolist() == [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]
    assert tags.distance.tolist() == [3, 2, 1, 3, 2, 1, 3, 2, 1, 4, 3, 2, 1]
    with pytest.raises(ValueError):
        tasks.next_word_capital_tags("single")


def test_next_word_capital_tags_on_leading_and_repeated_space():
    tags = tasks.next_word_capital_tags("  a  B")
    assert tags.text == "  a  " and tags.tags.tolist() == [0, 0, 1, 1, 1]
    assert tags.distance.tolist() == [2, 1, 3, 2, 1]


def test_windows():
    w = preprocessing.windows(np.arange(10), 4)
    assert w.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert preprocessing.windows(np.arange(6), 4, step=1).shape == (3, 4)
    with pytest.raises(ValueError):
        preprocessing.windows(np.arange(3), 4)


def test_accuracy_by_distance():
    predicted = np.array([1, 0, 1, 1, 0])
    truth = np.array([1, 1, 1, 0, 0])
    distance = np.array([1, 1, 2, 3, 7])
    acc, count = tasks.accuracy_by_distance(predicted, truth, distance, 3)
    assert count.tolist() == [2, 1, 1]
    assert acc.tolist() == [0.5, 1.0, 0.0]
    acc, count = tasks.accuracy_by_distance(predicted, truth, distance, 5)
    assert np.isnan(acc[3]) and count[3] == 0


def test_draw_bidirectional_draws_every_step():
    fig, ax = plt.subplots()
    diagrams.draw_bidirectional(ax, ["a", "b", "c"], title="t")
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("fwd") == texts.count("bwd") == 3
    assert {"a", "b", "c", "y1", "y3"} <= set(texts)
    plt.close(fig)
    with pytest.raises(ValueError):
        diagrams.draw_bidirectional(ax, [])
