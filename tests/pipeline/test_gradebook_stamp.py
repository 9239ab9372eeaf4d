"""A new gradebook's schema stamp, read in-process (``lstm_grader.gradebook.stamp_in_process``)
instead of by nbgrader's ``alembic heads`` command: the same revision, and every
nbgrader command run with the course's config uses it."""

from __future__ import annotations

import os
import sqlite3
import subprocess

import pytest

from lstm_grader import gradebook
from lstm_grader.work import run_nbgrader

import course as C
import fixture_assignment as F

pytestmark = pytest.mark.pipeline


def stamp(db) -> list[str]:
    with sqlite3.connect(db) as con:
        return [row[0] for row in con.execute("select version_num from alembic_version")]


def test_in_process_head_is_what_the_alembic_command_reports():
    """What nbgrader 0.9.6's ``get_alembic_version`` runs: ``alembic heads`` on its migrations."""
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        output = subprocess.run([str(C.BIN / "alembic"), "-c", ini, "heads"], capture_output=True,
                                text=True, check=True).stdout
    assert gradebook.alembic_head() == output.split("\n")[0].split(" ")[0]


def test_a_new_gradebook_gets_the_head_revision(tmp_path, monkeypatch):
    import nbgrader.api
    from nbgrader.api import Gradebook

    monkeypatch.setattr(nbgrader.api, "get_alembic_version", nbgrader.api.get_alembic_version)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no `alembic` command: only the in-process stamp can work
    gradebook.stamp_in_process()
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}"):
        pass
    assert stamp(tmp_path / "gradebook.db") == [gradebook.alembic_head()]


def test_the_course_config_stamps_without_the_alembic_command(tmp_path):
    """nbgrader creates the gradebook of a new course with no ``alembic`` command
    on PATH: the course's nbgrader_config.py installed the in-process stamp."""
    course = C.new_course(tmp_path, [F.write_source(tmp_path / "src")])
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    code, out, err = run_nbgrader(["generate_assignment", F.ASSIGNMENT, "--force"], course, env)
    assert code == 0, out[-2000:] + err[-4000:]
    assert stamp(course / "gradebook.db") == [gradebook.alembic_head()]
