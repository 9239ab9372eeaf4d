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


def _xdist_group(item) -> str:
    """What must run on one pytest-xdist worker (``--dist loadgroup``): every
    test of a module, since modules share module-scoped fixtures (one nbgrader
    run, one notebook kernel for nbval's cells); split further by the
    parameter of a parametrized module-scoped fixture (one autograde per
    assignment), so that those run side by side."""
    group = str(item.path)
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        defs = item._fixtureinfo.name2fixturedefs
        for name in sorted(callspec.params):
            fixture = defs.get(name, [None])[-1]
            if fixture is not None and fixture.scope == "module" and fixture.params:
                group += f"::{name}={callspec.params[name]}"
    return group


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        item.add_marker(pytest.mark.xdist_group(_xdist_group(item)))
