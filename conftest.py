"""Root pytest configuration: applies to unit tests and to nbval runs.

Kernels started by nbval inherit this process's environment, so TensorFlow's
logging switches are set here, before any kernel starts.
"""

from lstm_course.env import quiet_tensorflow

quiet_tensorflow()

# Only chapters/ and solutions/ are nbval-checked. Student versions raise
# NotImplementedError by design (they are checked through the autograde
# pipeline), and instructor sources hold hidden tests.
collect_ignore_glob = [
    "assignments/*",
    "source/*",
    "_build/*",
    ".venv/*",
]

