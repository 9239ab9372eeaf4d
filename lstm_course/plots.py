"""Plotting helpers shared by the chapters (matplotlib only)."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

INPUT_COLOR = "#cfe2f3"
CELL_COLOR = "#fce5cd"
OUTPUT_COLOR = "#d9ead3"


def _box(ax: Axes, x: float, y: float, text: str, color: str, w: float = 0.7, h: float = 0.5) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
            facecolor=color, edgecolor="0.3", linewidth=1.0,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, color="0.3", linewidth=1.0)
    )


def draw_unrolled(
    ax: Axes,
    inputs: Sequence[str | None],
    outputs: Sequence[str | None],
    title: str,
    cell: str = "RNN",
) -> None:
    """Draw a recurrent network unrolled over ``len(inputs)`` steps.

    ``inputs[t]`` / ``outputs[t]`` label the input below / output above the
    cell at step ``t``; ``None`` leaves that slot empty. The same cell is
    repeated at every step, with an arrow carrying its state to the right.
    """
    if len(inputs) != len(outputs):
        raise ValueError("inputs and outputs need one entry per time step")
    steps = len(inputs)
    for t in range(steps):
        _box(ax, t, 1.0, cell, CELL_COLOR)
        if inputs[t] is not None:
            _box(ax, t, 0.0, str(inputs[t]), INPUT_COLOR)
            _arrow(ax, (t, 0.25), (t, 0.75))
        if outputs[t] is not None:
            _box(ax, t, 2.0, str(outputs[t]), OUTPUT_COLOR)
            _arrow(ax, (t, 1.25), (t, 1.75))
        if t + 1 < steps:
            _arrow(ax, (t + 0.35, 1.0), (t + 0.65, 1.0))
    ax.set_xlim(-0.6, steps - 0.4)
    ax.set_ylim(-0.45, 2.45)
    ax.set_title(title, fontsize=10)
    ax.set_aspect("equal")
    ax.axis("off")


def log_line(
    ax: Axes,
    values: dict[str, np.ndarray],
    xlabel: str,
    ylabel: str,
    x: np.ndarray | None = None,
) -> None:
    """Several named curves on a logarithmic y axis (e.g. gradient norms)."""
    for name, curve in values.items():
        xs = np.arange(len(curve)) if x is None else x
        ax.semilogy(xs, curve, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 3.6):
    """A figure with a grid of axes, sized for the book's text column."""
    return plt.subplots(nrows, ncols, figsize=(width, height), constrained_layout=True)
