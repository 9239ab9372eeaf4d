"""Several architectures trained with one recipe, under several seeds.

A fair comparison of models gives each the same data, optimizer, learning
rate, batch size and number of epochs, and repeats every run under a few
seeds, so that the spread between seeds is part of the result.
:func:`compare` does that. Each architecture is built and compiled once; before each seed its
weights and optimizer state are put back (:class:`~lstm_course.training.Snapshot`)
and it receives the initial weights of a fresh build under that seed, so
Keras reuses the training step it has already traced instead of tracing a
new one for every run. The runs are the same as building and compiling a
new model after ``reset(seed)``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from lstm_course.notebook import seeded
from lstm_course.training import EpochTimer, Snapshot


def compare(
    builders: Mapping[str, Callable[[], Any]],
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    score: Callable[[Any, Any, Any], float],
    *,
    seeds: Sequence[int],
    epochs: int,
    learning_rate: float,
    batch_size: int,
    loss: Any,
    clipnorm: float = 1.0,
) -> dict[str, dict[str, np.ndarray]]:
    """Train ``builders[name]()`` under every seed; return ``{name: {"score", "seconds", "loss"}}``.

    Every run uses Adam at ``learning_rate`` with gradient clipping
    (``clipnorm``), ``epochs`` epochs of ``fit(*train)`` in minibatches of
    ``batch_size``, and ends with ``score(model, *test)``. Per name, the
    arrays hold one entry per seed: the score, the steady seconds per epoch
    (:attr:`~lstm_course.training.EpochTimer.steady`) and the training loss
    per epoch (shape ``(seeds, epochs)``).
    """
    import keras

    results = {}
    for name, build in builders.items():
        model = build()
        model.compile(keras.optimizers.Adam(learning_rate, clipnorm=clipnorm), loss)
        start = Snapshot(model)
        runs: dict[str, list[Any]] = {"score": [], "seconds": [], "loss": []}
        for seed in seeds:
            keras.utils.set_random_seed(seeded(seed))
            start.restore(model)
            model.set_weights(build().get_weights())  # this seed's initial weights
            timer = EpochTimer()
            history = model.fit(*train, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[timer])
            runs["score"].append(score(model, *test))
            runs["seconds"].append(timer.steady)
            runs["loss"].append(history.history["loss"])
        results[name] = {key: np.array(values) for key, values in runs.items()}
    return results
