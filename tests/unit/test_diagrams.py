"""Each diagram function draws onto an Axes without error."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course import diagrams  # noqa: E402


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


@pytest.mark.parametrize("vocabulary", diagrams.VOCABULARIES)
def test_lstm_cell(ax, vocabulary):
    diagrams.draw_lstm_cell(ax, vocabulary, title=vocabulary)
    assert ax.patches and ax.get_title() == vocabulary
    texts = {t.get_text() for t in ax.texts}
    if vocabulary == "memory":
        assert {"learn", "forget", "remember", "use"} <= texts
    else:
        assert {"f: forget", "i: input", "g: candidate", "o: output"} <= texts


def test_unknown_vocabulary(ax):
    with pytest.raises(ValueError):
        diagrams.draw_lstm_cell(ax, "colloquial")


def test_gru_cell(ax):
    diagrams.draw_gru_cell(ax, title="GRU")
    assert ax.patches


@pytest.mark.parametrize("steps", [2, 3, 6])
def test_backprop_chain(ax, steps):
    diagrams.draw_backprop_chain(ax, steps)
    assert ax.patches
    with pytest.raises(ValueError):
        diagrams.draw_backprop_chain(ax, 1)


def test_gate_heatmaps():
    fig, axes = plt.subplots(2, 1)
    tokens = ["a", "b", "c"]
    panels = {"forget": np.full((3, 4), 0.5), "cell": np.zeros((3, 4))}
    diagrams.plot_gate_heatmaps(axes, panels, tokens, limits={"cell": (-1, 1)}, cmaps={"cell": "RdBu_r"})
    assert [t.get_text() for t in axes[1].get_xticklabels()] == tokens
    with pytest.raises(ValueError):
        diagrams.plot_gate_heatmaps(axes, {"x": np.zeros((4, 2))}, tokens)
    plt.close(fig)


def test_unrolled_network(ax):
    diagrams.draw_unrolled(ax, ["x1", "x2", None], [None, None, "y"], "many-to-one")
    texts = {t.get_text() for t in ax.texts}
    assert {"x1", "x2", "y", "RNN"} <= texts and ax.get_title() == "many-to-one"
    assert sum(t.get_text() == "RNN" for t in ax.texts) == 3  # one cell per step
    with pytest.raises(ValueError):
        diagrams.draw_unrolled(ax, ["x"], [], "mismatch")
