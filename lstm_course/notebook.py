"""One call at the top of every notebook: reproducible, quiet, consistent plots.

Usage (first code cell of a chapter or assignment)::

    from lstm_course.notebook import setup
    setup()

Order matters in Keras 3: ``keras.backend.clear_session()`` resets the seed
generator, so :func:`setup` (and :func:`reset`) clear the session first and
seed afterwards.
"""

from __future__ import annotations

import random

import numpy as np

from lstm_course.env import quiet_tensorflow

DEFAULT_SEED = 0


def reset(seed: int = DEFAULT_SEED) -> None:
    """Clear Keras' global state (layer-name counters, graphs) and re-seed.

    Call it before building a model whose summary is compared by nbval, so
    the layer names (``lstm``, ``lstm_1``...) do not depend on which cells ran
    before.
    """
    import keras

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
