"""Root pytest configuration: applies to unit tests and to nbval runs.

Kernels started by nbval inherit this process's environment, so TensorFlow's
logging switches are set here, before any kernel starts.
"""

import pytest

from lstm_course.env import quiet_tensorflow

quiet_tensorflow()

# Only chapters/ is collected by nbval (pyproject.toml's testpaths); solutions/
# is compared with the pipeline's graded run of each solution, and can still be
# run by hand (`pytest solutions/`). Student versions raise
# NotImplementedError by design (they are checked through the autograde
# pipeline), and instructor sources hold hidden tests.
collect_ignore_glob = [
    "assignments/*",
    "source/*",
    "_build/*",
    ".venv/*",
]



@pytest.hookimpl(optionalhook=True)  # xdist's hook: unknown when xdist is not loaded (-p no:xdist)
def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject.toml): one worker more than the machine has cores.

    Every worker waits part of the time (kernels and sandboxes starting,
    nbgrader's subprocesses, the book build's I/O); one extra keeps both cores
    of a laptop busy. Measured on 2 cores (the whole suite, CPU busy 97% of the
    time with three): 9 min 28 s with two workers, 8 min 48 s with three."""
    import os

    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1


# Chapter 7 runs in tests/book/test_bundle.py as a reader downloads it: in a new
# venv with the course wheel, its outputs compared with the stored ones by
# nbval's own rules (tests/support/stored_outputs.py). When that test is in the
# session, the chapter is not run a second time under nbval.
RUN_FROM_THE_WHEEL = {
    "chapters/07_parameter_counts.ipynb":
        "tests/book/test_bundle.py::test_a_downloaded_chapter_runs_from_the_wheel_outside_the_repository",
}


def pytest_collection_modifyitems(config, items):
    ids = {item.nodeid for item in items}
    twice = [item for item in items if RUN_FROM_THE_WHEEL.get(item.nodeid.split("::")[0]) in ids]
    if twice:
        config.hook.pytest_deselected(items=twice)
        items[:] = [item for item in items if item not in twice]
