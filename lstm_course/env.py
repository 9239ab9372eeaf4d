"""Environment variables that keep TensorFlow's C++ logging out of notebooks.

TensorFlow reads these when its shared library loads, so they must be in the
environment of the *process that starts the kernel* (pytest, nbgrader,
nbconvert, Jupyter). ``conftest.py``, ``nbgrader_config.py`` and the kernel
configuration installed by ``make install`` all call :func:`quiet_tensorflow`.
"""

from __future__ import annotations

import os
from typing import MutableMapping

QUIET_TF_ENV: dict[str, str] = {
    # 3 = only FATAL messages from TensorFlow's C++ core.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # oneDNN custom ops print a banner and change float round-off between
    # machines; off keeps stored outputs reproducible.
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # The course runs on the CPU; hiding GPUs keeps results identical on a
    # machine that happens to have one.
    "CUDA_VISIBLE_DEVICES": "-1",
    # Keras progress bars and summaries do not depend on the terminal width.
    "COLUMNS": "100",
}


def quiet_tensorflow(environ: MutableMapping[str, str] | None = None) -> None:
    """Set the variables of :data:`QUIET_TF_ENV` that are not already set."""
    target = os.environ if environ is None else environ
    for key, value in QUIET_TF_ENV.items():
        target.setdefault(key, value)
