"""Integrity screen of the autograder: detect tampering with the tests.

A submission's code runs in the same Python interpreter as the visible and
hidden test cells, so a student can make tests pass without solving anything:
monkeypatch ``numpy.testing``, replace a builtin, shadow a name the tests call,
register an IPython hook, or ship a fake ``numpy/`` beside the notebook. This
cannot be prevented (instructors/threat-model.md), so it is *detected*: a flagged
submission keeps its score and goes to manual review with the reason stated.

Two complementary screens:

* **static** (:func:`screen_notebook`, :func:`screen_folder`,
  :func:`screen_submission`): reads the cells a student can edit (code cells
  that are not locked in the release version, matched by nbgrader
  ``grade_id``; locked cells are restored by nbgrader, so their submitted
  source is irrelevant) and the files shipped beside the notebook;
* **runtime** (:data:`RUNTIME_PROBE`, :func:`parse_probe`): Python source the
  grader runs in the student's kernel after the last cell; it prints one line
  ``LSTM_COURSE_PROBE <json>`` describing hooks, replaced builtins, modules
  loaded from outside the environment and course or NumPy functions defined in
  the notebook. A missing or garbled line is itself a finding.

Every result is a :class:`Finding` with severity ``"flag"`` (manual review)
or ``"info"`` (reported, no review needed).

Limits (the screen raises the cost of cheating; it is not a proof of honesty):
the static screen follows names, imports and simple aliases, not arbitrary
data flow, so a patch reached through computed values may be seen only by
the runtime probe (which checks where functions come from, not what they do);
``exec`` and friends are flagged but their text is not analysed; and code
that runs in the kernel could, with enough effort, forge the probe's report.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # nbformat is imported when a notebook file is read (it is slow to import)
    from nbformat import NotebookNode

__all__ = [
    "FLAG",
    "INFO",
    "PROBE_PREFIX",
    "RUNTIME_PROBE",
    "Finding",
    "parse_probe",
    "screen_folder",
    "screen_notebook",
    "screen_submission",
]

FLAG = "flag"
INFO = "info"
PROBE_PREFIX = "LSTM_COURSE_PROBE"


@dataclass(frozen=True)
class Finding:
    """One result of the integrity screen.

    ``kind`` is a short category (``monkeypatch``, ``builtins``, ``shadowing``,
    ``test-data``, ``ipython-hook``, ``dynamic-code``, ``rigged-object``,
    ``process``, ``file-access``, ``shipped-file``, ``magic``, ``structure``,
    ``unreadable``, ``probe``); ``where`` a cell's grade id (``"cell 7"``,
    counted from 1, for a cell without one), a file name, or ``"kernel"`` for
    the runtime probe; ``line`` the 1-based line in the cell where known;
    ``reason`` one sentence for the grading report; ``severity`` ``"flag"``
    (send to manual review) or ``"info"``.
    """

    kind: str
    where: str
    line: int | None
    reason: str
    severity: str


# --------------------------------------------------------------------------
# notebook helpers


def _nbmeta(cell: NotebookNode) -> dict:
    meta = cell.get("metadata", {}) or {}
    nb = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nb if isinstance(nb, dict) else {}


def _grade_id(cell: NotebookNode) -> str | None:
    gid = _nbmeta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def _is_locked(meta: dict) -> bool:
    """nbgrader's rule: locked cells, and grade cells that are not solutions."""
    return bool(meta.get("locked")) or (bool(meta.get("grade")) and not meta.get("solution"))


def _source(cell: NotebookNode) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


_TRANSFORMER = None


def _parse(source: str) -> ast.Module | None:
    """Parse a cell as IPython would run it (magics and ``!`` lines transformed).

    Plain Python is parsed directly (IPython's transforms only change lines
    that are not valid Python); ``None`` when the cell does not parse.
    """
    global _TRANSFORMER
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        if _TRANSFORMER is None:
            from IPython.core.inputtransformer2 import TransformerManager

            _TRANSFORMER = TransformerManager()
        return ast.parse(_TRANSFORMER.transform_cell(source))
    except Exception:  # noqa: BLE001 - a cell that cannot be read is not an attack by itself
        return None


# --------------------------------------------------------------------------
# tables of what the static screen looks for

_BUILTIN_NAMES = frozenset(dir(builtins)) | {"display", "get_ipython", "In", "Out", "exit", "quit"}
_DYNAMIC_BUILTINS = {"exec", "eval", "compile", "__import__"}
_MUTATORS = {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert",
             "remove", "__setitem__", "__delitem__"}
# attributes whose loading means reaching into the interpreter's internals
_INTERNAL_ATTRS = {"__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__",
                   "__defaults__", "__kwdefaults__", "f_globals", "f_locals", "f_builtins",
                   "f_back", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_trace"}
# dunders a class may define to compare equal / true / close to anything
_RIGGED_DUNDERS = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__",
                   "__array__", "__array_ufunc__", "__array_function__", "__float__", "__int__",
                   "__index__", "__instancecheck__", "__subclasscheck__", "__getattr__",
                   "__getattribute__"}
_HARMLESS_DUNDER_STORES = {"__doc__", "__name__", "__qualname__"}
_SYS_IMPORT_STATE = ("sys.modules", "sys.path", "sys.meta_path", "sys.path_hooks",
                     "sys.path_importer_cache")
_SYS_HOOKS = {"sys.excepthook", "sys.displayhook", "sys.breakpointhook", "sys.unraisablehook",
              "sys.__interactivehook__", "sys.audit"}

# imports that only an attack needs in this course: module -> (kind, reason)
_FLAGGED_IMPORTS = {
    "subprocess": ("process", "imports subprocess, which runs other programs"),
    "pty": ("process", "imports pty, which runs other programs"),
    "ctypes": ("process", "imports ctypes, which calls C code and can rewrite memory"),
    "cffi": ("process", "imports cffi, which calls C code"),
    "multiprocessing": ("process", "imports multiprocessing, which starts other processes"),
    "signal": ("process", "imports signal, whose handlers can swallow the grader's timeouts"),
    "socket": ("process", "imports socket (network access)"),
    "resource": ("process", "imports resource, which changes the kernel's limits"),
    "importlib": ("dynamic-code", "imports importlib, which loads or reloads modules out of sight"),
    "runpy": ("dynamic-code", "imports runpy, which runs code from other files"),
    "code": ("dynamic-code", "imports code, which runs code from strings"),
    "codeop": ("dynamic-code", "imports codeop, which compiles code from strings"),
    "marshal": ("dynamic-code", "imports marshal, which loads compiled code"),
    "imp": ("dynamic-code", "imports imp, which loads modules out of sight"),
    "zipimport": ("dynamic-code", "imports zipimport, which loads modules out of sight"),
    "unittest.mock": ("monkeypatch", "imports unittest.mock, whose patch() replaces what the tests call"),
    "mock": ("monkeypatch", "imports mock, whose patch() replaces what the tests call"),
    "IPython.core": ("ipython-hook", "imports IPython.core, which can change how cells are run"),
    "IPython.terminal": ("ipython-hook", "imports IPython internals, which can change how cells are run"),
    "ipykernel": ("ipython-hook", "imports ipykernel, which can change how cells are run"),
    "sitecustomize": ("shipped-file", "imports sitecustomize"),
    "usercustomize": ("shipped-file", "imports usercustomize"),
}

# calls: (exact path or prefix ending in "."/"*", kind, reason); {p} is the call's path
_FLAGGED_CALLS = [
    ("subprocess.", "process", "runs another program with {p}()"),
    ("os.system", "process", "runs a shell command with {p}()"),
    ("os.popen", "process", "runs a shell command with {p}()"),
    ("os.fork", "process", "forks the kernel with {p}()"),
    ("os.forkpty", "process", "forks the kernel with {p}()"),
    ("os.kill", "process", "sends a signal with {p}()"),
    ("os.killpg", "process", "sends a signal with {p}()"),
    ("os.exec*", "process", "replaces the kernel with another program ({p}())"),
    ("os.spawn*", "process", "runs another program with {p}()"),
    ("os.posix_spawn*", "process", "runs another program with {p}()"),
    ("pty.", "process", "runs another program with {p}()"),
    ("ctypes.", "process", "calls C code with {p}()"),
    ("multiprocessing.", "process", "starts other processes with {p}()"),
    ("concurrent.futures.ProcessPoolExecutor", "process", "starts other processes with {p}()"),
    ("signal.", "process", "changes signal handling with {p}(), which can swallow the grader's timeouts"),
    ("socket.", "process", "opens a network socket with {p}()"),
    ("resource.setrlimit", "process", "changes the kernel's limits with {p}()"),
    ("sys.settrace", "ipython-hook",
     "installs a trace function with {p}(), which sees and changes every test line"),
    ("sys.setprofile", "ipython-hook",
     "installs a profile function with {p}(), which sees every call of the tests"),
    ("threading.settrace", "ipython-hook", "installs a trace function with {p}()"),
    ("threading.setprofile", "ipython-hook", "installs a profile function with {p}()"),
    ("sys.addaudithook", "ipython-hook", "installs an audit hook with {p}()"),
    ("sys.monitoring.", "ipython-hook", "installs a monitoring hook with {p}()"),
    ("importlib.", "dynamic-code", "loads modules out of sight with {p}()"),
    ("runpy.", "dynamic-code", "runs code from another file with {p}()"),
    ("code.", "dynamic-code", "runs code from strings with {p}()"),
    ("marshal.loads", "dynamic-code", "loads compiled code with {p}()"),
    ("pickle.loads", "dynamic-code", "unpickles bytes with {p}(), which can run arbitrary code"),
    ("base64.*decode*", "dynamic-code", "decodes hidden text with {p}()"),
    ("codecs.decode", "dynamic-code", "decodes hidden text with {p}()"),
    ("codecs.getdecoder", "dynamic-code", "decodes hidden text with {p}()"),
    ("zlib.decompress", "dynamic-code", "decompresses hidden data with {p}()"),
    ("binascii.a2b*", "dynamic-code", "decodes hidden text with {p}()"),
    ("binascii.unhexlify", "dynamic-code", "decodes hidden text with {p}()"),
    ("types.FunctionType", "dynamic-code", "builds a function from raw code with {p}()"),
    ("types.CodeType", "dynamic-code", "builds raw code with {p}()"),
    ("types.ModuleType", "dynamic-code", "fabricates a module with {p}()"),
    ("sys._getframe", "dynamic-code", "reaches into the call stack with {p}()"),
    ("inspect.currentframe", "dynamic-code", "reaches into the call stack with {p}()"),
    ("inspect.stack", "dynamic-code", "reaches into the call stack with {p}()"),
    ("inspect.getouterframes", "dynamic-code", "reaches into the call stack with {p}()"),
    ("gc.get_objects", "dynamic-code",
     "searches every live object with {p}() (a way to patch functions out of sight)"),
    ("gc.get_referrers", "dynamic-code",
     "searches live objects with {p}() (a way to patch functions out of sight)"),
    ("gc.get_referents", "dynamic-code",
     "searches live objects with {p}() (a way to patch functions out of sight)"),
    ("unittest.mock.patch*", "monkeypatch", "replaces an object the tests may call with {p}()"),
    ("mock.patch*", "monkeypatch", "replaces an object the tests may call with {p}()"),
    ("os.chdir", "file-access", "changes the working directory with {p}()"),
    ("os.fchdir", "file-access", "changes the working directory with {p}()"),
]
_LOCATION_MARKERS = {
    "sys.prefix", "sys.base_prefix", "sys.exec_prefix", "sys.base_exec_prefix",
    "site.getsitepackages", "site.getusersitepackages", "site.USER_SITE", "site.USER_BASE",
    "sysconfig.get_paths", "sysconfig.get_path", "os.path.expanduser", "pathlib.Path.home",
}
_LOCATION_ENV = {"HOME", "VIRTUAL_ENV", "PYTHONPATH", "USERPROFILE", "PWD", "OLDPWD"}
# config namespaces an honest student may change
_CONFIG_NAMESPACES = re.compile(r"(^|\.)(rcParams|rcParamsDefault|options)(\.|\[|$)")

# functions whose string arguments are text for a reader, not paths
_TEXT_CALLS = {"print", "display", "Markdown", "HTML", "Latex", "set_title", "set_xlabel",
               "set_ylabel", "title", "xlabel", "ylabel", "suptitle", "text", "annotate",
               "legend", "warn", "info", "debug", "warning", "write", "format", "join",
               "replace", "split", "strip", "startswith", "endswith", "fullmatch", "match",
               "search", "sub", "findall", "compile"}
_ABS_PATH = re.compile(r"^/[A-Za-z0-9_.-]+(/|$)")
_HOME_PATH = re.compile(r"^~[A-Za-z0-9_.-]*/")
_UP_PATH = re.compile(r"(^|[/\\])\.\.([/\\]|$)")
_SENSITIVE_PATH = re.compile(
    r"gradebook\.db|site-packages|dist-packages|nbgrader_config|"
    r"(^|/)(source|solutions|autograded|submitted|feedback|release)/")
_CODE_FILE = re.compile(r"(\.(py|pyc|pyd|pth|so|egg-link)|sitecustomize|usercustomize)$")

# IPython magics
_QUIET_LINE_MAGICS = {"matplotlib", "pinfo", "pinfo2", "pdoc", "pdef", "psource", "who",
                      "whos", "who_ls", "precision", "pprint", "xmode", "lsmagic", "magic",
                      "quickref", "page"}
_CODE_LINE_MAGICS = {"time", "timeit"}
_CODE_CELL_MAGICS = {"time", "timeit", "capture"}
_DISPLAY_CELL_MAGICS = {"html", "HTML", "markdown", "latex", "svg", "javascript", "js"}
_MAGIC_REASONS = {
    "run": "runs another script or notebook with %run, out of the screen's sight",
    "env": "changes environment variables with %env",
    "set_env": "changes environment variables with %set_env",
    "load_ext": "loads an IPython extension with %load_ext",
    "reload_ext": "loads an IPython extension with %reload_ext",
    "autoreload": "reloads modules with %autoreload",
    "aimport": "reloads modules with %aimport",
    "load": "loads code from a file or URL with %load",
    "loadpy": "loads code from a file with %loadpy",
    "writefile": "writes a file with %%writefile",
    "file": "writes a file with %%file",
    "cd": "changes the working directory with %cd",
    "pushd": "changes the working directory with %pushd",
    "popd": "changes the working directory with %popd",
    "config": "changes IPython's configuration with %config",
    "pip": "installs packages with %pip",
    "conda": "installs packages with %conda",
    "mamba": "installs packages with %mamba",
    "alias": "defines a shell alias with %alias",
    "reset": "clears the kernel's variables with %reset",
    "reset_selective": "clears the kernel's variables with %reset_selective",
    "xdel": "deletes variables with %xdel",
}
_SHELL_MAGICS = {"bash", "sh", "script", "system", "sx", "sc", "perl", "ruby", "python",
                 "python2", "python3", "pypy"}


def _matches(path: str, pattern: str) -> bool:
    if "*" in pattern:
        regex = "^" + re.escape(pattern).replace(r"\*", ".*") + "$"
        return re.match(regex, path) is not None
    if pattern.endswith("."):
        return path.startswith(pattern)
    return path == pattern


def _module_matches(module: str, flagged: str) -> bool:
    return module == flagged or module.startswith(flagged + ".")


def _outside_path(text: str) -> str | None:
    """Why a string constant names a place outside the working copy, or None."""
    s = text.strip()
    if not s or len(s) > 400 or "\n" in s:
        return None
    if _SENSITIVE_PATH.search(s):
        return f"refers to {s!r}, which is grader territory outside the working copy"
    if _ABS_PATH.match(s):
        return f"uses the absolute path {s!r}, outside the working copy"
    if _HOME_PATH.match(s):
        return f"uses the path {s!r} in a home folder, outside the working copy"
    if _UP_PATH.search(s):
        return f"uses the path {s!r}, which climbs out of the working copy"
    return None


# --------------------------------------------------------------------------
# per-cell analysis


@dataclass
class _Binding:
    name: str
    line: int
    how: str  # assign, const, import, def, class, del, global, loop, other
    value: object = None  # import path, or a constant's value


@dataclass
class _CellInfo:
    where: str
    locked: bool
    graded: bool
    screened: bool
    bindings: list[_Binding] = field(default_factory=list)
    loads: set[str] = field(default_factory=set)  # read at top level before bound in the cell
    deferred: set[str] = field(default_factory=set)  # read as globals inside functions
    mutations: list[tuple[str, int, bool]] = field(default_factory=list)  # (name, line, in a function)
    findings: list[Finding] = field(default_factory=list)

    @property
    def bound(self) -> set[str]:
        return {b.name for b in self.bindings if b.how != "global"}


class _State:
    """What the analysis knows about the notebook's global namespace so far."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}  # name -> dotted path of a module-level object
        self.consts: dict[str, str] = {}  # name -> string constant
        self.top_bound: set[str] = set()  # names bound at top level by any cell so far


_MODULE, _FUNCTION, _CLASS, _COMP = "module", "function", "class", "comprehension"


class _Scope:
    __slots__ = ("kind", "locals", "globals", "aliases")

    def __init__(self, kind: str, locals_: Iterable[str] = (), globals_: Iterable[str] = ()) -> None:
        self.kind = kind
        self.locals = set(locals_)
        self.globals = set(globals_)
        self.aliases: dict[str, str | None] = {}


def _target_names(node: ast.AST) -> Iterable[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _target_names(elt)
    elif isinstance(node, ast.Starred):
        yield from _target_names(node.value)


def _function_locals(node: ast.AST) -> tuple[set[str], set[str]]:
    """(local names, names declared global) of a function or lambda body."""
    args = node.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    assigned: set[str] = set()
    declared: set[str] = set()

    def handle(child: ast.AST) -> None:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            assigned.add(child.name)
            for d in child.decorator_list:
                handle(d)
            return
        if isinstance(child, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(child, (ast.Global, ast.Nonlocal)):
            declared.update(child.names)
        elif isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            assigned.add(child.id)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            for alias in child.names:
                assigned.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            assigned.add(child.name)
        for grandchild in ast.iter_child_nodes(child):
            handle(grandchild)

    if isinstance(node, ast.Lambda):
        handle(node.body)
    else:
        for stmt in node.body:
            handle(stmt)
    return (params | assigned) - declared, declared


class _Visitor(ast.NodeVisitor):
    """Walks one cell: records bindings and loads; for student cells, findings."""

    def __init__(self, info: _CellInfo, state: _State, test_names: set[str], test_calls: set[str]) -> None:
        self.info = info
        self.state = state
        self.test_names = test_names  # names and attribute names in the test cells
        self.test_calls = test_calls  # attribute names the test cells call: x.<name>(...)
        self.scopes: list[_Scope] = [_Scope(_MODULE)]
        self.text_depth = 0
        self.module_bound: set[str] = set()  # names this cell has bound at top level so far

    # -- findings ---------------------------------------------------------
    def flag(self, kind: str, node: ast.AST | int | None, reason: str, severity: str = FLAG) -> None:
        if not self.info.screened:
            return
        line = node if isinstance(node, int) or node is None else getattr(node, "lineno", None)
        self.info.findings.append(Finding(kind, self.info.where, line, reason, severity))

    # -- scopes -----------------------------------------------------------
    @property
    def in_function(self) -> bool:
        return any(s.kind == _FUNCTION for s in self.scopes)

    def _local_scope(self, name: str) -> _Scope | None:
        """The non-module scope in which ``name`` is local, if any."""
        for scope in reversed(self.scopes):
            if scope.kind == _MODULE:
                return None
            if scope.kind == _FUNCTION and name in scope.globals:
                return None
            if name in scope.locals:
                return scope
        return None

    def is_builtin_ref(self, name: str) -> bool:
        return (name in _BUILTIN_NAMES and self._local_scope(name) is None
                and name not in self.state.top_bound)

    def resolve_name(self, name: str) -> str | None:
        scope = self._local_scope(name)
        if scope is not None:
            return scope.aliases.get(name)
        if name in self.state.aliases:
            return self.state.aliases[name]
        if name == "__builtins__":
            return "builtins"
        if name == "get_ipython" and name not in self.state.top_bound:
            return "get_ipython"
        return None

    def const_str(self, node: ast.AST | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and self._local_scope(node.id) is None:
            return self.state.consts.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts = [self.const_str(v) for v in node.values]
            return "".join(parts) if all(p is not None for p in parts) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.const_str(node.left), self.const_str(node.right)
            return left + right if left is not None and right is not None else None
        return None

    def resolve(self, node: ast.AST) -> str | None:
        """Dotted path of the shared (module-level) object an expression denotes."""
        if isinstance(node, ast.Name):
            return self.resolve_name(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            base = self.resolve(node.value)
            key = self.const_str(node.slice)
            if base == "sys.modules":
                return key
            if base and key and base.endswith(".__dict__"):
                return f"{base[:-9]}.{key}"
            if base == "builtins" and key:
                return f"builtins.{key}"
            return None
        if isinstance(node, ast.Call):
            func, args = node.func, node.args
            fname = func.id if isinstance(func, ast.Name) and self.is_builtin_ref(func.id) else None
            fpath = self.resolve(func)
            if fpath in ("get_ipython", "IPython.get_ipython", "IPython.core.getipython.get_ipython"):
                return "get_ipython()"
            if fpath == "importlib.import_module":
                return self.const_str(args[0]) if args else None
            if fpath == "builtins.__import__" or fname == "__import__":
                name = self.const_str(args[0]) if args else None
                from_list = len(args) > 3 or any(kw.arg == "fromlist" for kw in node.keywords)
                return name if from_list or not name else name.split(".")[0]
            if (fname == "getattr" or fpath == "builtins.getattr") and len(args) >= 2:
                base = self.resolve(args[0])
                return f"{base}.{self.const_str(args[1]) or '<computed>'}" if base else None
            if fname == "vars" or fpath == "builtins.vars":
                if not args:
                    return None if self.in_function else "__main__"
                base = self.resolve(args[0])
                return f"{base}.__dict__" if base else None
            if fname == "globals" or fpath == "builtins.globals":
                return "__main__"
            if (fname == "locals" or fpath == "builtins.locals") and not self.in_function:
                return "__main__"
            if fpath == "sys.modules.get" and args:
                return self.const_str(args[0])
        return None

    # -- bindings ---------------------------------------------------------
    def bind(self, name: str, line: int, how: str, value: object = None, alias: str | None = None) -> None:
        scope = self.scopes[-1]
        if scope.kind == _MODULE:
            self.info.bindings.append(_Binding(name, line, how, value))
            self.module_bound.add(name)
            self.state.top_bound.add(name)
            if alias:
                self.state.aliases[name] = alias
            else:
                self.state.aliases.pop(name, None)
            if how == "const" and isinstance(value, str):
                self.state.consts[name] = value
            else:
                self.state.consts.pop(name, None)
            return
        if scope.kind == _FUNCTION and name in scope.globals:
            self.info.bindings.append(_Binding(name, line, "global"))
            return
        local = scope if scope.kind == _CLASS else (self._local_scope(name) or scope)
        local.locals.add(name)
        local.aliases[name] = alias

    def bind_target(self, target: ast.AST, how: str, value: ast.AST | None = None,
                    verb: str = "assigns to") -> None:
        """Bind an assignment target; check attribute and item stores."""
        if isinstance(target, ast.Name):
            alias = self.resolve(value) if value is not None else None
            const = None
            kind = how
            if how == "assign" and value is not None:
                try:
                    const = ast.literal_eval(value)
                    kind = "const"
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    const = None
            if kind != "const" and value is not None and self.const_str(value) is not None:
                kind, const = "const", self.const_str(value)
            self.bind(target.id, target.lineno, kind, const, alias)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.bind_target(elt, "other" if how in ("assign", "const") else how, None, verb)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, how, None, verb)
        elif isinstance(target, ast.Attribute):
            self.visit(target.value)
            self.check_attribute_store(target, verb)
        elif isinstance(target, ast.Subscript):
            self.visit(target.value)
            self.visit(target.slice)
            self.check_item_store(target, verb)

    # -- stores on shared objects -------------------------------------------
    def patched(self, path: str, node: ast.AST, verb: str) -> None:
        """A shared object at ``path`` is changed."""
        if _CONFIG_NAMESPACES.search(path):
            return
        last = path.rsplit(".", 1)[-1]
        used = ", which the tests use" if last in self.test_names else ""
        if path == "builtins" or path.startswith("builtins."):
            self.flag("builtins", node, f"{verb} {path}: a replaced builtin changes how every test runs")
        elif path.startswith(_SYS_IMPORT_STATE):
            self.flag("builtins", node, f"{verb} {path}, which decides what `import` returns to the tests")
        elif path in _SYS_HOOKS:
            self.flag("ipython-hook", node, f"{verb} {path}, a hook that sees the tests' errors or output")
        elif path.startswith("get_ipython()"):
            self.flag("ipython-hook", node, f"{verb} the IPython shell's {path[len('get_ipython().'):]}, "
                                            "which changes how the test cells run")
        elif path.startswith("__main__"):
            self.flag("dynamic-code", node, f"{verb} the notebook's namespace through globals()/vars(), "
                                            "out of the screen's sight")
        elif path.startswith("os.environ"):
            self.flag("file-access", node, f"{verb} {path}", INFO)
        else:
            self.flag("monkeypatch", node, f"{verb} {path}{used}")

    def check_attribute_store(self, target: ast.Attribute, verb: str) -> None:
        base = self.resolve(target.value)
        if base:
            self.patched(f"{base}.{target.attr}", target, verb)
        elif target.attr.startswith("__") and target.attr.endswith("__") \
                and target.attr not in _HARMLESS_DUNDER_STORES:
            self.flag("monkeypatch", target, f"{verb} the special attribute {target.attr} of an object, "
                                             "which changes what it is or does")
        else:
            root = target.value
            while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            own = isinstance(root, ast.Name) and root.id in ("self", "cls")
            if target.attr in self.test_calls and not own:
                self.flag("monkeypatch", target, f"{verb} .{target.attr} of an object the screen cannot "
                                                 "trace, a function the tests call")
            self.mutation(target.value, target)

    def check_item_store(self, target: ast.Subscript, verb: str) -> None:
        base = self.resolve(target.value)
        key = self.const_str(target.slice)
        shown = repr(key) if key is not None else "..."
        if not base:
            self.mutation(target.value, target)
        elif base == "sys.modules":
            self.flag("builtins", target, f"{verb} sys.modules[{shown}]: `import` would return another "
                                          "object to the tests")
        elif base == "__main__":
            self.flag("dynamic-code", target,
                      f"{verb} globals()[{shown}], hiding a rebinding from the screen")
        elif base.endswith(".__dict__"):
            self.patched(f"{base[:-9]}.{key or '<computed>'}", target, verb)
        elif base == "builtins":
            self.patched(f"builtins.{key or '<computed>'}", target, verb)
        elif base == "os.environ":
            self.flag("file-access", target, f"sets the environment variable {shown}", INFO)
        else:
            self.patched(f"{base}[{shown}]", target, verb)

    def mutation(self, node: ast.AST, at: ast.AST) -> None:
        """A store into an object reached from a plain name (test data?)."""
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Name) and self._local_scope(node.id) is None \
                and self.resolve_name(node.id) is None and node.id not in self.module_bound:
            self.info.mutations.append((node.id, at.lineno, self.in_function))

    # -- names --------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if self._local_scope(node.id) is None:
                if self.in_function:
                    self.info.deferred.add(node.id)
                elif node.id not in self.module_bound:
                    self.info.loads.add(node.id)
                if node.id in _DYNAMIC_BUILTINS and self.is_builtin_ref(node.id):
                    self.flag("dynamic-code", node,
                              f"uses {node.id}(), which runs code the screen cannot read")
        else:  # a bare Store/Del reached outside bind_target (e.g. a walrus in a comprehension)
            self.bind(node.id, node.lineno, "del" if isinstance(node.ctx, ast.Del) else "other")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            self.check_attribute_load(node)
            self.visit(node.value)
        else:
            self.bind_target(node, "assign")

    def check_attribute_load(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr in _INTERNAL_ATTRS:
            self.flag("dynamic-code", node, f"reaches into the interpreter's internals through .{attr}")
        elif attr == "__file__":
            self.flag("file-access", node, "looks up where a module lives on disk (.__file__), "
                                           "outside the working copy")
        base = self.resolve(node.value)
        if base is None:
            if attr in ("parent", "parents") and self._mentions_location(node.value):
                self.flag("file-access", node, "climbs out of the working copy with .parent")
            return
        path = f"{base}.{attr}"
        if base == "get_ipython()":
            self.flag("ipython-hook", node,
                      f"uses get_ipython().{attr}, which can change how the test cells run")
        elif path in _LOCATION_MARKERS:
            self.flag("file-access", node, f"uses {path} to reach files outside the working copy")
        elif path in {f"builtins.{n}" for n in _DYNAMIC_BUILTINS}:
            self.flag("dynamic-code", node, f"uses {path}, which runs code the screen cannot read")

    def _mentions_location(self, node: ast.AST) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and sub.attr in ("cwd", "getcwd", "resolve", "absolute",
                                                                 "home", "__file__", "expanduser"):
                return True
        return False

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and not self.text_depth:
            why = _outside_path(node.value)
            if why:
                self.flag("file-access", node, why)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        """An f-string is checked as a whole, its placeholders standing for names."""
        if not self.text_depth:
            template = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "X"
                               for v in node.values)
            why = _outside_path(template)
            if why:
                self.flag("file-access", node, why)
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)
                if value.format_spec is not None:
                    self.visit(value.format_spec)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            if self.resolve(node.value) == "os.environ" and self.const_str(node.slice) in _LOCATION_ENV:
                self.flag("file-access", node, f"reads ${self.const_str(node.slice)} to reach files outside "
                                               "the working copy")
            self.visit(node.value)
            self.visit(node.slice)
        else:
            self.bind_target(node, "assign")

    # -- statements -----------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring or a string used as a comment
        self.visit(node.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.bind_target(target, "assign", node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self.bind_target(node.target, "assign", node.value)
        elif not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.visit_Name(ast.copy_location(ast.Name(node.target.id, ast.Load()), node.target))
            self.bind(node.target.id, node.target.lineno, "assign")
        else:
            self.bind_target(node.target, "assign", None, "changes")

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self.bind_target(node.target, "assign", node.value)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.bind(target.id, target.lineno, "del")
            else:
                self.bind_target(target, "del", None, "deletes")

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.bind_target(node.target, "loop")
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, "other")
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, node.lineno, "other")
        for stmt in node.body:
            self.visit(stmt)

    def visit_Assert(self, node: ast.Assert) -> None:
        self.visit(node.test)
        if node.msg is not None:
            self.text_depth += 1
            self.visit(node.msg)
            self.text_depth -= 1

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_import(alias.name, node)
            if alias.asname:
                self.bind(alias.asname, node.lineno, "import", alias.name, alias.name)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, node.lineno, "import", top, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            full = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
            self.check_import(module if alias.name == "*" else full, node)
            if alias.name == "*":
                self.flag("shadowing", node, f"imports every name of {module} with *, which may rebind "
                                             "names the tests use", INFO)
                continue
            name = alias.asname or alias.name
            self.bind(name, node.lineno, "import", full, full)

    def check_import(self, module: str, node: ast.AST) -> None:
        for flagged, (kind, reason) in _FLAGGED_IMPORTS.items():
            if _module_matches(module, flagged):
                self.flag(kind, node, reason)
                return

    # -- functions, classes, comprehensions -------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        args = node.args
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)
        if self.scopes[-1].kind == _CLASS and node.name in _RIGGED_DUNDERS:
            self.flag("rigged-object", node, f"defines {node.name} on a class, so its objects can compare "
                                             "or convert to whatever the tests expect")
        self.bind(node.name, node.lineno, "def")
        self._function_body(node, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        args = node.args
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)
        self._function_body(node, [node.body])

    def _function_body(self, node: ast.AST, body: list[ast.AST]) -> None:
        locals_, globals_ = _function_locals(node)
        self.scopes.append(_Scope(_FUNCTION, locals_, globals_))
        try:
            for stmt in body:
                self.visit(stmt)
        finally:
            self.scopes.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        for base in node.bases:
            self.visit(base)
        for kw in node.keywords:
            self.visit(kw.value)
        self.scopes.append(_Scope(_CLASS))
        try:
            for stmt in node.body:
                if isinstance(stmt, ast.Assign):
                    for t in stmt.targets:
                        for name in _target_names(t):
                            if name in _RIGGED_DUNDERS:
                                self.flag("rigged-object", stmt,
                                          f"sets {name} on a class, so its objects can compare or "
                                          "convert to whatever the tests expect")
                self.visit(stmt)
        finally:
            self.scopes.pop()
        self.bind(node.name, node.lineno, "class")

    def _comprehension(self, node: ast.AST, parts: list[ast.AST]) -> None:
        gens = node.generators
        self.visit(gens[0].iter)
        names: set[str] = set()
        for gen in gens:
            names.update(_target_names(gen.target))
        self.scopes.append(_Scope(_COMP, names))
        try:
            for i, gen in enumerate(gens):
                if i:
                    self.visit(gen.iter)
                for cond in gen.ifs:
                    self.visit(cond)
            for part in parts:
                self.visit(part)
        finally:
            self.scopes.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    # -- calls --------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        fpath = self.resolve(func)
        fname = func.id if isinstance(func, ast.Name) and self.is_builtin_ref(func.id) else None
        if fpath and fpath.startswith("get_ipython()."):
            if self.ipython_call(node, fpath[len("get_ipython()."):]):
                self._visit_args(node, text=False)
                return
        self.check_call(node, fpath, fname)
        self.visit(func)
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        # a call's arguments are code again, even inside a message:
        # print(open("/etc/passwd").read()) names a path, print("/etc") does not
        outer, self.text_depth = self.text_depth, 0
        self._visit_args(node, text=callee in _TEXT_CALLS)
        self.text_depth = outer

    def _visit_args(self, node: ast.Call, text: bool) -> None:
        if text:
            self.text_depth += 1
        for arg in node.args:
            self.visit(arg)
        for kw in node.keywords:
            if kw.arg in ("err_msg", "msg", "label", "title", "what", "message"):
                self.text_depth += 1
                self.visit(kw.value)
                self.text_depth -= 1
            else:
                self.visit(kw.value)
        if text:
            self.text_depth -= 1

    def check_call(self, node: ast.Call, fpath: str | None, fname: str | None) -> None:
        func, args = node.func, node.args
        # X.__setattr__("name", value) and type(X).__setattr__(X, "name", value)
        if isinstance(func, ast.Attribute) and func.attr in ("__setattr__", "__delattr__"):
            verb = "deletes" if func.attr == "__delattr__" else "sets"
            owner = self.resolve(func.value)
            if owner and args:
                self.patched(f"{owner}.{self.const_str(args[0]) or '<computed>'}", node,
                             f"{verb} (with {func.attr})")
            elif len(args) >= 2 and self.resolve(args[0]):
                self.patched(f"{self.resolve(args[0])}.{self.const_str(args[1]) or '<computed>'}", node,
                             f"{verb} (with {func.attr})")
            elif not (isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
                      or isinstance(func.value, ast.Call)
                      and getattr(func.value.func, "id", None) == "super"):
                self.flag("monkeypatch", node,
                          f"calls {func.attr} directly, which bypasses normal assignment")
        # setattr / delattr on a shared object
        if fname in ("setattr", "delattr") or fpath in ("builtins.setattr", "builtins.delattr"):
            if args:
                verb = "deletes" if (fname or fpath or "").endswith("delattr") else "sets"
                base = self.resolve(args[0])
                key = self.const_str(args[1]) if len(args) > 1 else None
                if base:
                    self.patched(f"{base}.{key or '<computed>'}", node, f"{verb} (with setattr)")
                elif key and key.startswith("__") and key not in _HARMLESS_DUNDER_STORES:
                    self.flag("monkeypatch", node, f"{verb} the special attribute {key} of an object")
                else:
                    self.mutation(args[0], node)
        if (fname in ("getattr", "hasattr") or fpath == "builtins.getattr") and len(args) >= 2:
            base = self.resolve(args[0])
            key = self.const_str(args[1])
            if key in _INTERNAL_ATTRS:
                self.flag("dynamic-code", node, f"reaches into the interpreter's internals through {key}")
            elif base in ("builtins", "sys", "__main__") or (base or "").startswith("get_ipython()"):
                self.flag("dynamic-code", node, f"looks up {base}.{key or '<computed name>'} with getattr(), "
                                                "out of the screen's sight")
        # mutating methods of import state, namespaces and module dicts
        if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
            base = self.resolve(func.value)
            if base is None:
                self.mutation(func.value, node)
            elif base == "__main__":
                self.flag("dynamic-code", node, f"changes the notebook's namespace through "
                                                f"globals().{func.attr}(), hiding rebindings from the screen")
            elif base.startswith(_SYS_IMPORT_STATE) or base == "builtins" or base.endswith(".__dict__") \
                    or base.startswith("builtins."):
                self.patched(base[:-9] if base.endswith(".__dict__") else base, node,
                             f"changes (with .{func.attr}())")
        # the call table
        path = fpath
        if path is None and fname:
            path = f"builtins.{fname}"
        if path:
            for pattern, kind, reason in _FLAGGED_CALLS:
                if _matches(path, pattern):
                    self.flag(kind, node, reason.format(p=path))
                    break
            if path in ("os.getenv", "os.environ.get") and args and self.const_str(args[0]) in _LOCATION_ENV:
                self.flag("file-access", node, f"reads ${self.const_str(args[0])} to reach files outside "
                                               "the working copy")
            if path in ("os.path.dirname", "os.path.split") and args and self._mentions_location(args[0]):
                self.flag("file-access", node, "climbs out of the working copy with os.path.dirname()")
        self.check_write(node, path, fname)

    def check_write(self, node: ast.Call, path: str | None, fname: str | None) -> None:
        """Writing a Python file (a module that would shadow an installed one)."""
        func, args = node.func, node.args
        target: ast.AST | None = None
        if fname == "open" or path in ("io.open", "codecs.open", "os.open", "builtins.open"):
            mode = self.const_str(args[1]) if len(args) > 1 else None
            for kw in node.keywords:
                if kw.arg == "mode":
                    mode = self.const_str(kw.value)
            if args and mode and any(c in mode for c in "wax+"):
                target = args[0]
        elif isinstance(func, ast.Attribute):
            if func.attr in ("write_text", "write_bytes", "touch", "symlink_to", "hardlink_to"):
                target = func.value
            elif func.attr == "open" and args and any(c in (self.const_str(args[0]) or "") for c in "wax+"):
                target = func.value
            elif path and re.match(r"^(shutil\.(copy|copy2|copyfile|copytree|move)|"
                                   r"os\.(rename|replace|symlink|link|renames))$", path) and len(args) > 1:
                target = args[1]
        if target is None:
            return
        for sub in ast.walk(target):
            text = self.const_str(sub) if isinstance(sub, (ast.Constant, ast.Name, ast.JoinedStr)) else None
            if text and _CODE_FILE.search(text.strip()):
                self.flag("file-access", node,
                          f"writes the Python file {text.strip()!r} beside the notebook, where "
                          "`import` would load it instead of an installed module")
                return

    # -- IPython --------------------------------------------------------------------
    def ipython_call(self, node: ast.Call, method: str) -> bool:
        """Magics and shell escapes (after IPython's transforms); True when handled."""
        args = node.args
        consts = [self.const_str(a) for a in args]
        if method in ("system", "getoutput"):
            cmd = consts[0] if consts else None
            self.flag("magic", node, f"runs the shell command {('!' + cmd) if cmd else 'given to !'}")
            return True
        if method in ("run_line_magic", "magic") and consts and consts[0] is not None:
            name, rest = consts[0], consts[1] if len(consts) > 1 else ""
            if method == "magic":
                name, _, rest = name.partition(" ")
            rest = rest or ""
            if name in _CODE_LINE_MAGICS:
                self.screen_code(_strip_magic_options(rest), node.lineno - 1)
            elif name == "config" and rest.strip().startswith("InlineBackend."):
                pass  # the inline plots' format: display only
            elif name not in _QUIET_LINE_MAGICS:
                self.flag("magic", node, _MAGIC_REASONS.get(name, f"uses the IPython magic %{name}")
                          if name not in _SHELL_MAGICS else f"runs another program with %{name}")
            return True
        if method == "run_cell_magic" and consts and consts[0] is not None:
            name = consts[0]
            body = consts[2] if len(consts) > 2 else None
            if name in _CODE_CELL_MAGICS and body is not None:
                self.screen_code(body, node.lineno)
            elif name in _DISPLAY_CELL_MAGICS:
                self.flag("magic", node, f"uses the display magic %%{name}", INFO)
            elif name in ("writefile", "file"):
                target = (consts[1] or "").split()[-1:] if len(consts) > 1 else []
                shown = f" {target[0]!r}" if target else ""
                self.flag("magic" if not (target and _CODE_FILE.search(target[0])) else "file-access", node,
                          f"writes the file{shown} with %%{name}"
                          + (", where `import` would load it instead of an installed module"
                             if target and _CODE_FILE.search(target[0]) else ""))
            elif name in _SHELL_MAGICS:
                self.flag("magic", node, f"runs another program with %%{name}")
            else:
                self.flag("magic", node, _MAGIC_REASONS.get(name, f"uses the IPython cell magic %%{name}"))
            return True
        return False

    def screen_code(self, code: str, line_offset: int) -> None:
        """Screen code that a magic (``%time``, ``%%capture``...) runs."""
        tree = _parse(code)
        if tree is None:
            return
        ast.increment_lineno(tree, max(line_offset, 0))
        for stmt in tree.body:
            self.visit(stmt)


def _strip_magic_options(line: str) -> str:
    """The statement of ``%timeit -n 1 -r 1 stmt`` / ``%time stmt``."""
    words = line.split(" ")
    i = 0
    while i < len(words) and (not words[i] or words[i].startswith("-")):
        word = words[i]
        i += 1
        if word in ("-n", "-r", "-p") and i < len(words):
            i += 1
    return " ".join(words[i:])


# --------------------------------------------------------------------------
# notebook screen


def _analyse(cells: list[tuple[str, str, bool, bool, bool]], test_names: set[str],
             test_calls: set[str]) -> list[_CellInfo]:
    """Walk cells ``(where, source, locked, graded, screened)`` in run order."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # long expressions nest deeply in the AST
    try:
        return _analyse_cells(cells, test_names, test_calls)
    finally:
        sys.setrecursionlimit(limit)


def _analyse_cells(cells: list[tuple[str, str, bool, bool, bool]], test_names: set[str],
                   test_calls: set[str]) -> list[_CellInfo]:
    state = _State()
    infos = []
    for where, source, locked, graded, screened in cells:
        info = _CellInfo(where, locked, graded, screened)
        tree = _parse(source)
        if tree is None:
            if screened:
                info.findings.append(Finding(
                    "unreadable", where, None,
                    "the cell is not valid Python, so it was not screened (it fails when run)", INFO))
        else:
            visitor = _Visitor(info, state, test_names, test_calls)
            try:
                for stmt in tree.body:
                    visitor.visit(stmt)
            except Exception as error:  # noqa: BLE001 - e.g. RecursionError on absurd nesting
                if screened:
                    info.findings.append(Finding(
                        "unreadable", where, None,
                        f"the screen could not analyse this cell ({type(error).__name__}); "
                        "review it by hand", FLAG))
        infos.append(info)
    return infos


def _same_binding(student: _Binding, course: _Binding | None) -> bool:
    """A rebinding that changes nothing: the same import or the same constant."""
    if course is None:
        return False
    if student.how == "import" and course.how == "import":
        a, b = str(student.value), str(course.value)
        return a == b or a.rsplit(".", 1)[-1] == b.rsplit(".", 1)[-1]
    if student.how == "const" and course.how == "const":
        try:
            return type(student.value) is type(course.value) and student.value == course.value
        except Exception:  # noqa: BLE001
            return False
    return False


def screen_notebook(submitted: NotebookNode, release: NotebookNode) -> list[Finding]:
    """Statically screen the cells a student can edit in ``submitted``.

    ``release`` is the student version of the notebook: its locked cells (by
    nbgrader ``grade_id``) are what nbgrader will run whatever the submission
    says, its solution cells say which names the student must define. Every
    other code cell of the submission (solution cells and cells the student
    added) is screened for monkeypatching, replaced builtins, shadowed names,
    IPython hooks, dynamic code, processes, file access and magics. Cells are
    considered in the submitted order (the order nbgrader runs them).
    """
    locked_src: dict[str, tuple[str, bool]] = {}
    solution_src: dict[str, str] = {}
    free_sources: set[str] = set()
    for cell in release.cells:
        gid, meta = _grade_id(cell), _nbmeta(cell)
        if cell.get("cell_type") != "code":
            continue
        if gid and _is_locked(meta):
            locked_src[gid] = (_source(cell), bool(meta.get("grade")))
        elif gid:
            solution_src[gid] = _source(cell)
        else:
            free_sources.add(_source(cell))

    # the release's own view: names the locked cells use, names the student must define
    release_cells = []
    test_names: set[str] = set()
    test_calls: set[str] = set()
    for cell in release.cells:
        gid = _grade_id(cell)
        if cell.get("cell_type") != "code":
            continue
        locked = gid in locked_src
        release_cells.append((gid or "?", _source(cell), locked, locked and locked_src[gid][1], False))
        if locked and locked_src[gid][1]:
            tree = _parse(_source(cell))
            if tree is not None:
                for node in ast.walk(tree):
                    if isinstance(node, ast.Name):
                        test_names.add(node.id)
                    elif isinstance(node, ast.Attribute):
                        test_names.add(node.attr)
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                        test_calls.add(node.func.attr)
    release_infos = _analyse(release_cells, test_names, test_calls)
    locked_bound = {b.name for i in release_infos if i.locked for b in i.bindings}
    locked_free = {n for i in release_infos if i.locked for n in i.loads | i.deferred}
    must_define = {b.name for i in release_infos if not i.locked for b in i.bindings}
    must_define |= locked_free - locked_bound - _BUILTIN_NAMES

    # the submission in run order; locked cells as nbgrader restores them
    findings: list[Finding] = []
    run: list[tuple[str, str, bool, bool, bool]] = []
    seen: dict[str, int] = defaultdict(int)
    for index, cell in enumerate(submitted.cells):
        gid = _grade_id(cell)
        if gid in locked_src:
            seen[gid] += 1
            if seen[gid] == 2:
                findings.append(Finding(
                    "structure", gid, None, f"the grade id {gid!r} appears more than once "
                    "(a copied locked cell); nbgrader may refuse the batch", INFO))
            source, graded = locked_src[gid]
            run.append((gid, source, True, graded, False))
            continue
        if cell.get("cell_type") != "code" and gid not in solution_src:
            continue
        source = _source(cell)
        where = gid if gid in solution_src else f"cell {index + 1}"
        unchanged = (gid in solution_src and source == solution_src[gid]) or source in free_sources
        run.append((where, source, False, False, not unchanged))
    for gid, (source, graded) in locked_src.items():
        if gid not in seen:
            if graded:
                findings.append(Finding("structure", gid, None, f"the test cell {gid!r} is missing from the "
                                        "submission (it scores 0 unless nbgrader adds it back)", INFO))
            else:
                findings.append(Finding(
                    "structure", gid, None, f"the locked cell {gid!r} is missing from the submission; "
                    "nbgrader does not restore it, so the code the tests rely on was removed or replaced",
                    FLAG))

    infos = _analyse(run, test_names, test_calls)
    findings.extend(_global_findings(infos, must_define, locked_bound))
    for info in infos:
        findings.extend(info.findings)
    return _dedupe(findings)


def _global_findings(infos: list[_CellInfo], must_define: set[str], locked_bound: set[str]) -> list[Finding]:
    """Shadowing (rebinding names the locked cells read) and changes to their data."""
    # where each name is read by a locked cell (functions of locked cells read at every later locked cell)
    uses: dict[str, list[int]] = defaultdict(list)
    deferred: set[str] = set()
    for pos, info in enumerate(infos):
        if info.locked:
            deferred |= info.deferred
            bound_here = info.bound
            for name in info.loads | {n for n in deferred if n not in bound_here}:
                uses[name].append(pos)

    def users(name: str, after: int) -> list[int]:
        return [p for p in uses.get(name, ()) if p > after]

    def audience(positions: list[int]) -> str:
        return "test cells" if any(infos[p].graded for p in positions) else "locked cells"

    out: list[Finding] = []
    last: dict[str, tuple[int, _Binding]] = {}  # name -> (cell position, its last binding there)
    last_locked: dict[str, tuple[int, _Binding]] = {}
    reported: set[tuple[int, str]] = set()
    for pos, info in enumerate(infos):
        if info.locked:
            for name in info.loads | ({n for n in deferred if n not in info.bound}):
                binder = last.get(name)
                if binder is None or infos[binder[0]].locked or name in must_define:
                    continue
                bpos, binding = binder
                if (bpos, name) in reported or not infos[bpos].screened:
                    continue
                if _same_binding(binding, last_locked.get(name, (None, None))[1]):
                    continue
                reported.add((bpos, name))
                readers = users(name, bpos)
                origin = last_locked.get(name)
                if binding.how == "del":
                    reason = f"deletes `{name}`, which the {audience(readers)} use"
                elif name in _BUILTIN_NAMES and name not in locked_bound:
                    reason = f"redefines the builtin `{name}`, which the {audience(readers)} use"
                elif origin is not None:
                    reason = (f"rebinds `{name}` (set by locked cell `{infos[origin[0]].where}`), which the "
                              f"{audience(readers)} then use: they would run against the student's object")
                else:
                    reason = f"rebinds `{name}`, which the {audience(readers)} use"
                out.append(Finding("shadowing", infos[bpos].where, binding.line, reason, FLAG))
        else:
            # changes to objects the locked cells created and read later
            for name, line, in_function in info.mutations:
                if name in must_define or not info.screened:
                    continue
                if in_function:
                    readers = uses.get(name, [])
                    hit = name in locked_bound and bool(readers)
                else:
                    binder = last.get(name)
                    readers = users(name, pos)
                    hit = binder is not None and infos[binder[0]].locked and bool(readers)
                if hit:
                    origin = last_locked.get(name)
                    source = f" (set by locked cell `{infos[origin[0]].where}`)" if origin else ""
                    out.append(Finding("test-data", info.where, line,
                                       f"modifies `{name}`{source}, which the {audience(readers)} read",
                                       FLAG))
            # functions that assign course globals when the tests call them
            for binding in info.bindings:
                if binding.how == "global" and info.screened and binding.name not in must_define \
                        and uses.get(binding.name):
                    out.append(Finding("shadowing", info.where, binding.line,
                                       f"assigns the global `{binding.name}` from inside a function, "
                                       f"which the {audience(uses[binding.name])} use", FLAG))
        for binding in info.bindings:
            if binding.how != "global":
                last[binding.name] = (pos, binding)
                if info.locked:
                    last_locked[binding.name] = (pos, binding)
    return out


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.kind, f.where, f.line, f.reason)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# --------------------------------------------------------------------------
# files shipped beside the notebook

_JUNK = {".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"}


def _notebook_file(name: str) -> str:
    return name if name.endswith(".ipynb") else f"{name}.ipynb"


def screen_folder(folder: Path, notebook_names: Iterable[str]) -> list[Finding]:
    """Screen the files a submission ships beside its notebook(s).

    Allowed: the assignment's notebooks and nbgrader's ``timestamp.txt``.
    ``.ipynb_checkpoints/`` holding only notebooks, other notebooks and
    operating-system clutter are reported as ``info``; anything else is
    flagged with its name (Python files, packages, ``.pth`` files, data a
    notebook could read instead of computing).
    """
    folder = Path(folder)
    allowed = {_notebook_file(n) for n in notebook_names} | {"timestamp.txt"}
    findings: list[Finding] = []
    if not folder.is_dir():
        return [Finding("structure", folder.name, None, "the submission folder does not exist", INFO)]
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name in allowed and entry.is_file() and not entry.is_symlink():
            continue
        if entry.is_symlink():
            try:
                target = os.readlink(entry)
            except OSError:
                target = "?"
            findings.append(Finding("shipped-file", name, None,
                                    f"the submission ships a symbolic link {name} -> {target}", FLAG))
        elif entry.is_dir():
            files = _list_files(entry)
            if name == ".ipynb_checkpoints" and all(f.endswith(".ipynb") for f in files):
                findings.append(Finding("shipped-file", f"{name}/", None,
                                        "Jupyter's checkpoint folder (harmless)", INFO))
            elif name in _JUNK:
                findings.append(Finding("shipped-file", f"{name}/", None, "operating-system clutter", INFO))
            else:
                code = [f for f in files if _CODE_FILE.search(f)]
                what = (f"containing {len(code)} Python file(s), e.g. {code[0]}" if code
                        else f"containing {len(files)} file(s)")
                findings.append(Finding("shipped-file", f"{name}/", None,
                                        f"the submission ships a folder {name}/ ({what}) beside the "
                                        "notebook; it can shadow an installed package", FLAG))
        elif name in _JUNK:
            findings.append(Finding("shipped-file", name, None, "operating-system clutter", INFO))
        elif name.endswith(".ipynb"):
            findings.append(Finding("shipped-file", name, None,
                                    "an extra notebook, which nbgrader does not grade", INFO))
        elif _CODE_FILE.search(name):
            findings.append(Finding("shipped-file", name, None,
                                    f"the submission ships {name} beside the notebook, where Python loads it "
                                    "instead of an installed module (or at start-up)", FLAG))
        else:
            findings.append(Finding("shipped-file", name, None,
                                    f"the submission ships an extra file {name} beside the notebook", FLAG))
    return findings


def _list_files(folder: Path, limit: int = 1000) -> list[str]:
    out = []
    for root, dirs, files in os.walk(folder):
        for f in files:
            out.append(os.path.relpath(os.path.join(root, f), folder))
            if len(out) >= limit:
                return out
    return out


def screen_submission(folder: Path, release_notebooks: dict[str, NotebookNode]) -> list[Finding]:
    """Screen one submission folder: each notebook against its release version, then the folder.

    ``release_notebooks`` maps notebook names (with or without ``.ipynb``) to
    release notebooks. A missing or unreadable notebook is reported as
    ``info`` (scoring it is nbgrader's business). With several notebooks,
    cell locations are prefixed by the notebook's file name.
    """
    folder = Path(folder)
    findings: list[Finding] = []
    several = len(release_notebooks) > 1
    for name, release in release_notebooks.items():
        file = _notebook_file(name)
        path = folder / file
        if not path.is_file():
            findings.append(Finding("unreadable", file, None, "the notebook is not in the submission", INFO))
            continue
        try:
            import nbformat

            submitted = nbformat.read(path, as_version=4)
            cells = submitted.cells
        except Exception as error:  # noqa: BLE001 - corrupt files are not the screen's business
            findings.append(Finding("unreadable", file, None,
                                    f"the notebook could not be read ({type(error).__name__}), so it was not "
                                    "screened", INFO))
            continue
        if not isinstance(cells, list):
            findings.append(Finding("unreadable", file, None, "the notebook has no cell list", INFO))
            continue
        for f in screen_notebook(submitted, release):
            findings.append(Finding(f.kind, f"{file}: {f.where}" if several else f.where,
                                    f.line, f.reason, f.severity))
    findings.extend(screen_folder(folder, release_notebooks))
    return findings


# --------------------------------------------------------------------------
# runtime probe


def _probe_config() -> dict:
    roots: list[str] = []
    try:
        spec = importlib.util.find_spec("lstm_course")
        for location in (spec.submodule_search_locations or []) if spec else []:
            roots += [str(location), os.path.realpath(location)]
    except (ImportError, ValueError):
        pass
    table = {}
    for name, value in vars(builtins).items():
        if name in ("input", "__loader__", "__spec__"):
            continue  # ipykernel replaces input(); the others are import machinery
        if type(value).__name__ == "builtin_function_or_method" and value.__name__ == name:
            table[name] = ["function", value.__name__, ""]
        elif isinstance(value, type) and value.__module__ == "builtins":
            table[name] = ["type", value.__name__, "builtins"]
    return {"roots": sorted(set(roots)), "builtins": table,
            "watched": ["numpy", "numpy.testing", "lstm_course", "lstm_course.checks",
                        "lstm_course.checks.introspection", "lstm_course.checks.structure",
                        "lstm_course.checks.compilation", "lstm_course.checks.experiments",
                        "lstm_course.params", "keras", "tensorflow"]}


_PROBE_TEMPLATE = r'''
def _lstm_course_probe(config):
    import sys
    import builtins
    from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
    items = []

    def add(kind, what, detail, severity="flag"):
        items.append({"kind": kind, "what": str(what)[:200], "detail": str(detail)[:300],
                      "severity": severity})

    roots = tuple(r.rstrip("/") + "/" for r in [sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                sys.base_exec_prefix] + list(config["roots"]) if r)

    def in_env(path):
        return type(path) is str and path.startswith(roots)

    def cell_file(path):
        """A file of notebook code: a cell, or a file outside the environment."""
        if type(path) is not str:
            return False
        if "ipykernel_" in path or path.startswith("<ipython-input"):
            return True
        if path.startswith("<") or path.rsplit("/", 1)[-1].startswith("__autograph_generated_file"):
            return False
        return not in_env(path)

    def origin(obj, depth=0):
        """Why obj is code of the notebook (or a mock), else None."""
        if depth > 3:
            return None
        t = type(obj)
        if t is MethodType:
            return origin(obj.__func__, depth + 1)
        if t.__name__ == "partial" and t.__module__ == "functools":
            return origin(obj.func, depth + 1)
        if t is FunctionType:
            path = obj.__code__.co_filename
            if obj.__module__ in (None, "__main__", "builtins") or cell_file(path):
                return "%s defined in the notebook (%s)" % (obj.__qualname__, path)
            return None
        if t in (BuiltinFunctionType, ModuleType):
            return None
        cls = obj if isinstance(obj, type) else t
        module = getattr(cls, "__module__", None)
        if module in ("unittest.mock", "mock"):
            return "a mock object (%s)" % cls.__name__
        if module == "__main__":
            what = "class" if cls is obj else "an object of class"
            return "%s %s defined in the notebook" % (what, cls.__qualname__)
        for value in list(vars(cls).values()):
            if type(value) is FunctionType and cell_file(value.__code__.co_filename):
                return "%s with methods defined in the notebook" % cls.__qualname__
        return None

    def check(kind, what, obj):
        try:
            why = origin(obj)
        except Exception:
            why = None
        if why:
            add(kind, what, why)

    def section(name, run):
        try:
            run()
        except Exception as error:
            add("probe", name, "the probe's %s check failed: %s: %s" % (name, type(error).__name__, error))

    # 1. IPython: transformers, events, custom exceptions, magics, patched shell methods
    shell = []

    def ipython():
        try:
            from IPython.core.interactiveshell import InteractiveShell
        except Exception:
            InteractiveShell = None
        ip = InteractiveShell.instance() if InteractiveShell and InteractiveShell.initialized() else None
        if ip is None:
            add("ipython", "IPython", "the probe did not run inside IPython", "info")
            return
        shell.append(ip)
        allowed = ("IPython.", "ipykernel.", "matplotlib", "matplotlib_inline.", "ipywidgets", "comm")
        tm = ip.input_transformer_manager
        lists = [("input_transformers_cleanup", tm.cleanup_transforms),
                 ("input line transforms", tm.line_transforms),
                 ("input token transformers", tm.token_transformers),
                 ("input_transformers_post", ip.input_transformers_post),
                 ("ast_transformers", ip.ast_transformers)]
        lists += [("events '%s'" % ev, cbs) for ev, cbs in ip.events.callbacks.items()]
        for label, seq in lists:
            for f in list(seq):
                why = origin(f)
                module = getattr(f, "__module__", None) or type(f).__module__
                if why or not str(module).startswith(allowed):
                    add("ipython-hook", label, why or "%r from %s registered" % (f, module))
        if ip.custom_exceptions:
            add("ipython-hook", "set_custom_exc",
                "custom exception handlers for %r" % (ip.custom_exceptions,))
        for kind, table in ip.magics_manager.magics.items():
            for name, f in list(table.items()):
                check("ipython-hook", "%s magic %s" % (kind, name), f)
        hooks = ip.hooks
        for name, dispatcher in list((hooks if isinstance(hooks, dict) else vars(hooks)).items()):
            for entry in list(getattr(dispatcher, "chain", [])):
                check("ipython-hook", "hook " + name, entry[-1])
        for obj, label in ((ip, "IPython shell"), (getattr(ip, "kernel", None), "kernel"),
                           (ip.events, "IPython events"), (getattr(ip, "compile", None), "cell compiler"),
                           (getattr(ip, "displayhook", None), "display hook")):
            if obj is None:
                continue
            for cls in type(obj).__mro__[:-1]:
                for name, value in list(vars(cls).items()):
                    check("ipython-hook", "%s.%s" % (label, name), value)
            for name, value in list(getattr(obj, "__dict__", {}).items()):
                if callable(value):
                    check("ipython-hook", "%s.%s" % (label, name), value)
            for name, value in list(getattr(obj, "_trait_values", {}).items()):
                if callable(value):
                    check("ipython-hook", "%s.%s" % (label, name), value)

    # 2. interpreter hooks
    def hooks():
        for label, hook in (("sys.settrace", sys.gettrace()), ("sys.setprofile", sys.getprofile())):
            if hook is not None:
                why = origin(hook)
                if why:
                    add("ipython-hook", label, why)
        threading = sys.modules.get("threading")
        if threading is not None and hasattr(threading, "gettrace"):
            for label, hook in (("threading.settrace", threading.gettrace()),
                                ("threading.setprofile", threading.getprofile())):
                if hook is not None:
                    check("ipython-hook", label, hook)
        for name in ("excepthook", "displayhook", "breakpointhook", "unraisablehook"):
            check("ipython-hook", "sys." + name, getattr(sys, name, None))
        for label, seq in (("sys.meta_path", sys.meta_path), ("sys.path_hooks", sys.path_hooks)):
            for entry in list(seq):
                check("builtins", label, entry)
        signal = sys.modules.get("signal")
        if signal is not None:
            for name in ("SIGALRM", "SIGINT", "SIGTERM", "SIGVTALRM", "SIGPROF", "SIGXCPU"):
                number = getattr(signal, name, None)
                if number is not None:
                    check("process", "signal handler " + name, signal.getsignal(number))

    # 3. builtins
    def builtin_names():
        namespace = vars(builtins)
        for name, (kind, expected, module) in config["builtins"].items():
            if name not in namespace:
                add("builtins", "builtins." + name, "the builtin %s was deleted" % name)
                continue
            value = namespace[name]
            if kind == "function":
                ok = type(value) is BuiltinFunctionType and value.__name__ == expected
            else:
                ok = isinstance(value, type) and value.__name__ == expected and value.__module__ == module
            if not ok:
                add("builtins", "builtins." + name, "the builtin %s was replaced by %r" % (name, value))
        for name, value in list(namespace.items()):
            if name not in config["builtins"]:
                check("builtins", "builtins." + name, value)

    # 4. modules: loaded from outside the environment, fake, or patched with notebook code
    def modules():
        watched = set(config["watched"])
        user_module = getattr(shell[0], "user_module", None) if shell else None
        for key, module in list(sys.modules.items()):
            if module is None or key in ("__main__", "__mp_main__") or module is user_module:
                continue
            if not isinstance(module, ModuleType):
                if key in watched or type(module).__module__ != "typing":
                    add("builtins", "sys.modules[%r]" % key, "is not a module but %r" % type(module).__name__)
                continue
            namespace = object.__getattribute__(module, "__dict__")
            path = namespace.get("__file__")
            if path and not in_env(path):
                add("shipped-file", key,
                    "module %s was loaded from %s, outside the environment" % (key, path))
                continue
            if key in watched and (not path or namespace.get("__name__") != key):
                add("builtins", key, "module %s is not the installed one (file %s, name %s)"
                    % (key, path, namespace.get("__name__")))
            if key.startswith(("unittest.mock", "mock")):
                continue
            for name, value in list(namespace.items()):
                t = type(value)
                if t is FunctionType:
                    path = value.__code__.co_filename
                    if value.__module__ in (None, "__main__") or cell_file(path):
                        add("monkeypatch", "%s.%s" % (key, name), "is %s, defined in the notebook (%s)"
                            % (value.__qualname__, path))
                elif t is BuiltinFunctionType:
                    if key in watched and getattr(value, "__self__", None) is builtins \
                            and value.__name__ != name:
                        add("monkeypatch", "%s.%s" % (key, name), "is the builtin %s" % value.__name__)
                elif t is ModuleType or t is type or t in (int, float, str, bool, tuple, dict, list):
                    continue
                elif t.__module__ in ("__main__", "unittest.mock", "functools") or t is MethodType \
                        or (isinstance(value, type) and value.__module__ == "__main__"):
                    check("monkeypatch", "%s.%s" % (key, name), value)

    section("IPython", ipython)
    section("hooks", hooks)
    section("builtins", builtin_names)
    section("modules", modules)
    if len(items) > 60:
        extra = len(items) - 60
        del items[60:]
        add("probe", "probe", "%d more findings not shown" % extra)

    def encode(value):
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if type(value) is int:
            return str(value)
        if type(value) is list:
            return "[" + ",".join(encode(v) for v in value) + "]"
        if type(value) is dict:
            return "{" + ",".join(encode(str(k)) + ":" + encode(v) for k, v in value.items()) + "}"
        out = []
        for ch in str(value):
            code = ord(ch)
            if ch in "\"\\":
                out.append("\\" + ch)
            elif code < 32 or code > 126:
                out.append("\\u%04x" % code if code < 0x10000 else "?")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    report = {"probe": 1, "ipython": bool(shell), "items": items}
    sys.stdout.write("@@PREFIX@@ " + encode(report) + "\n")
    sys.stdout.flush()


_lstm_course_probe(@@CONFIG@@)
del _lstm_course_probe
'''

RUNTIME_PROBE: str = (_PROBE_TEMPLATE.replace("@@PREFIX@@", PROBE_PREFIX)
                      .replace("@@CONFIG@@", repr(_probe_config())).strip() + "\n")
"""Python source to run in the student's kernel after the last cell.

It prints one line ``LSTM_COURSE_PROBE <json>``: IPython transformers, event
callbacks, magics and hooks that come from the notebook; interpreter hooks
(trace, profile, excepthook, import hooks, signal handlers); builtins that are
missing or replaced; modules loaded from outside the environment (a shipped
``numpy/``), fake entries of ``sys.modules``; and functions of any loaded
module (``numpy.testing``, ``lstm_course.checks``...) that were defined in the
notebook or are mocks. Read the line with :func:`parse_probe`.
"""

_PROBE_KINDS = {"ipython", "ipython-hook", "builtins", "monkeypatch", "shipped-file", "process", "probe"}


def parse_probe(text: str) -> list[Finding]:
    """Findings from the output of :data:`RUNTIME_PROBE` (the probe cell's stdout).

    No report, more than one report, or a report that is not the probe's JSON
    is itself a finding: the kernel may have been tampered with.
    """
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip().startswith(PROBE_PREFIX)]
    if not lines:
        return [Finding("probe", "kernel", None,
                        "the integrity probe did not report; the kernel may have been tampered with", FLAG)]
    if len(lines) > 1:
        return [Finding("probe", "kernel", None,
                        "the integrity probe reported more than once: a cell may print a fake report", FLAG)]
    garbled = Finding("probe", "kernel", None,
                      "the integrity probe's report is garbled; the kernel may have been tampered with", FLAG)
    try:
        report = json.loads(lines[0][len(PROBE_PREFIX):])
    except ValueError:
        return [garbled]
    if not isinstance(report, dict) or report.get("probe") != 1 or not isinstance(report.get("items"), list):
        return [garbled]
    findings = []
    for item in report["items"]:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str)
                                                 for k in ("kind", "what", "detail", "severity")):
            return [garbled]
        if item["severity"] not in (FLAG, INFO) or item["kind"] not in _PROBE_KINDS:
            return [garbled]
        findings.append(Finding(item["kind"], "kernel", None, f"{item['what']}: {item['detail']}",
                                item["severity"]))
    return findings
