"""Small Keras helpers for the notebooks (Keras 3: no ``output_shape``)."""

from __future__ import annotations

from typing import Any


def shape_of(tensor: Any) -> tuple[int | None, ...]:
    """A symbolic or eager tensor's shape as a plain tuple (batch may be None)."""
    return tuple(None if dim is None else int(dim) for dim in tensor.shape)


def io_shapes(model: Any) -> str:
    """``"input (None, 50, 2) -> output (None, 1)"`` for a built model.

    Models with several inputs or outputs list each one.
    """
    inputs = [shape_of(t) for t in model.inputs]
    outputs = [shape_of(t) for t in model.outputs]
    show = lambda shapes: ", ".join(str(s) for s in shapes)  # noqa: E731
    return f"input {show(inputs)} -> output {show(outputs)}"
