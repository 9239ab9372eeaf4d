# Installed by `make install` into .venv/etc/ipython/, so every IPython kernel
# started with the project's Python (Jupyter, nbval, nbgrader, nbconvert) reads
# it before running any cell.
import os

# TensorFlow reads these when its library loads (see lstm_course/env.py).
from lstm_course.env import quiet_tensorflow

quiet_tensorflow()

# Some of TensorFlow's C++ lines (absl's "before InitializeLog" banner,
# cudart_stub) ignore TF_CPP_MIN_LOG_LEVEL. They are written straight to file
# descriptor 2; by default ipykernel copies that descriptor into the cell's
# output, where nbval and nbgrader would see them. Python-level stderr
# (warnings, tracebacks) still reaches the cell.
c.IPKernelApp.capture_fd_output = False  # noqa: F821  (c is given by traitlets)

# Figures must reach the notebook even where the calling process exported a
# non-interactive backend (MPLBACKEND=Agg is common on CI machines).
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
