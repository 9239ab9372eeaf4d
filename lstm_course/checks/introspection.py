"""What a Keras model is made of: shapes, layers inside wrappers, output activation.

The one place where the checks look inside a model. Every check of
:mod:`lstm_course.checks` reads models through these helpers.
"""

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


def model_inputs(model: Any) -> list[Any]:
    """The model's input tensors; ``[]`` for a ``Sequential`` model that has not been built."""
    try:
        return list(model.inputs or [])
    except (AttributeError, ValueError):
        return []


def model_outputs(model: Any) -> list[Any]:
    """The model's output tensors; ``[]`` for a ``Sequential`` model that has not been built."""
    try:
        return list(model.outputs or [])
    except (AttributeError, ValueError):
        return []


def unwrap(layer: Any) -> Any:
    """The layer inside any ``Bidirectional`` (its forward layer) or ``TimeDistributed`` wrappers."""
    import keras

    while isinstance(layer, (keras.layers.TimeDistributed, keras.layers.Bidirectional)):
        layer = layer.layer if isinstance(layer, keras.layers.TimeDistributed) else layer.forward_layer
    return layer


def output_activation(model: Any) -> str:
    """Name of the activation that produces the model's output.

    Looks at the last layer (inside ``TimeDistributed``): its ``activation``
    (``"softmax"``, ``"sigmoid"``, ``"linear"``...), or ``"softmax"`` for a
    ``Softmax`` layer. Layers without an activation report ``"linear"``.
    """
    import keras

    last = unwrap(model.layers[-1])
    if isinstance(last, keras.layers.Softmax):
        return "softmax"
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "linear") if activation is not None else "linear"


def recurrent_layers(model: Any) -> list[Any]:
    """The recurrent layers of a model (SimpleRNN, LSTM, GRU, also inside Bidirectional)."""
    import keras

    kinds = (keras.layers.SimpleRNN, keras.layers.LSTM, keras.layers.GRU, keras.layers.RNN)
    return [layer for layer in model.layers if isinstance(unwrap(layer), kinds)]


def layers_of_type(model: Any, kind: type) -> list[Any]:
    """Layers of ``model`` that are ``kind``, or wrap one (``Bidirectional(LSTM)`` counts as an LSTM)."""
    return [layer for layer in model.layers if isinstance(layer, kind) or isinstance(unwrap(layer), kind)]


def output_is_probability(model: Any) -> bool:
    """True if the model ends in a sigmoid (a probability), False for a logit."""
    return output_activation(model) == "sigmoid"
