"""One call at the top of every notebook: reproducible, quiet, consistent plots.

Usage (first code cell of a chapter or assignment)::

    from lstm_course.notebook import setup
    setup()

Order matters in Keras 3: ``keras.backend.clear_session()`` resets the seed
generator, so :func:`setup` (and :func:`reset`) clear the session first and
seed afterwards.

A seed sweep runs a notebook with ``LSTM_COURSE_SEED=k`` in its environment:
every seed given to :func:`reset`, :func:`setup` and :func:`seeded` then moves
by ``k``. Unset, nothing moves.
"""

from __future__ import annotations

import os
import random

import numpy as np

from lstm_course.env import quiet_tensorflow

DEFAULT_SEED = 0
SEED_ENV = "LSTM_COURSE_SEED"
"""A seed sweep sets this to shift every seed of a run (see :func:`seeded`)."""


def seed_offset() -> int:
    """``$LSTM_COURSE_SEED`` as an integer; 0 when it is unset or empty."""
    raw = os.environ.get(SEED_ENV, "").strip()
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{SEED_ENV} must be an integer, not {raw!r}") from None


def seeded(seed: int) -> int:
    """``seed`` shifted by :func:`seed_offset`.

    :func:`reset` and :func:`setup` apply it to the global seed. The task
    generators (:mod:`lstm_course.tasks`, :func:`lstm_course.data.rare_rotten`),
    the data splits (:func:`lstm_course.data.split_by_group`) and the NumPy RNN
    (:mod:`lstm_course.numpy_rnn`) apply it to the seed they are given, so a
    sweep over ``LSTM_COURSE_SEED`` moves the model, the data and the task
    together. Without the variable every seed is what the code says.
    """
    return seed + seed_offset()


def reset(seed: int = DEFAULT_SEED) -> None:
    """Clear Keras' global state (layer-name counters, graphs) and re-seed
    with :func:`seeded` ``(seed)``.

    Call it before building a model whose summary is compared by nbval, so
    the layer names (``lstm``, ``lstm_1``...) do not depend on which cells ran
    before.
    """
    import keras

    seed = seeded(seed)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


def setup(seed: int = DEFAULT_SEED, *, plots: bool = True) -> None:
    """Prepare a notebook kernel for the course.

    * keeps TensorFlow's C++ log lines out of cell outputs (as far as can be
      done from inside the kernel; the process that starts the kernel should
      also call :func:`lstm_course.env.quiet_tensorflow`);
    * makes TensorFlow's kernels deterministic and seeds Python, NumPy and
      Keras;
    * sets NumPy print options and matplotlib defaults used by the figures.
    """
    quiet_tensorflow()
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    tf.config.experimental.enable_op_determinism()
    reset(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    if plots:
        set_plot_style()


def set_plot_style() -> None:
    """Matplotlib defaults shared by every figure of the course."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": 10,
            "legend.frameon": False,
        }
    )


def rounded(value: float, digits: int = 4) -> float:
    """``value`` as a Python float rounded to ``digits`` significant digits.

    For ``glue``: a glued value is stored in the notebook and compared by
    nbval, so it should not carry the last, platform-dependent digits of a
    floating-point computation (nor be a NumPy scalar, which Sphinx cannot
    format).
    """
    return float(f"{float(value):.{digits}g}")
