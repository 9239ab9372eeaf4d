"""Matplotlib diagrams of recurrent networks and cells, and plots of gate activations.

One palette serves every diagram (``LINE``, ``CELL_FILL``, ``LAYER_FILL``,
``INPUT_FILL``, ``OUTPUT_FILL``, ``NODE_FILL``, ``BACKWARD_FILL`` and ``GATE_COLORS``).

* :func:`draw_unrolled`: a recurrent network unrolled over time, with its
  inputs and outputs (the sequence problem types);
* :func:`draw_backprop_chain`: an unrolled RNN with the backward pass as a
  chain of Jacobians (the vanishing-gradient argument);
* :func:`draw_lstm_cell`: the LSTM cell with its gates named in one of two
  vocabularies, ``"standard"`` (input, forget, candidate, output) or
  ``"memory"`` (learn, forget, remember, use);
* :func:`draw_gru_cell`: the GRU cell (update and reset gates);
* :func:`draw_bidirectional`: a bidirectional layer unrolled in time;
* :func:`plot_gate_heatmaps`: gate activations over a real sequence, one
  heatmap per gate (units x time steps).
* :func:`draw_stateful_batches`: a text cut into parallel streams and
  windows, batch after batch, as a stateful language model reads it.

Every function draws onto a given :class:`matplotlib.axes.Axes` and returns
nothing, so a chapter controls the figure and its caption.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

LINE = "0.25"
CELL_FILL = "#f7f7f7"
LAYER_FILL = "#fce5cd"
INPUT_FILL = "#cfe2f3"
OUTPUT_FILL = "#d9ead3"
NODE_FILL = "#ffffff"
BACKWARD_FILL = "#e6d5f0"
# One colour per gate, shared by the two vocabularies where they coincide.
GATE_COLORS: dict[str, str] = {
    "forget": "#e06666",
    "input": "#6fa8dc",
    "candidate": "#93c47d",
    "output": "#b4a7d6",
    "learn": "#6fa8dc",
    "remember": "#f6b26b",
    "use": "#b4a7d6",
    "update": "#e06666",
    "reset": "#6fa8dc",
}
VOCABULARIES = ("standard", "memory")
CELL_LIMITS, CELL_YLIMITS = (-0.2, 10.2), (-0.8, 6.6)  # the LSTM and GRU cell diagrams


def _line(ax: Axes, points: Sequence[tuple[float, float]], arrow: bool = False, color: str = LINE) -> None:
    """A polyline; with ``arrow`` an arrow head on its last segment."""
    xs, ys = zip(*points)
    if arrow and len(points) >= 2:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=1.2, solid_capstyle="round")
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>", mutation_scale=10,
                                     color=color, lw=1.2, shrinkA=0, shrinkB=0))
    else:
        ax.plot(xs, ys, color=color, lw=1.2, solid_capstyle="round")


def _layer(ax: Axes, x: float, y: float, text: str, color: str = LAYER_FILL, w: float = 0.8, h: float = 0.6) -> None:
    """A neural-network layer (rounded box) centred at ``(x, y)``."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                                facecolor=color, edgecolor=LINE, lw=1.0, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=4)


def _curve(ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str = LINE,
           bend: float = 0.0) -> None:
    """An arrow from ``start`` to ``end``, bent sideways by ``bend`` (0 = straight)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, color=color, lw=1.0,
                                 zorder=1, connectionstyle=f"arc3,rad={bend}"))


def _node(ax: Axes, x: float, y: float, text: str, r: float = 0.25) -> None:
    """A pointwise operation (circle) centred at ``(x, y)``."""
    ax.add_patch(Circle((x, y), r, facecolor=NODE_FILL, edgecolor=LINE, lw=1.0, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)


def _label(ax: Axes, x: float, y: float, text: str, color: str = "black", size: float = 8.5, **kw) -> None:
    ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), fontsize=size,
            color=color, zorder=5, **kw)


def _region(ax: Axes, x0: float, y0: float, x1: float, y1: float, name: str, color: str,
            label_at: tuple[float, float]) -> None:
    """A translucent rectangle grouping the parts of one gate, with its name."""
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.05",
                                facecolor=color, alpha=0.22, edgecolor=color, lw=1.5, zorder=1))
    _label(ax, *label_at, name, color="black", size=9, fontweight="bold",
           bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))


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
        _layer(ax, t, 1.0, cell, color=LAYER_FILL, w=0.7, h=0.5)
        if inputs[t] is not None:
            _layer(ax, t, 0.0, str(inputs[t]), color=INPUT_FILL, w=0.7, h=0.5)
            _line(ax, [(t, 0.25), (t, 0.75)], arrow=True)
        if outputs[t] is not None:
            _layer(ax, t, 2.0, str(outputs[t]), color=OUTPUT_FILL, w=0.7, h=0.5)
            _line(ax, [(t, 1.25), (t, 1.75)], arrow=True)
        if t + 1 < steps:
            _line(ax, [(t + 0.35, 1.0), (t + 0.65, 1.0)], arrow=True)
    _frame(ax, (-0.6, steps - 0.4), (-0.45, 2.45), title)


def draw_lstm_cell(ax: Axes, vocabulary: str = "standard", title: str | None = None) -> None:
    """Draw one LSTM cell, its gates named in ``vocabulary``.

    ``"standard"``: the four layers are the forget gate f, input gate i,
    candidate g (c-tilde) and output gate o; the state lines are the cell
    state c and the hidden state h.

    ``"memory"``: the same wiring, grouped into the learn gate (i x g), the
    forget gate (f x old memory), the remember gate (their sum, the new
    long-term memory) and the use gate (o x tanh(new memory), the new
    short-term memory); the input is the event E.
    """
    if vocabulary not in VOCABULARIES:
        raise ValueError(f"vocabulary must be one of {VOCABULARIES}, got {vocabulary!r}")
    standard = vocabulary == "standard"
    top, bus, gate_y = 5.0, 0.8, 2.2
    xf, xi, xg, xo = 2.0, 3.3, 4.6, 6.3
    xt_out = 7.7  # tanh of the new cell state and the use/output product
    x_exit = 8.9

    ax.add_patch(FancyBboxPatch((0.7, 0.25), 8.6, 5.35, boxstyle="round,pad=0.1",
                                facecolor=CELL_FILL, edgecolor="0.6", lw=1.0, zorder=0))
    if not standard:
        _region(ax, 1.45, 1.75, 2.55, 5.45, "forget", GATE_COLORS["forget"], (2.0, 1.45))
        _region(ax, 2.8, 1.75, 5.15, 4.05, "learn", GATE_COLORS["learn"], (3.95, 1.45))
        _region(ax, 4.2, 4.55, 6.95, 5.45, "remember", GATE_COLORS["remember"], (6.25, 5.2))
        _region(ax, 5.75, 1.75, 8.25, 4.05, "use", GATE_COLORS["use"], (7.0, 1.45))

    # state lines: cell state on top, hidden state + input on the bus below
    _line(ax, [(0.0, top), (xf - 0.25, top)])
    _line(ax, [(xf + 0.25, top), (xg - 0.25, top)])
    _line(ax, [(xg + 0.25, top), (10.0, top)], arrow=True)
    _line(ax, [(0.0, bus), (xo, bus)])
    _line(ax, [(1.2, -0.6), (1.2, bus)])
    # the four layers, fed from the bus
    layers = [(xf, "σ", "forget"), (xi, "σ", "input"), (xg, "tanh", "candidate"), (xo, "σ", "output")]
    for x, act, name in layers:
        _line(ax, [(x, bus), (x, gate_y - 0.3)])
        color = GATE_COLORS[name] if standard else LAYER_FILL
        _layer(ax, x, gate_y, act, color=color)
    # forget: f multiplies the old cell state
    _line(ax, [(xf, gate_y + 0.3), (xf, top - 0.25)], arrow=True)
    _node(ax, xf, top, "×")
    # learn: i * g, added to the cell state
    _line(ax, [(xi, gate_y + 0.3), (xi, 3.6), (xg - 0.25, 3.6)], arrow=True)
    _line(ax, [(xg, gate_y + 0.3), (xg, 3.6 - 0.25)], arrow=True)
    _node(ax, xg, 3.6, "×")
    _line(ax, [(xg, 3.85), (xg, top - 0.25)], arrow=True)
    _node(ax, xg, top, "+")
    # use: o * tanh(c_t) is the new hidden state
    _line(ax, [(xt_out, top), (xt_out, 3.6 + 0.3)], arrow=True)
    _layer(ax, xt_out, 3.6, "tanh", color=NODE_FILL, w=0.75, h=0.45)
    _line(ax, [(xt_out, 3.6 - 0.22), (xt_out, gate_y + 0.25)], arrow=True)
    _line(ax, [(xo + 0.4, gate_y), (xt_out - 0.25, gate_y)], arrow=True)
    _node(ax, xt_out, gate_y, "×")
    _line(ax, [(xt_out + 0.25, gate_y), (x_exit, gate_y), (x_exit, bus), (10.0, bus)], arrow=True)
    _line(ax, [(x_exit, gate_y), (x_exit, 6.3)], arrow=True)

    if standard:
        names = {"c0": "$c_{t-1}$", "c1": "$c_t$", "h0": "$h_{t-1}$", "h1": "$h_t$", "x": "$x_t$", "out": "$h_t$"}
        for x, letter, name in [(xf, "f", "forget"), (xi, "i", "input"), (xg, "g", "candidate"), (xo, "o", "output")]:
            _label(ax, x, 1.35, f"{letter}: {name}", size=7.5,
                   bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
        _label(ax, 3.2, top + 0.3, "cell state", size=8, style="italic")
        _label(ax, 3.8, bus - 0.3, "hidden state + input", size=8, style="italic")
    else:
        names = {"c0": "LTM$_{t-1}$", "c1": "LTM$_t$", "h0": "STM$_{t-1}$", "h1": "STM$_t$",
                 "x": "event $E_t$", "out": "STM$_t$"}
    _label(ax, -0.05, top + 0.35, names["c0"], ha="left")
    _label(ax, 10.0, top + 0.35, names["c1"], ha="right")
    _label(ax, -0.05, bus + 0.35, names["h0"], ha="left")
    _label(ax, 10.0, bus + 0.35, names["h1"], ha="right")
    _label(ax, 1.35, -0.5, names["x"], ha="left")
    _label(ax, x_exit + 0.15, 6.25, names["out"], ha="left")

    _frame(ax, CELL_LIMITS, CELL_YLIMITS, title)


def _frame(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float], title: str | None) -> None:
    """The frame every diagram ends with: these limits, equal aspect, no axes, the title if any."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)


def draw_gru_cell(ax: Axes, title: str | None = None) -> None:
    """Draw a GRU cell: update gate z, reset gate r, candidate n; one state h.

    ``h_t = z * h_{t-1} + (1 - z) * n``: the update gate interpolates between
    keeping the old state and taking the candidate. The candidate is drawn in
    Keras' default form (``reset_after=True``),
    ``n = tanh(x W_n + b_n + r * (h_{t-1} U_n + b'_n))``: the box ``U_n`` marks
    that the reset gate scales the old state *after* its recurrent matrix.
    The gates' own matrices are inside their boxes, as in the LSTM diagram.
    """
    top, bus, gate_y = 5.0, 0.8, 2.2
    xz, xr, xn = 2.2, 3.6, 6.6
    ax.add_patch(FancyBboxPatch((0.7, 0.25), 8.6, 5.35, boxstyle="round,pad=0.1",
                                facecolor=CELL_FILL, edgecolor="0.6", lw=1.0, zorder=0))
    # the state line on top; a copy runs down to the bus that feeds the gates
    _line(ax, [(0.0, top), (xz - 0.25, top)])
    _line(ax, [(xz + 0.25, top), (xn - 0.25, top)])
    _line(ax, [(xn + 0.25, top), (10.0, top)], arrow=True)
    _line(ax, [(1.0, top), (1.0, bus), (xn, bus)])
    _line(ax, [(1.5, -0.6), (1.5, bus)])
    for x, name, letter in [(xz, "update", "z"), (xr, "reset", "r")]:
        _line(ax, [(x, bus), (x, gate_y - 0.3)])
        _layer(ax, x, gate_y, "σ", color=GATE_COLORS[name])
        _label(ax, x, 1.35, f"{letter}: {name}", size=7.5,
               bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    # update gate: z keeps the old state ...
    _line(ax, [(xz, gate_y + 0.3), (xz, top - 0.25)], arrow=True)
    _node(ax, xz, top, "×")
    # ... and 1 - z lets the candidate in
    _line(ax, [(xz, 4.2), (4.6 - 0.3, 4.2)], arrow=True)
    _layer(ax, 4.6, 4.2, "1−", color=NODE_FILL, w=0.55, h=0.4)
    _line(ax, [(4.6 + 0.3, 4.2), (xn - 0.25, 4.2)], arrow=True)
    _node(ax, xn, 4.2, "×")
    _line(ax, [(xn, 4.45), (xn, top - 0.25)], arrow=True)
    _node(ax, xn, top, "+")
    # reset gate: scales the recurrent part of the candidate, h_{t-1} U_n (Keras'
    # default reset_after=True; the original GRU scales h_{t-1} before U_n)
    xu = 2.9
    _line(ax, [(xr, gate_y + 0.3), (xr, 3.0 - 0.25)], arrow=True)
    _line(ax, [(1.0, 3.0), (xu - 0.28, 3.0)], arrow=True)
    _layer(ax, xu, 3.0, "$U_n$", w=0.5, h=0.42)
    _line(ax, [(xu + 0.28, 3.0), (xr - 0.25, 3.0)], arrow=True)
    _node(ax, xr, 3.0, "×")
    _line(ax, [(xr + 0.25, 3.0), (xn - 0.45, 3.0)], arrow=True)
    _line(ax, [(xn, bus), (xn, 3.0 - 0.3)], arrow=True)
    _layer(ax, xn, 3.0, "tanh", color=GATE_COLORS["candidate"])
    _line(ax, [(xn, 3.3), (xn, 4.2 - 0.25)], arrow=True)
    _label(ax, xn + 0.5, 2.55, "n: candidate", size=7.5, ha="left")
    _line(ax, [(8.6, top), (8.6, 6.3)], arrow=True)
    _label(ax, -0.05, top + 0.35, "$h_{t-1}$", ha="left")
    _label(ax, 10.0, top + 0.35, "$h_t$", ha="right")
    _label(ax, 1.65, -0.5, "$x_t$", ha="left")
    _label(ax, 8.75, 6.25, "$h_t$", ha="left")
    _frame(ax, CELL_LIMITS, CELL_YLIMITS, title)


def draw_backprop_chain(ax: Axes, steps: int = 5, title: str | None = None) -> None:
    """An RNN unrolled over ``steps`` steps with the backward pass drawn below.

    Forward arrows carry ``h_{t-1} -> h_t``; the error ``dL/dh_T`` enters at the
    last state and travels back through one Jacobian ``J_t = dh_t/dh_{t-1}``
    per step, so ``dL/dh_t`` is a product of ``T - t`` Jacobians.
    """
    if steps < 2:
        raise ValueError("need at least two steps")
    labels = [f"$h_{{{t}}}$" for t in range(1, steps - 1)] + ["…", "$h_T$"]
    labels = labels[-steps:] if steps > 2 else ["$h_1$", "$h_T$"]
    for k, text in enumerate(labels):
        if text == "…":
            _label(ax, k, 1.0, "…", size=14)
        else:
            ax.add_patch(FancyBboxPatch((k - 0.3, 0.75), 0.6, 0.5, boxstyle="round,pad=0.02",
                                        facecolor=LAYER_FILL, edgecolor=LINE, lw=1.0, zorder=3))
            _label(ax, k, 1.0, text, size=10)
            _line(ax, [(k, 0.05), (k, 0.75)], arrow=True)
            _label(ax, k, -0.15, f"$x_{{{text[4:-2]}}}$" if text != "$h_T$" else "$x_T$", size=9)
        if k + 1 < steps:
            _line(ax, [(k + 0.3, 1.1), (k + 0.7, 1.1)], arrow=True)
            ax.add_patch(FancyArrowPatch((k + 0.7, 0.9), (k + 0.3, 0.9), arrowstyle="-|>", mutation_scale=9,
                                         color="#cc0000", lw=1.2, shrinkA=0, shrinkB=0))
    ax.add_patch(Rectangle((steps - 1 - 0.3, 1.55), 0.6, 0.4, facecolor=GATE_COLORS["output"],
                           edgecolor=LINE, lw=1.0))
    _label(ax, steps - 1, 1.75, "$L$", size=10)
    _line(ax, [(steps - 1, 1.25), (steps - 1, 1.55)], arrow=True)
    _label(ax, -0.3, 1.75, "backward: each red arrow multiplies by $J_t = \\partial h_t / \\partial h_{t-1}$",
           color="#cc0000", size=8.5, ha="left")
    _frame(ax, (-0.6, steps - 0.4), (-0.4, 2.1), title)


def plot_gate_heatmaps(
    axes: Sequence[Axes],
    panels: Mapping[str, np.ndarray],
    tokens: Sequence[str],
    limits: Mapping[str, tuple[float, float]] | None = None,
    cmaps: Mapping[str, str] | None = None,
) -> None:
    """One heatmap per entry of ``panels`` (``name -> array (T, units)``), time on the x axis.

    ``tokens`` label the time steps (shown on the last axes only). Gates lie
    in [0, 1] and get that colour range; pass ``limits`` for others (e.g.
    ``{"cell state": (-2, 2)}``) and, for signed values, a diverging colour
    map in ``cmaps`` (e.g. ``{"cell state": "RdBu_r"}``; the default is
    viridis). A colour bar is added to each axes.
    """
    if len(axes) < len(panels):
        raise ValueError(f"{len(panels)} panels need as many axes, got {len(axes)}")
    limits, cmaps = dict(limits or {}), dict(cmaps or {})
    for ax, (name, values) in zip(axes, panels.items()):
        values = np.asarray(values)
        if values.ndim != 2 or values.shape[0] != len(tokens):
            raise ValueError(f"panel {name!r} has shape {values.shape}; expected ({len(tokens)}, units)")
        vmin, vmax = limits.get(name, (0.0, 1.0))
        image = ax.imshow(values.T, aspect="auto", cmap=cmaps.get(name, "viridis"), vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_ylabel(name, fontsize=9)
        ax.set_yticks([])
        ax.set_xticks(range(len(tokens)))
        ax.set_xticklabels([])
        ax.grid(False)
        ax.figure.colorbar(image, ax=ax, pad=0.01, fraction=0.03)
    last = axes[len(panels) - 1]
    last.set_xticklabels(tokens, rotation=60, ha="right", fontsize=8)


def draw_bidirectional(ax: Axes, inputs: Sequence[str], title: str = "") -> None:
    """A bidirectional layer unrolled over ``len(inputs)`` steps.

    Bottom row: the inputs. Above them, the forward layer (its state flows
    left to right, orange) and the backward layer (its state flows right to
    left, purple), both reading every input. Top row: the output at each
    step, which merges the two layers' states at that step.
    """
    steps = len(inputs)
    if steps < 1:
        raise ValueError("need at least one input")
    fwd, bwd = "tab:orange", "tab:purple"
    for t, label in enumerate(inputs):
        _layer(ax, t, 0.0, str(label), INPUT_FILL, w=0.5, h=0.44)
        _layer(ax, t, 1.0, "fwd", LAYER_FILL, w=0.5, h=0.44)
        _layer(ax, t, 2.0, "bwd", BACKWARD_FILL, w=0.5, h=0.44)
        _layer(ax, t, 3.0, f"y{t + 1}", OUTPUT_FILL, w=0.6, h=0.44)
        _curve(ax, (t, 0.22), (t, 0.78))                      # input -> forward
        _curve(ax, (t - 0.2, 0.22), (t - 0.2, 1.78), bend=-0.45)    # input -> backward, around the forward cell
        _curve(ax, (t + 0.2, 1.22), (t + 0.2, 2.78), fwd, bend=0.45)  # forward state -> output, around the backward cell
        _curve(ax, (t, 2.22), (t, 2.78), bwd)                 # backward state -> output
        if t + 1 < steps:
            _curve(ax, (t + 0.25, 1.0), (t + 0.75, 1.0), fwd)
            _curve(ax, (t + 0.75, 2.0), (t + 0.25, 2.0), bwd)
    ax.text(steps - 0.3, 1.0, "forward", va="center", fontsize=9, color=fwd)
    ax.text(steps - 0.3, 2.0, "backward", va="center", fontsize=9, color=bwd)
    _frame(ax, (-0.6, steps + 0.9), (-0.45, 3.45), title)


def draw_stateful_batches(ax: Axes, text: str, batch_size: int, length: int, title: str | None = None) -> None:
    """How :func:`lstm_course.language_model.stateful_batches` arranges a text, drawn.

    Top row: the text, cut into ``batch_size`` contiguous streams. Below it, one
    row per stream, cut into windows of ``length`` characters; the windows in
    column ``k`` (labelled, and filled alternately) form batch ``k``, and the
    arrow between two windows of a row is the state a stateful layer carries
    from one batch to the next. Spaces are shown as ``_``.
    """
    n_batches = (len(text) - 1) // (batch_size * length)
    if n_batches < 1:
        raise ValueError(f"{len(text)} characters do not fill one batch of {batch_size} x {length}")
    per_stream, gap = n_batches * length, 0.8
    shown = text[:batch_size * per_stream].replace(" ", "_").replace("\n", "/")
    top = batch_size + 1.0
    for j, ch in enumerate(shown):
        _layer(ax, j, top, ch, CELL_FILL, w=0.9, h=0.8)
    for i in range(batch_size):
        _label(ax, (i + 0.5) * per_stream - 0.5, top + 0.75, f"stream {i + 1}", size=9)
        if i:
            _line(ax, [(i * per_stream - 0.5, top - 0.55), (i * per_stream - 0.5, top + 0.55)])
        row = batch_size - 1 - i
        _label(ax, -1.0, row, f"stream {i + 1}", size=9, ha="right")
        for k in range(n_batches):
            x0 = k * (length + gap)
            for t in range(length):
                _layer(ax, x0 + t, row, shown[i * per_stream + k * length + t],
                       INPUT_FILL if k % 2 == 0 else OUTPUT_FILL, w=0.9, h=0.8)
            if i == 0:
                _label(ax, x0 + (length - 1) / 2, batch_size - 0.25, f"batch {k + 1}", size=9, fontweight="bold")
            if k + 1 < n_batches:
                _line(ax, [(x0 + length - 0.5, row), (x0 + length + gap - 0.5, row)], arrow=True)
    _label(ax, n_batches * (length + gap), batch_size - 1, "state carried\nto the next batch", size=8.5, ha="left")
    _frame(ax, (-4.2, batch_size * per_stream), (-0.6, top + 1.2), title)
