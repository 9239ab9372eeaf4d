"""Helpers for the nbgrader pipeline tests: a throw-away course directory,
submissions built from notebooks, and scores read through nbgrader's API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())


def run_nbgrader(course: Path, *args: str, timeout: int = 900,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course`` as an instructor would (repo tools first on PATH);
    ``env`` adds variables (e.g. sandbox limits)."""
    from lstm_grader.work import run_nbgrader as run

    env = {**os.environ, **(env or {})}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # forked from a server with nbgrader imported, as lstm-course grade runs it (3 s less each)
    code, stdout, stderr = run(list(args), course, env, timeout)
    if code is None:
        raise subprocess.TimeoutExpired([str(BIN / "nbgrader"), *args], timeout, stdout, stderr)
    return subprocess.CompletedProcess([str(BIN / "nbgrader"), *args], code, stdout, stderr)


def check(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, result.args))} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-8000:]}"
        )
    return result


def new_course(tmp: Path, sources: Iterable[Path], config_extra: str = "") -> Path:
    """A course directory in ``tmp`` with the repo's nbgrader_config.py and the given
    ``source/<assignment>`` folders."""
    course = tmp / "course"
    (course / "source").mkdir(parents=True)
    config = (ROOT / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\n" + config_extra)
    for src in sources:
        shutil.copytree(src, course / "source" / src.name)
    return course


def release(course: Path, assignment: str) -> Path:
    """generate_assignment; returns the student notebook's path (one notebook per assignment)."""
    check(run_nbgrader(course, "generate_assignment", assignment, "--force"))
    (notebook,) = sorted((course / "assignments" / assignment).glob("*.ipynb"))
    return notebook


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def read_str(text: str) -> NotebookNode:
    return nbformat.reads(text, as_version=4)


def grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def with_cells(nb: NotebookNode, replacements: dict[str, str]) -> NotebookNode:
    """A copy of ``nb`` whose cells with the given grade ids get new sources
    (``tools/seeds.py``'s ``with_cells``, which the seed sweep's variants use, on a copy)."""
    return seeds_tool().with_cells(nbformat.from_dict(json.loads(json.dumps(nb))), replacements)


def seeds_tool():
    """``tools/seeds.py`` as a module: the sweep's notebook and partial-submission helpers."""
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    import seeds

    return seeds


def solution_cells(source_nb: NotebookNode) -> dict[str, str]:
    """The instructor's solution code (markers removed) for each solution cell."""
    out = {}
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines()
                     if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln]
            out[meta["grade_id"]] = "\n".join(lines)
    return out


def submit(course: Path, assignment: str, student: str, nb: NotebookNode | str, name: str) -> None:
    """Place a submission as ``nbgrader collect`` would (a notebook, or raw text)."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if isinstance(nb, str):
        target.write_text(nb)
    else:
        nbformat.write(nb, target)


def course_with_solution(tmp: Path, assignment: str, student: str,
                         source_root: Path | None = None) -> tuple[Path, Path]:
    """A course with ``assignment`` released and its solution submitted by
    ``student``; returns ``(course, release notebook path)``. ``source_root``
    holds ``source/`` (default: this repository)."""
    source_root = source_root or ROOT
    course = new_course(tmp, [source_root / "source" / assignment])
    student_path = release(course, assignment)
    source = read(source_root / "source" / assignment / student_path.name)
    solved = with_cells(read(student_path), solution_cells(source))
    submit(course, assignment, student, solved, student_path.name)
    return course, student_path


def autograde(course: Path, assignment: str) -> subprocess.CompletedProcess:
    return run_nbgrader(course, "autograde", assignment, "--force")


def scores(course: Path, assignment: str, student: str, notebook: str) -> dict[str, tuple[float, float]]:
    """``{grade_id: (auto_score, max_score)}`` for the auto-graded test cells."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(notebook, assignment, student)
        return {
            g.name: (float(g.auto_score or 0.0), float(g.max_score))
            for g in submission.grades
            if g.cell_type == "code"
        }


def task_and_written_ids(source_nb: NotebookNode) -> set[str]:
    """Grade ids of the manually graded cells (tasks and written answers)."""
    ids = set()
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "markdown":
            ids.add(meta["grade_id"])
    return ids
