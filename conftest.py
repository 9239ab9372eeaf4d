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


# --------------------------------------------------------------------------- scheduling
# pytest-xdist (--dist loadscope) hands out whole modules and classes, in the
# order of the collection (pyproject.toml turns off its reordering by number of
# tests, which put the five assignment pipelines, eight tests each but three
# minutes of set-up, at the very end, so one worker ran on alone). Longest first
# instead: the scopes below, in seconds on 2 busy cores (`make test`'s slowest
# durations), then the chapters by their run time (reference/run_times.json),
# then everything else, which fills the gaps. Only the order changes: each
# scope's tests stay together and in their own order.
SCOPE_SECONDS = {
    "tests/pipeline/test_pipeline.py::TestAssignment_": 180,
    "tests/pipeline/test_grading_parallel.py": 175,
    "tests/book/test_book.py": 130,
    "tests/pipeline/test_grading_catalogue.py": 100,
    "tests/book/test_instructor_edition.py": 60,
    "tests/book/test_bundle.py": 45,
    "tests/pipeline/test_grading_cli.py": 35,
}
UNKNOWN_SCOPE_SECONDS = 5.0


def scope_seconds(scope: str, chapter_seconds: dict[str, float]) -> float:
    """The expected cost of an xdist scope (a module or a class)."""
    if scope in chapter_seconds:
        return 1.3 * chapter_seconds[scope]  # under load, with nbval's comparison
    return next((s for prefix, s in SCOPE_SECONDS.items() if scope.startswith(prefix)), UNKNOWN_SCOPE_SECONDS)


# Chapter 7 runs in tests/book/test_bundle.py as a reader downloads it: in a new
# venv with the course wheel, its outputs compared with the stored ones by
# nbval's own rules (tests/support/stored_outputs.py). When that test is in the
# session, the chapter is not run a second time under nbval.
RUN_FROM_THE_WHEEL = {
    "chapters/07_parameter_counts.ipynb":
        "tests/book/test_bundle.py::test_a_downloaded_chapter_runs_from_the_wheel_outside_the_repository",
}


def pytest_collection_modifyitems(config, items):
    import json
    from pathlib import Path

    ids = {item.nodeid for item in items}
    twice = [item for item in items if RUN_FROM_THE_WHEEL.get(item.nodeid.split("::")[0]) in ids]
    if twice:
        config.hook.pytest_deselected(items=twice)
        items[:] = [item for item in items if item not in twice]

    times = Path(__file__).parent / "reference" / "run_times.json"
    chapter_seconds = json.loads(times.read_text())["seconds"] if times.exists() else {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.nodeid.rsplit("::", 1)[0], index)

    def key(item):
        scope = item.nodeid.rsplit("::", 1)[0]
        return (-scope_seconds(scope, chapter_seconds), first[scope])

    items.sort(key=key)  # stable: a scope's tests keep their order
