"""Assertions whose messages name the likely mistake, for the assignments' tests.

A student learns what to fix rather than only that something is wrong: a
missing ``RepeatVector``, a forgotten ``return_sequences=True``, softmax where
sigmoid belongs, a loss that does not match the output. Keras 3 APIs only
(``model.outputs``, ``layer.output``, ``model.loss``; no ``output_shape``).

* :mod:`~lstm_course.checks.introspection`: how the checks look inside a model
  (shapes, layers inside ``Bidirectional``/``TimeDistributed``, the output
  activation);
* :mod:`~lstm_course.checks.structure`: what a builder returns, input and output
  shapes, parameter counts, output activations and probabilities;
* :mod:`~lstm_course.checks.compilation`: loss, optimizer, metrics, the History
  of ``fit``;
* :mod:`~lstm_course.checks.experiments`: assignment 4's baseline and its one
  experiment.

Every public name is importable from ``lstm_course.checks`` itself.
"""

from lstm_course.checks.compilation import (
    assert_compile_model,
    assert_history,
    assert_loss,
    assert_loss_matches_output,
    assert_optimizer,
    compile_problem,
    loss_from_logits,
    loss_name,
    output_kind,
)
from lstm_course.checks.experiments import (
    assert_baseline_layers,
    assert_experiment,
    baseline_description,
    describe,
)
from lstm_course.checks.introspection import (
    io_shapes,
    layers_of_type,
    model_inputs,
    model_outputs,
    output_activation,
    output_is_probability,
    recurrent_layers,
    shape_of,
    unwrap,
)
from lstm_course.checks.structure import (
    assert_array,
    assert_input_shape,
    assert_model,
    assert_output_activation,
    assert_output_shape,
    assert_param_count,
    assert_probabilities,
    assert_return_sequences,
    build,
    diagnose_build_error,
)

__all__ = [
    "assert_array", "assert_baseline_layers", "assert_compile_model", "assert_experiment", "assert_history",
    "assert_input_shape", "assert_loss", "assert_loss_matches_output", "assert_model", "assert_optimizer",
    "assert_output_activation", "assert_output_shape", "assert_param_count", "assert_probabilities",
    "assert_return_sequences", "baseline_description", "build", "compile_problem", "describe",
    "diagnose_build_error", "io_shapes", "layers_of_type", "loss_from_logits", "loss_name", "model_inputs",
    "model_outputs", "output_activation", "output_is_probability", "output_kind", "recurrent_layers", "shape_of",
    "unwrap",
]
