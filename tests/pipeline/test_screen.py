"""The integrity screen (grader/lstm_grader/screen.py).

Every attack a hostile student could write into an editable cell (or ship
beside the notebook) gets at least one "flag" finding that names the right
thing; the solutions, the hand-written partial submissions and realistic
honest student code get none. The runtime probe is run for real, in a plain
interpreter, in an IPython shell and in a Jupyter kernel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

import course as C
import fixture_assignment as F
from lstm_grader.screen import (
    FLAG,
    INFO,
    PROBE_PREFIX,
    RUNTIME_PROBE,
    Finding,
    parse_probe,
    screen_folder,
    screen_notebook,
    screen_submission,
)

PYTHON = sys.executable
# the assignments the attacks and harmless cells below are written for (every
# assignment, a5 included, is screened by the tests that loop over C.ASSIGNMENTS)
A1, A2, A3, A4 = "a1_rnn_vs_lstm", "a2_sequence_types", "a3_bidirectional", "a4_sentiment"
assert {A1, A2, A3, A4} <= set(C.ASSIGNMENTS)


# --------------------------------------------------------------------------
# helpers

_RELEASES: dict[str, nbformat.NotebookNode] = {}
_SOLUTIONS: dict[str, dict[str, str]] = {}


def release(assignment: str) -> nbformat.NotebookNode:
    if assignment not in _RELEASES:
        _RELEASES[assignment] = C.read(C.ROOT / "assignments" / assignment / f"{assignment}.ipynb")
    return _RELEASES[assignment]


def solutions(assignment: str) -> dict[str, str]:
    if assignment not in _SOLUTIONS:
        source = C.read(C.ROOT / "source" / assignment / f"{assignment}.ipynb")
        _SOLUTIONS[assignment] = C.solution_cells(source)
    return _SOLUTIONS[assignment]


def solved(assignment: str, **replacements: str) -> nbformat.NotebookNode:
    """The release notebook with every solution filled in, some cells replaced."""
    return C.with_cells(release(assignment), {**solutions(assignment), **replacements})


def insert_after(nb: nbformat.NotebookNode, gid: str, source: str) -> tuple[nbformat.NotebookNode, str]:
    """A copy of ``nb`` with a student-added code cell after the cell ``gid``; also its location."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    index = next(i for i, cell in enumerate(nb.cells) if C.grade_id(cell) == gid) + 1
    nb.cells.insert(index, new_code_cell(source))
    return nb, f"cell {index + 1}"


def partial_modules() -> list:
    """(assignment, module) of every assignment's hand-written submissions; each must exist
    (an empty list would silently skip the tests that use it)."""
    mods = [(a, C.seeds_tool().partial_module(a)) for a in C.ASSIGNMENTS]
    missing = [a for a, module in mods if module is None]
    assert not missing, f"no tests/support/partials/<assignment>.py for {missing}"
    return mods


def flags(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == FLAG]


def show(findings: list[Finding]) -> str:
    return "\n".join(f"  [{f.severity}] {f.kind} @ {f.where}:{f.line}: {f.reason}" for f in findings)


def fixture_release() -> nbformat.NotebookNode:
    """The fixture assignment's student version (solutions replaced by the stub)."""
    nb = F.build()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata["nbgrader"].get("solution"):
            cell.source = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION",
                                 "# YOUR CODE HERE\n    raise NotImplementedError()", cell.source, flags=re.S)
        cell.source = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", cell.source, flags=re.S)
    return nb


def fixture_solution_cells() -> dict[str, str]:
    return C.solution_cells(F.build())


# --------------------------------------------------------------------------
# attacks: (assignment, where to put it, cell source, expected kind, text the reason names)
#
# "where" is a solution cell's grade id (the cell is replaced) or "after:<grade id>"
# (a cell the student adds after that cell).

BUILD = '''
def build_model(cell, units=32, length=LENGTH):
    return keras.Sequential([keras.Input((length, 2)), cell(units), layers.Dense(1)])
'''

ATTACKS = [
    # -- monkeypatching the course's checks
    pytest.param(A1, "build_model", BUILD + '''
import lstm_course.checks as ch
ch.assert_param_count = lambda *a, **k: None
''', "monkeypatch", "lstm_course.checks.assert_param_count", id="checks-alias-lambda"),
    pytest.param(A1, "build_model", BUILD + '''
setattr(checks, "assert_model", lambda *args, **kwargs: None)
''', "monkeypatch", "lstm_course.checks.assert_model", id="checks-setattr"),
    pytest.param(A1, "build_model", BUILD + '''
import sys
sys.modules["lstm_course.checks"].assert_output_shape = lambda model, expected: None
''', "monkeypatch", "lstm_course.checks.assert_output_shape", id="checks-via-sys-modules"),
    pytest.param(A1, "build_model", BUILD + '''
import sys
mod = sys.modules.get("lstm_course.checks")
mod.layers_of_type = lambda model, kind: [kind]
''', "monkeypatch", "lstm_course.checks.layers_of_type", id="checks-via-sys-modules-get"),
    pytest.param(A1, "build_model", BUILD + '''
vars(checks)["assert_input_shape"] = lambda *a: None
''', "monkeypatch", "lstm_course.checks.assert_input_shape", id="checks-vars-item"),
    pytest.param(A1, "build_model", BUILD + '''
checks.__dict__["assert_param_count"] = lambda *a, **k: None
''', "monkeypatch", "lstm_course.checks.assert_param_count", id="checks-dunder-dict-item"),
    pytest.param(A1, "build_model", BUILD + '''
checks.__dict__.update(assert_model=print, assert_param_count=print)
''', "monkeypatch", "lstm_course.checks", id="checks-dunder-dict-update"),
    pytest.param(A1, "build_model", BUILD + '''
name = "assert_" + "param_count"
setattr(checks, name, lambda *a, **k: None)
''', "monkeypatch", "lstm_course.checks.assert_param_count", id="checks-setattr-computed-name"),
    pytest.param(A1, "build_model", BUILD + '''
from lstm_course.checks import assert_param_count
assert_param_count.__code__ = (lambda *a, **k: None).__code__
''', "monkeypatch", "lstm_course.checks.assert_param_count.__code__", id="checks-function-code-swap"),
    pytest.param(A1, "build_model", BUILD + '''
del checks.assert_param_count
checks.assert_param_count = lambda *a, **k: None
''', "monkeypatch", "deletes lstm_course.checks.assert_param_count", id="checks-del-attribute"),
    pytest.param(A2, "build_melody_model", '''
from lstm_course.checks import compilation as mc
mc.assert_loss = mc.assert_optimizer = lambda *a, **k: None
''', "monkeypatch", "lstm_course.checks.compilation.assert_loss", id="checks-submodule-chained-assign"),
    pytest.param(A1, "build_model", BUILD + '''
from unittest import mock
mock.patch.object(checks, "assert_param_count").start()
''', "monkeypatch", "mock", id="unittest-mock-patch"),
    # -- numpy, numpy.testing, keras and other modules
    pytest.param(A3, "boundary_f1", '''
def boundary_f1(y_true, y_prob, threshold=0.5):
    return (1.0, 1.0, 1.0)

np.testing.assert_allclose = lambda *args, **kwargs: None
''', "monkeypatch", "numpy.testing.assert_allclose", id="numpy-testing-assert-allclose"),
    pytest.param(A1, "input_gradient_norms", '''
import numpy
numpy.allclose = lambda *a, **k: True
''', "monkeypatch", "numpy.allclose", id="numpy-allclose"),
    pytest.param(A3, "split_rate_by_length", '''
from numpy import testing as t
t.assert_allclose = t.assert_array_equal = lambda *a, **k: None
''', "monkeypatch", "numpy.testing.assert_allclose", id="numpy-from-import-alias"),
    pytest.param(A3, "split_rate_by_length", '''
nt = np.testing
nt.assert_allclose = lambda actual, desired, **kwargs: None
''', "monkeypatch", "numpy.testing.assert_allclose", id="numpy-assigned-alias"),
    pytest.param(A3, "split_rate_by_length", '''
setattr(getattr(np, "testing"), "assert_allclose", lambda *a, **k: None)
''', "monkeypatch", "numpy.testing.assert_allclose", id="numpy-getattr-setattr"),
    pytest.param(A3, "boundary_f1", '''
for module in [np.testing]:
    module.assert_allclose = lambda *a, **k: None
''', "monkeypatch", ".assert_allclose", id="numpy-through-a-loop"),
    pytest.param(A3, "boundary_f1", '''
def _t():
    return np.testing

_t().assert_allclose = lambda *a, **k: None
''', "monkeypatch", ".assert_allclose", id="numpy-through-a-function"),
    pytest.param(A3, "boundary_f1", '''
object.__setattr__(np.testing, "assert_allclose", lambda *a, **k: None)
''', "monkeypatch", "numpy.testing.assert_allclose", id="numpy-object-setattr"),
    pytest.param(A1, "build_model", BUILD + '''
keras.Model.count_params = lambda self: 4545
''', "monkeypatch", "keras.Model.count_params", id="keras-class-method"),
    pytest.param(A1, "input_gradient_norms", '''
import tensorflow
tensorflow.norm = lambda t, axis=None: tensorflow.ones(t.shape[:-1])
''', "monkeypatch", "tensorflow.norm", id="tensorflow-function"),
    pytest.param(A1, "build_model", BUILD + '''
del np.testing.assert_allclose
''', "monkeypatch", "deletes numpy.testing.assert_allclose", id="numpy-del-attribute"),
    # -- builtins and sys.modules
    pytest.param(A1, "train", '''
import builtins
builtins.AssertionError = type("AssertionError", (Exception,), {})
''', "builtins", "builtins.AssertionError", id="builtins-assertionerror"),
    pytest.param(A4, "compile_model", '''
__builtins__.isinstance = lambda obj, cls: True
''', "builtins", "builtins.isinstance", id="dunder-builtins-isinstance"),
    pytest.param(A4, "compile_model", '''
__builtins__["isinstance"] = lambda obj, cls: True
''', "builtins", "builtins.isinstance", id="dunder-builtins-item"),
    pytest.param(A1, "train", '''
import builtins
builtins.abs = lambda x: 0
''', "builtins", "builtins.abs", id="builtins-abs"),
    pytest.param(A1, "train", '''
import builtins
del builtins.print
''', "builtins", "deletes builtins.print", id="builtins-del"),
    pytest.param(A1, "train", '''
import builtins as b
setattr(b, "len", lambda x: 1)
''', "builtins", "builtins.len", id="builtins-setattr"),
    pytest.param(A3, "boundary_f1", '''
import sys, types
fake = types.SimpleNamespace(testing=types.SimpleNamespace(assert_allclose=lambda *a, **k: None))
sys.modules['numpy'] = fake
''', "builtins", "sys.modules['numpy']", id="sys-modules-replace"),
    pytest.param(A1, "train", '''
import sys
sys.modules.update({"lstm_course.checks": object()})
''', "builtins", "sys.modules", id="sys-modules-update"),
    pytest.param(A1, "train", '''
import sys
sys.path.insert(0, "fakes")
''', "builtins", "sys.path", id="sys-path-insert"),
    # -- shadowing names the tests use
    pytest.param(A1, "build_model", BUILD + '''
class _Anything:
    def __getattr__(self, name):
        return lambda *args, **kwargs: [1]

checks = _Anything()
''', "shadowing", "`checks`", id="shadow-checks-module"),
    pytest.param(A3, "boundary_f1", '''
import numpy

class FakeNumpy:
    def __getattr__(self, name):
        return getattr(numpy, name)

np = FakeNumpy()
np.testing = type("T", (), {"assert_allclose": staticmethod(lambda *a, **k: None)})
''', "shadowing", "`np`", id="shadow-np"),
    pytest.param(A2, "build_melody_model", '''
def build_melody_model(n_pitches, steps, units=32):
    return None

def build(*args, **kwargs):
    return keras.Sequential([keras.Input((1,)), layers.Dense(1)])

checks.build = build
''', "monkeypatch", "lstm_course.checks.build", id="checks-build"),
    pytest.param(A1, "build_model", BUILD + '''
def reset(*args, **kwargs):
    pass
''', "shadowing", "`reset`", id="shadow-imported-function"),
    pytest.param(A1, "build_model", BUILD + '''
from lstm_course.checks import assert_model as assert_allclose
LENGTH = 10
''', "shadowing", "`LENGTH`", id="shadow-constant"),
    pytest.param(A1, "build_model", '''
def build_model(cell, units=32, length=LENGTH):
    return keras.Sequential([keras.Input((length, 2)), cell(units), layers.Dense(1)])

def len(x):
    return 1
''', "shadowing", "builtin `len`", id="shadow-builtin-len"),
    pytest.param(A1, "train", '''
def train(model, x, y, epochs=12):
    model.compile(optimizer="adam", loss="mse")
    return model.fit(x, y, epochs=1, verbose=0)

baseline = 1e6
''', "shadowing", "`baseline`", id="shadow-baseline"),
    pytest.param(A2, "after:part1_train", '''
results = {"melody": {"loss_before": 9.0, "loss_after": 0.1, "accuracy": 1.0}}
''', "shadowing", "`results`", id="added-cell-rebinds-results"),
    pytest.param(A2, "after:part1_train", '''
results["melody"]["accuracy"] = 1.0
''', "test-data", "`results`", id="added-cell-edits-results"),
    pytest.param(A2, "after:part1_train", '''
results["melody"].update(accuracy=1.0)
''', "test-data", "`results`", id="added-cell-updates-results"),
    pytest.param(A1, "train", '''
def train(model, x, y, epochs=12):
    global baseline
    baseline = 1e6
    model.compile(optimizer="adam", loss="mse")
    return model.fit(x, y, epochs=1, verbose=0)
''', "shadowing", "global `baseline`", id="global-in-function"),
    pytest.param(A1, "input_gradient_norms", '''
class Always(float):
    def __gt__(self, other):
        return True
    __lt__ = __ge__ = __le__ = __gt__

def input_gradient_norms(model, x, y):
    return np.full(LENGTH, Always(1.0), dtype=object)
''', "rigged-object", "__gt__", id="rigged-comparisons"),
    # -- IPython and interpreter hooks
    pytest.param(A1, "build_model", BUILD + '''
def _skip_asserts(lines):
    return [line.replace("assert ", "assert True or ") for line in lines]

get_ipython().input_transformers_cleanup.append(_skip_asserts)
''', "ipython-hook", "input_transformers_cleanup", id="ipython-input-transformer"),
    pytest.param(A1, "build_model", BUILD + '''
ip = get_ipython()
ip.input_transformers_post.append(lambda lines: [l for l in lines if "assert" not in l])
''', "ipython-hook", "input_transformers_post", id="ipython-input-transformer-post"),
    pytest.param(A1, "build_model", BUILD + '''
import ast

class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()

get_ipython().ast_transformers.append(NoAsserts())
''', "ipython-hook", "ast_transformers", id="ipython-ast-transformer"),
    pytest.param(A1, "build_model", BUILD + '''
from IPython import get_ipython
get_ipython().events.register("pre_run_cell", lambda info: None)
''', "ipython-hook", "events", id="ipython-events"),
    pytest.param(A1, "build_model", BUILD + '''
get_ipython().set_custom_exc((AssertionError,), lambda shell, etype, value, tb, tb_offset=None: None)
''', "ipython-hook", "set_custom_exc", id="ipython-custom-exc"),
    pytest.param(A1, "build_model", BUILD + '''
def ignore(line, cell):
    pass

get_ipython().register_magic_function(ignore, "cell", "ignore")
''', "ipython-hook", "register_magic_function", id="ipython-register-magic"),
    pytest.param(A1, "build_model", BUILD + '''
from IPython.core.magic import register_cell_magic

@register_cell_magic
def quiet(line, cell):
    pass
''', "ipython-hook", "IPython.core", id="ipython-magic-decorator"),
    pytest.param(A1, "build_model", BUILD + '''
import sys

def tracer(frame, event, arg):
    if event == "exception":
        frame.f_locals.clear()
    return tracer

sys.settrace(tracer)
''', "ipython-hook", "sys.settrace", id="sys-settrace"),
    pytest.param(A1, "build_model", BUILD + '''
import sys
sys.setprofile(lambda frame, event, arg: None)
''', "ipython-hook", "sys.setprofile", id="sys-setprofile"),
    pytest.param(A1, "build_model", BUILD + '''
import sys
sys.excepthook = lambda *args: None
''', "ipython-hook", "sys.excepthook", id="sys-excepthook"),
    # -- dynamic code
    pytest.param(A1, "build_model", BUILD + '''
exec("checks.assert_param_count = lambda *a, **k: None")
''', "dynamic-code", "exec", id="exec"),
    pytest.param(A1, "build_model", BUILD + '''
eval(compile("setattr(checks, 'assert_model', print)", "<cell>", "exec"))
''', "dynamic-code", "eval", id="eval-compile"),
    pytest.param(A1, "build_model", BUILD + '''
__import__("lstm_course.checks").checks.assert_model = lambda *a: None
''', "monkeypatch", "lstm_course.checks.assert_model", id="dunder-import"),
    pytest.param(A3, "boundary_f1", '''
import importlib
importlib.import_module("numpy.testing").assert_allclose = lambda *a, **k: None
''', "monkeypatch", "numpy.testing.assert_allclose", id="importlib-import-module"),
    pytest.param(A1, "build_model", BUILD + '''
import base64
exec(base64.b64decode("Y2hlY2tzLmFzc2VydF9tb2RlbCA9IHByaW50").decode())
''', "dynamic-code", "base64.b64decode", id="base64-exec"),
    pytest.param(A1, "build_model", BUILD + '''
import codecs
run = getattr(__builtins__, codecs.decode("rkrp", "rot13"))
run("checks.assert_model = print")
''', "dynamic-code", "codecs.decode", id="codecs-getattr-builtins"),
    pytest.param(A1, "build_model", BUILD + '''
globals()["checks"] = type("C", (), {"__getattr__": lambda self, n: print})()
''', "dynamic-code", "globals()", id="globals-item"),
    pytest.param(A1, "build_model", BUILD + '''
globals().update(np=None)
''', "dynamic-code", "globals()", id="globals-update"),
    pytest.param(A1, "build_model", BUILD + '''
import gc
for obj in gc.get_objects():
    if getattr(obj, "__name__", "") == "assert_param_count":
        obj.__code__ = (lambda *a, **k: None).__code__
''', "dynamic-code", "gc.get_objects", id="gc-objects"),
    pytest.param(A1, "build_model", BUILD + '''
import sys
sys._getframe(0).f_globals["checks"] = None
''', "dynamic-code", "sys._getframe", id="frame-globals"),
    # -- processes
    pytest.param(A1, "train", '''
import subprocess
subprocess.run(["cp", "/srv/nbgrader/source/a1_rnn_vs_lstm/a1_rnn_vs_lstm.ipynb", "answers.ipynb"])
''', "process", "subprocess", id="subprocess"),
    pytest.param(A1, "train", '''
import os
os.system("cat ../../source/*/*.ipynb > leak.txt")
''', "process", "os.system", id="os-system"),
    pytest.param(A1, "train", '''
import os
answers = os.popen("ls ..").read()
''', "process", "os.popen", id="os-popen"),
    pytest.param(A1, "train", '''
import os
if os.fork() == 0:
    os._exit(0)
''', "process", "os.fork", id="os-fork"),
    pytest.param(A1, "train", '''
import os, signal
os.kill(os.getppid(), signal.SIGSTOP)
''', "process", "os.kill", id="os-kill"),
    pytest.param(A1, "train", '''
import pty
pty.spawn("sh")
''', "process", "pty", id="pty"),
    pytest.param(A1, "train", '''
import ctypes
libc = ctypes.CDLL(None)
''', "process", "ctypes", id="ctypes"),
    pytest.param(A1, "train", '''
from multiprocessing import Process
Process(target=print).start()
''', "process", "multiprocessing", id="multiprocessing"),
    pytest.param(A1, "train", '''
import signal
signal.signal(signal.SIGALRM, signal.SIG_IGN)
''', "process", "signal", id="signal-handler"),
    # -- the file system
    pytest.param(A1, "train", '''
source = open("/work/main/source/a1_rnn_vs_lstm/a1_rnn_vs_lstm.ipynb").read()
''', "file-access", "/work/main/source", id="open-absolute"),
    pytest.param(A1, "train", '''
with open("../../source/a1_rnn_vs_lstm/a1_rnn_vs_lstm.ipynb") as f:
    hidden = f.read()
''', "file-access", "../../source", id="open-parent"),
    pytest.param(A1, "train", '''
from pathlib import Path
db = Path("~/course/gradebook.db").expanduser()
''', "file-access", "gradebook.db", id="home-gradebook"),
    pytest.param(A1, "train", '''
env = open("/proc/self/environ").read()
''', "file-access", "/proc/self/environ", id="proc"),
    pytest.param(A1, "train", '''
print(open("/work/main/source/a1_rnn_vs_lstm/a1_rnn_vs_lstm.ipynb").read())
''', "file-access", "/work/main/source", id="open-inside-print"),
    pytest.param(A1, "train", '''
assert model, f"{open('../../gradebook.db', 'rb').read()[:10]}"
''', "file-access", "gradebook.db", id="open-inside-message"),
    pytest.param(A1, "train", '''
from pathlib import Path
tests = Path(np.__file__).parent / "testing"
''', "file-access", "__file__", id="module-file"),
    pytest.param(A1, "train", '''
import site
target = site.getsitepackages()[0]
''', "file-access", "site.getsitepackages", id="site-packages"),
    pytest.param(A1, "train", '''
import sqlite3
db = sqlite3.connect("../../gradebook.db")
''', "file-access", "gradebook.db", id="sqlite-gradebook"),
    pytest.param(A1, "train", '''
with open("numpy.py", "w") as f:
    f.write("from _real_numpy import *\\nallclose = lambda *a, **k: True\\n")
''', "file-access", "numpy.py", id="write-py-file"),
    pytest.param(A1, "train", '''
from pathlib import Path
Path("sitecustomize.py").write_text("import builtins; builtins.print = None")
''', "file-access", "sitecustomize.py", id="write-sitecustomize"),
    pytest.param(A1, "train", '''
import os
os.chdir("..")
''', "file-access", "working directory", id="chdir"),
    # -- magics
    pytest.param(A1, "train", '''
%run ../helpers/fake_checks.py
''', "magic", "%run", id="magic-run"),
    pytest.param(A1, "train", '''
!cp ../../source/a1_rnn_vs_lstm/a1_rnn_vs_lstm.ipynb .
''', "magic", "!cp", id="magic-shell"),
    pytest.param(A1, "train", '''
files = !ls ../..
''', "magic", "!ls", id="magic-shell-assign"),
    pytest.param(A1, "train", '''
%env LSTM_COURSE_SEED=7
''', "magic", "%env", id="magic-env"),
    pytest.param(A1, "train", '''
%load_ext autoreload
%autoreload 2
''', "magic", "%load_ext", id="magic-load-ext"),
    pytest.param(A1, "train", '''
%pip install --no-index ./fake_numpy
''', "magic", "%pip", id="magic-pip"),
    pytest.param(A1, "train", '''%%bash
cp ../../source/*/*.ipynb .
''', "magic", "%%bash", id="cell-magic-bash"),
    pytest.param(A1, "train", '''%%writefile lstm_course.py
def assert_model(*args): pass
''', "file-access", "lstm_course.py", id="cell-magic-writefile"),
    pytest.param(A1, "build_model", BUILD + '''
%time checks.assert_param_count = lambda *a, **k: None
''', "monkeypatch", "lstm_course.checks.assert_param_count", id="line-magic-time-hides-patch"),
    pytest.param(A1, "build_model", '''%%capture
def build_model(cell, units=32, length=LENGTH):
    return keras.Sequential([keras.Input((length, 2)), cell(units), layers.Dense(1)])
checks.assert_param_count = lambda *a, **k: None
''', "monkeypatch", "lstm_course.checks.assert_param_count", id="cell-magic-capture-hides-patch"),
]


def place(assignment: str, where: str, source: str) -> tuple[nbformat.NotebookNode, str]:
    if where.startswith("after:"):
        return insert_after(solved(assignment), where[len("after:"):], textwrap.dedent(source).lstrip("\n"))
    return solved(assignment, **{where: textwrap.dedent(source).lstrip("\n")}), where


@pytest.mark.parametrize("assignment, where, source, kind, needle", ATTACKS)
def test_attack_is_flagged(assignment, where, source, kind, needle):
    nb, location = place(assignment, where, source)
    findings = screen_notebook(nb, release(assignment))
    hits = [f for f in flags(findings) if f.kind == kind and needle in f.reason and f.where == location]
    assert hits, f"expected a {kind!r} flag naming {needle!r} at {location}; got:\n{show(findings)}"
    assert all(f.line is None or f.line >= 1 for f in findings)


def test_attack_line_numbers_point_at_the_attack():
    nb, _ = place(A3, "split_rate_by_length", '''
    def split_rate_by_length(y_true, y_pred, max_length=10):
        return np.zeros(max_length)

    np.testing.assert_allclose = lambda *a, **k: None
    ''')
    (hit,) = [f for f in flags(screen_notebook(nb, release(A3))) if f.kind == "monkeypatch"]
    assert hit.line == 4, hit


def test_locked_cells_are_screened_as_restored_not_as_submitted():
    """A student's edit of a locked cell is replaced by nbgrader: irrelevant. A copy of the
    setup cell without its metadata, however, is code the student added."""
    nb = solved(A1)
    setup = next(c for c in nb.cells if C.grade_id(c) == "setup")
    setup.source += "\nchecks.assert_param_count = lambda *a, **k: None\n"
    assert not flags(screen_notebook(nb, release(A1)))
    nb.cells.insert(2, new_code_cell("checks.assert_param_count = lambda *a, **k: None"))
    assert [f.where for f in flags(screen_notebook(nb, release(A1)))] == ["cell 3"]


def test_missing_locked_cell_is_flagged():
    """nbgrader restores locked cells by grade id, but does not add back a deleted one: a
    student who strips a locked cell's metadata can replace its code."""
    nb = solved(A1)
    for cell in nb.cells:
        if C.grade_id(cell) == "run_training":
            cell.metadata = {}
            cell.source = cell.source.replace("/ baseline", "/ baseline / 100")
    findings = flags(screen_notebook(nb, release(A1)))
    assert any(f.kind == "structure" and f.where == "run_training" for f in findings), show(findings)


def test_parse_errors_are_info_not_flags():
    nb = solved(A1, train="def train(model, x, y, epochs=12)\n    return model.fit(x, y)\n")
    findings = screen_notebook(nb, release(A1))
    assert not flags(findings)
    assert [(f.kind, f.where, f.severity) for f in findings] == [("unreadable", "train", INFO)]


# --------------------------------------------------------------------------
# honest work: no flags

HONEST = [
    pytest.param(A1, "build_model", '''
import numpy as np
from tensorflow.keras import layers


def _recurrent(cell, units):
    """Helper: the recurrent layer (see ~/notes and /tmp in the course text)."""
    return cell(units)


def build_model(cell, units=32, length=LENGTH):
    """Input -> cell(units) -> Dense(1)."""
    def assert_model(model):  # a local helper named like a course check
        assert model is not None
    checks = []  # a local list named like the course module
    model = keras.Sequential([keras.Input((length, 2)), _recurrent(cell, units), layers.Dense(1)])
    checks.append(model)
    assert_model(model)
    return model


model = build_model(layers.LSTM)
model.summary()
print(f"{model.count_params():,} parameters; inputs / outputs:", model.inputs, model.outputs)
print("notes in ~/notes/lstm.md, scratch in /tmp:", str(model.count_params()).rjust(8))
''', id="helpers-prints-imports-local-names"),
    pytest.param(A1, "train", '''
%matplotlib inline
import warnings
import os
warnings.filterwarnings("ignore")
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
np.random.seed(0)
keras.utils.set_random_seed(0)
tf.random.set_seed(0)

LENGTH = 50  # the same value as the course's


def train(model, x, y, epochs=12):
    optimizer = keras.optimizers.Adam(learning_rate=1e-2, clipnorm=1.0)
    model.compile(optimizer=optimizer, loss="mean_squared_error")
    history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return history


history = train(build_model(layers.LSTM), x_train[:256], y_train[:256], epochs=1)
plt.rcParams["figure.figsize"] = (6, 3)
fig, ax = plt.subplots()
ax.plot(history.history["loss"], label="loss / epoch")
ax.set_title("Training loss (see ../chapters for more)")
ax.legend()
plt.show()
''', id="seeds-plots-magic-same-constant"),
    pytest.param(A1, "input_gradient_norms", '''
%%time
from pathlib import Path
import json

def input_gradient_norms(model, x, y):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(tf.square(model(x) - y))
    norms = tf.norm(tape.gradient(loss, x), axis=-1).numpy()
    return norms.mean(axis=0)

notes = Path("notes.txt")
if notes.exists():
    with open(notes) as f:
        print(f.read())
if os.path.exists("data/series.csv"):
    series = np.loadtxt("data/series.csv", delimiter=",")
Path("results").mkdir(exist_ok=True)
with open("results/run.json", "w") as f:
    json.dump({"ok": True}, f)
layer_class = getattr(layers, "LSTM")
''', id="cell-magic-relative-files"),
    pytest.param(A1, "after:run_training", '''
for name, value in relative_mse.items():
    print(name, round(value, 3))
best = min(relative_mse, key=relative_mse.get)
print("best:", best, models[best].count_params())
''', id="added-cell-reads-results"),
    pytest.param(A3, "boundary_f1", '''
from IPython.display import Markdown, display


class Counts:
    """True and false positives (a small helper class)."""

    def __init__(self, truth, predicted):
        self.tp = int(np.sum(truth & predicted))
        self.predicted = int(predicted.sum())
        self.actual = int(truth.sum())

    def __repr__(self):
        return f"Counts(tp={self.tp})"


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else 0.0


def boundary_f1(y_true, y_prob, threshold=0.5):
    truth = np.ravel(y_true) == 1
    predicted = np.ravel(y_prob) >= threshold
    c = Counts(truth, predicted)
    precision, recall = _ratio(c.tp, c.predicted), _ratio(c.tp, c.actual)
    try:
        f1 = 2 * precision * recall / (precision + recall)
    except ZeroDivisionError as error:
        print("no overlap:", error)
        f1 = 0.0
    return float(precision), float(recall), float(f1)


display(Markdown("**checked** on a toy example"))
print(boundary_f1(np.array([1, 0, 1]), np.array([0.9, 0.2, 0.4])))
''', id="helper-class-display-try"),
    pytest.param(A4, "build_experiment", '''
EXPERIMENT = "stacked_bilstm"


class PrintEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print(epoch, {k: round(v, 3) for k, v in (logs or {}).items()})


class Scale(keras.layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def build_experiment():
    model = keras.Sequential([
        keras.Input((None,), dtype="int32"),
        layers.Embedding(VOCAB_SIZE, 64, mask_zero=True),
        layers.Bidirectional(layers.LSTM(128, return_sequences=True)),
        layers.Bidirectional(layers.LSTM(128)),
        layers.Dense(1),
    ])
    return Experiment(model, callbacks=[PrintEpoch()])
''', id="keras-subclasses"),
    pytest.param(A2, "build_direction_model", '''
%timeit -n 1 -r 1 sum(range(10))

def build_direction_model(window, n_features, units=16):
    inputs = keras.Input((window, n_features))
    hidden = layers.LSTM(units)(inputs)
    outputs = layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    return model

mean_loss = []  # a student's own name, not one the course uses later
model = build_direction_model(WINDOW, N_FEATURES)
model.save("direction.keras")
''', id="functional-api-timeit-save"),
]


@pytest.mark.parametrize("assignment, where, source", HONEST)
def test_honest_code_is_not_flagged(assignment, where, source):
    nb, location = place(assignment, where, source)
    findings = screen_notebook(nb, release(assignment))
    assert not flags(findings), show(findings)


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_solution_and_release_are_not_flagged(assignment):
    assert not screen_notebook(solved(assignment), release(assignment))
    assert not screen_notebook(release(assignment), release(assignment))


def _partial_cases():
    """CELLS of every partial submission, and VARIANT_CELLS where present (one mapping
    grade id -> source, or several of them in a dict or list)."""
    cases = []
    for stem, module in partial_modules():
        cases.append(pytest.param(stem, module.CELLS, id=f"{stem}-partial"))
        variants = getattr(module, "VARIANT_CELLS", None)
        if not variants:
            continue
        if isinstance(variants, dict) and all(isinstance(v, str) for v in variants.values()):
            variants = {"variant": variants}
        items = variants.items() if isinstance(variants, dict) else enumerate(variants)
        for name, cells in items:
            cases.append(pytest.param(stem, cells, id=f"{stem}-{name}"))
    return cases


@pytest.mark.parametrize("assignment, cells", _partial_cases())
def test_partials_and_variants_are_not_flagged(assignment, cells):
    nb = C.with_cells(release(assignment), {**solutions(assignment), **cells})
    findings = screen_notebook(nb, release(assignment))
    assert not flags(findings), show(findings)


# --------------------------------------------------------------------------
# the fixture assignment (plain Python)


def test_fixture_solution_is_clean_and_attacks_are_flagged():
    rel = fixture_release()
    sol = fixture_solution_cells()
    assert not screen_notebook(C.with_cells(rel, sol), rel)
    attack = C.with_cells(rel, {**sol, "std": sol["std"] + "\n\ndef abs(x):\n    return 0\n"})
    findings = flags(screen_notebook(attack, rel))
    assert any(f.kind == "shadowing" and "`abs`" in f.reason and f.where == "std" for f in findings), \
        show(findings)
    attack = C.with_cells(rel, {**sol, "mean": sol["mean"] + "\nmath.sqrt = lambda x: 1.0\n"})
    findings = flags(screen_notebook(attack, rel))
    assert any(f.kind == "monkeypatch" and "math.sqrt" in f.reason for f in findings), show(findings)


# --------------------------------------------------------------------------
# files shipped beside the notebook


def _write_submission(folder: Path, nb: nbformat.NotebookNode) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{F.NOTEBOOK}.ipynb")
    (folder / "timestamp.txt").write_text("2024-01-01 00:00:00.000000 UTC")


@pytest.mark.parametrize("name, content, kind_of_entry", [
    ("numpy/__init__.py", "allclose = lambda *a, **k: True\n", "numpy/"),
    ("lstm_course/checks/__init__.py", "def assert_model(*a): pass\n", "lstm_course/"),
    ("sitecustomize.py", "import builtins\n", "sitecustomize.py"),
    ("evil.pth", "import os\n", "evil.pth"),
    ("helpers.py", "x = 1\n", "helpers.py"),
    ("answers.csv", "1,2,3\n", "answers.csv"),
    ("namespace/readme.txt", "no python here\n", "namespace/"),
])
def test_shipped_files_are_flagged(tmp_path, name, content, kind_of_entry):
    folder = tmp_path / "submitted" / "alice" / F.ASSIGNMENT
    _write_submission(folder, C.with_cells(fixture_release(), fixture_solution_cells()))
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(content)
    findings = screen_folder(folder, [F.NOTEBOOK])
    assert [(f.kind, f.where, f.severity) for f in findings] == [("shipped-file", kind_of_entry, FLAG)], \
        show(findings)


def test_harmless_extras_are_info(tmp_path):
    folder = tmp_path / F.ASSIGNMENT
    _write_submission(folder, fixture_release())
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / f"{F.NOTEBOOK}-checkpoint.ipynb").write_text("{}")
    (folder / ".DS_Store").write_text("")
    (folder / "fx_stats-Copy1.ipynb").write_text("{}")
    findings = screen_folder(folder, [f"{F.NOTEBOOK}.ipynb"])
    assert findings and not flags(findings), show(findings)
    assert {f.where for f in findings} == {".ipynb_checkpoints/", ".DS_Store", "fx_stats-Copy1.ipynb"}


def test_symlink_is_flagged(tmp_path):
    folder = tmp_path / F.ASSIGNMENT
    _write_submission(folder, fixture_release())
    (folder / "data").symlink_to("/etc")
    (finding,) = screen_folder(folder, [F.NOTEBOOK])
    assert finding.severity == FLAG and "/etc" in finding.reason


def test_screen_submission_reads_the_folder(tmp_path):
    rel = fixture_release()
    sol = fixture_solution_cells()
    folder = tmp_path / F.ASSIGNMENT
    _write_submission(folder, C.with_cells(rel, {**sol, "mean": sol["mean"] + "\nmath.sqrt = abs\n"}))
    (folder / "math.py").write_text("sqrt = abs\n")
    findings = screen_submission(folder, {F.NOTEBOOK: rel})
    assert {(f.kind, f.where) for f in flags(findings)} == {("monkeypatch", "mean"),
                                                           ("shipped-file", "math.py")}

    clean = tmp_path / "clean"
    _write_submission(clean, C.with_cells(rel, sol))
    assert screen_submission(clean, {f"{F.NOTEBOOK}.ipynb": rel}) == []


def test_screen_submission_tolerates_missing_and_corrupt_notebooks(tmp_path):
    rel = fixture_release()
    missing = tmp_path / "missing"
    missing.mkdir()
    findings = screen_submission(missing, {F.NOTEBOOK: rel})
    assert [(f.kind, f.severity) for f in findings] == [("unreadable", INFO)]
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / f"{F.NOTEBOOK}.ipynb").write_text('{"cells": [ this is not json')
    findings = screen_submission(corrupt, {F.NOTEBOOK: rel})
    assert [(f.kind, f.severity) for f in findings] == [("unreadable", INFO)]
    several = screen_submission(corrupt, {F.NOTEBOOK: rel, "other": rel})
    assert {f.where for f in several} == {f"{F.NOTEBOOK}.ipynb", "other.ipynb"}


# --------------------------------------------------------------------------
# the runtime probe

HONEST_RUNTIME = '''
import numpy as np
import numpy.testing
from lstm_course import checks, params
from lstm_course.checks import structure

def helper(x):
    return np.mean(x)

class Counter:
    def __init__(self):
        self.n = 0

counter = Counter()
np.testing.assert_allclose(helper([1, 2]), 1.5)
'''

RUNTIME_ATTACKS = [
    pytest.param('''
import numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
''', "monkeypatch", "numpy.testing.assert_allclose", id="numpy-testing"),
    pytest.param('''
import lstm_course.checks as ch
from unittest import mock
ch.assert_param_count = mock.MagicMock()
''', "monkeypatch", "lstm_course.checks.assert_param_count", id="checks-mock"),
    pytest.param('''
import lstm_course.checks.structure as st
st.assert_output_shape = print
''', "monkeypatch", "lstm_course.checks.structure.assert_output_shape", id="checks-submodule-builtin"),
    pytest.param('''
import builtins
builtins.isinstance = lambda obj, cls: True
''', "builtins", "builtins.isinstance", id="builtins-replaced"),
    pytest.param('''
import builtins
del builtins.AssertionError
''', "builtins", "builtins.AssertionError", id="builtins-deleted"),
    pytest.param('''
import sys, types
sys.modules["numpy.testing"] = types.SimpleNamespace(assert_allclose=lambda *a, **k: None)
''', "builtins", "numpy.testing", id="sys-modules-fake"),
    pytest.param('''
import sys
def tracer(frame, event, arg):
    return None
sys.settrace(tracer)
''', "ipython-hook", "sys.settrace", id="settrace"),
    pytest.param('''
import sys
sys.excepthook = lambda *a: None
''', "ipython-hook", "sys.excepthook", id="excepthook"),
    pytest.param('''
import signal
signal.signal(signal.SIGALRM, lambda *a: None)
''', "process", "SIGALRM", id="signal-handler"),
]


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def _run_ipython(cells: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run cells, then the probe, in an IPython InteractiveShell (in a subprocess)."""
    script = cwd / "_shell.py"
    (cwd / "_cells.json").write_text(json.dumps(cells + [RUNTIME_PROBE]))
    script.write_text(textwrap.dedent('''
        import json, sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        for cell in json.load(open("_cells.json")):
            result = shell.run_cell(cell, store_history=False)
    '''))
    return subprocess.run([PYTHON, str(script)], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_probe_is_clean_after_honest_code(tmp_path):
    result = _run(HONEST_RUNTIME + "\n" + RUNTIME_PROBE, tmp_path)
    assert result.returncode == 0, result.stderr
    findings = parse_probe(result.stdout)
    assert not flags(findings), show(findings)
    assert [f.kind for f in findings] == ["ipython"]  # info: not inside IPython


@pytest.mark.parametrize("attack, kind, needle", RUNTIME_ATTACKS)
def test_probe_reports_attacks(tmp_path, attack, kind, needle):
    result = _run(HONEST_RUNTIME + "\n" + textwrap.dedent(attack) + "\n" + RUNTIME_PROBE, tmp_path)
    findings = parse_probe(result.stdout)
    assert any(f.kind == kind and needle in f.reason and f.severity == FLAG for f in findings), \
        f"{show(findings)}\n{result.stderr[-2000:]}"


def test_probe_reports_a_shipped_module(tmp_path):
    (tmp_path / "numpy").mkdir()
    (tmp_path / "numpy" / "__init__.py").write_text("allclose = lambda *a, **k: True\n")
    result = _run("import numpy\n" + RUNTIME_PROBE, tmp_path)
    findings = parse_probe(result.stdout)
    assert any(f.kind == "shipped-file" and "numpy" in f.reason for f in flags(findings)), show(findings)


def test_probe_fails_closed_when_output_is_hijacked(tmp_path):
    result = _run("import sys, io\nsys.stdout = io.StringIO()\n" + RUNTIME_PROBE, tmp_path)
    assert [f.kind for f in flags(parse_probe(result.stdout))] == ["probe"]


def test_probe_in_ipython_shell(tmp_path):
    honest = _run_ipython([
        "import matplotlib\nmatplotlib.use('Agg')",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.close('all')",
        HONEST_RUNTIME,
        "%time x = sum(range(10))",
    ], tmp_path)
    findings = parse_probe(honest.stdout)
    assert not findings, f"{show(findings)}\n{honest.stderr[-2000:]}"

    attacked = _run_ipython([
        HONEST_RUNTIME,
        "get_ipython().input_transformers_cleanup.append(lambda lines: lines)",
        "import ast\nclass T(ast.NodeTransformer):\n    pass\nget_ipython().ast_transformers.append(T())",
        "get_ipython().events.register('pre_run_cell', lambda info: None)",
        "get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)",
        "def quiet(line, cell=None):\n    pass\n"
        "get_ipython().register_magic_function(quiet, 'cell', 'quiet')",
        "import lstm_course.checks as ch\nch.assert_model = lambda *a: None",
    ], tmp_path)
    findings = flags(parse_probe(attacked.stdout))
    reasons = "\n".join(f.reason for f in findings)
    for needle in ("input_transformers_cleanup", "ast_transformers", "events 'pre_run_cell'",
                   "set_custom_exc", "cell magic quiet", "lstm_course.checks.assert_model"):
        assert needle in reasons, f"{needle} not reported:\n{show(findings)}\n{attacked.stderr[-2000:]}"


def test_probe_in_a_jupyter_kernel(tmp_path):
    """The probe in a real ipykernel (as nbgrader runs it): nothing after honest work with
    Keras and inline plots; the hooks of an attack are reported."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_notebook

    def run(cells: list[str]) -> str:
        nb = new_notebook(cells=[new_code_cell(c) for c in cells + [RUNTIME_PROBE]])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
        return "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")

    honest = run([
        "%matplotlib inline\nimport keras\nimport matplotlib.pyplot as plt\nfrom keras import layers",
        HONEST_RUNTIME,
        "keras.utils.set_random_seed(0)\n"
        "model = keras.Sequential([keras.Input((5, 2)), layers.LSTM(3), layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse')\n"
        "history = model.fit(np.zeros((8, 5, 2)), np.zeros((8, 1)), epochs=1, verbose=0)\n"
        "plt.plot(history.history['loss']); plt.show()",
    ])
    findings = parse_probe(honest)
    assert not findings, show(findings)

    attacked = run([
        HONEST_RUNTIME,
        "get_ipython().input_transformers_post.append(lambda lines: lines)\n"
        "get_ipython().events.register('post_run_cell', lambda result: None)\n"
        "np.testing.assert_allclose = lambda *a, **k: None",
    ])
    reasons = "\n".join(f.reason for f in flags(parse_probe(attacked)))
    for needle in ("input_transformers_post", "events 'post_run_cell'", "numpy.testing.assert_allclose"):
        assert needle in reasons, reasons


@pytest.mark.parametrize("text", [
    "",
    "hello\n",
    f"{PROBE_PREFIX} not json\n",
    f"{PROBE_PREFIX} {{\"probe\": 2, \"items\": []}}\n",
    f"{PROBE_PREFIX} {{\"probe\": 1, \"items\": [{{\"kind\": \"x\"}}]}}\n",
    f'{PROBE_PREFIX} {{"probe": 1, "items": []}}\n{PROBE_PREFIX} {{"probe": 1, "items": []}}\n',
])
def test_missing_or_garbled_probe_is_a_flag(text):
    (finding,) = parse_probe(text)
    assert finding.kind == "probe" and finding.severity == FLAG and finding.where == "kernel"


def test_probe_report_roundtrip():
    item = {"kind": "monkeypatch", "what": "numpy.allclose", "detail": "is <lambda>", "severity": "flag"}
    text = f'noise\n{PROBE_PREFIX} {json.dumps({"probe": 1, "ipython": True, "items": [item]})}\n'
    assert parse_probe(text) == [Finding("monkeypatch", "kernel", None, "numpy.allclose: is <lambda>", FLAG)]
    assert parse_probe(f'{PROBE_PREFIX} {{"probe": 1, "ipython": true, "items": []}}') == []
