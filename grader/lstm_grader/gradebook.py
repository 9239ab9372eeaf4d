"""The gradebook side of grading in workers.

A worker grades one submission in a private course folder with a gradebook
of its own (:func:`copy_assignment` puts the assignment's definition in it,
no student data). It sends back what ``nbgrader autograde`` wrote there
(:func:`read_submission`), and the coordinator, the only process that writes
the course's gradebook, stores it (:func:`write_submission`) with the same
rules as nbgrader's ``SaveAutoGrades``. :func:`dump` is a canonical,
comparable view of an assignment's grades (scores, review flags, comments,
timestamps, late penalties), independent of row ids and row order.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

Rows = dict[str, Any]
"""A submission as :func:`read_submission` returns it: ``{"timestamp": datetime | None,
"notebooks": {name: {"late_submission_penalty": ..., "grades": {cell: {...}},
"comments": {cell: {...}}}}}``."""


@functools.cache
def alembic_head() -> str:
    """The schema revision nbgrader stamps on a new gradebook: the head of its
    own alembic migrations, read in this process."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    head = ScriptDirectory.from_config(config).get_current_head()
    if not head:
        raise RuntimeError(f"no alembic head in {ALEMBIC_DIR}")
    return head


def stamp_in_process() -> None:
    """Make nbgrader read :func:`alembic_head` when it creates a gradebook.

    nbgrader 0.9.6 (``nbgrader.api.get_alembic_version``) runs the command
    ``alembic heads`` for every new gradebook: a Python process that costs
    3-4 s of CPU each time (every ``nbgrader`` command in a new course, every
    ``lstm-course grade``). The value is the same, read from the same
    migration scripts (tests/pipeline/test_gradebook_stamp.py compares the two).
    The course's ``nbgrader_config.py`` calls this, so every nbgrader command
    run with it gets the shortcut; nothing else of nbgrader changes."""
    import nbgrader.api

    nbgrader.api.get_alembic_version = alembic_head


def copy_assignment(src_url: str, dest_url: str, assignment: str) -> None:
    """Copy the definition of ``assignment`` (due date, notebooks, cells with
    their sources and checksums) from one gradebook into another."""
    from nbgrader.api import Gradebook

    stamp_in_process()

    with Gradebook(src_url) as src:
        a = src.find_assignment(assignment)
        course_id = a.course_id
        spec = {"duedate": a.duedate, "notebooks": [
            {"name": nb.name, "kernelspec": nb.kernelspec,
             "grade": [(c.name, c.max_score, c.cell_type) for c in nb.grade_cells],
             "solution": [c.name for c in nb.solution_cells],
             "task": [(c.name, c.max_score, c.cell_type) for c in nb.task_cells],
             "source": [(c.name, c.cell_type, c.locked, c.source, c.checksum) for c in nb.source_cells]}
            for nb in a.notebooks]}
    with Gradebook(dest_url, course_id) as dst:
        dst.update_or_create_assignment(assignment, duedate=spec["duedate"])
        for nb in spec["notebooks"]:
            name = nb["name"]
            dst.update_or_create_notebook(name, assignment, kernelspec=nb["kernelspec"])
            for cell, max_score, cell_type in nb["grade"]:
                dst.update_or_create_grade_cell(cell, name, assignment, max_score=max_score, cell_type=cell_type)
            for cell in nb["solution"]:
                dst.update_or_create_solution_cell(cell, name, assignment)
            for cell, max_score, cell_type in nb["task"]:
                dst.update_or_create_task_cell(cell, name, assignment, max_score=max_score, cell_type=cell_type)
            for cell, cell_type, locked, source, checksum in nb["source"]:
                dst.update_or_create_source_cell(cell, name, assignment, cell_type=cell_type,
                                                 locked=locked, source=source, checksum=checksum)


def read_submission(url: str, assignment: str, student: str) -> Rows | None:
    """What autograding wrote for one submission, or None if it wrote nothing."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return {"timestamp": sub.timestamp, "notebooks": {
            nb.name: {
                "late_submission_penalty": nb.late_submission_penalty,
                "grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": g.needs_manual_grade}
                           for g in nb.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment} for c in nb.comments},
            } for nb in sub.notebooks}}


def write_submission(url: str, assignment: str, student: str, rows: Rows | None) -> None:
    """Store one graded submission in the course's gradebook.

    As nbgrader's ``SaveAutoGrades``: the automatic score replaces the old
    one, a manual score already given stays and sends the cell back for
    review. An automatically graded cell left without a score (nothing could
    be graded: ``rows=None``, or nbgrader stopped early) and without a
    manual score gets 0, so that every student has a score.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with Gradebook(url) as gb, warnings.catch_warnings():
        # nbgrader's own update_or_create_submission warns about its session
        # on every call; nothing is wrong, and the coordinator's output stays readable
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        timestamp = rows.get("timestamp") if rows else None
        if timestamp is not None:
            submission = gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            graded = (rows or {}).get("notebooks", {}).get(notebook.name) or {}
            if graded:
                notebook.late_submission_penalty = graded["late_submission_penalty"]
            for grade in notebook.grades:
                new = graded.get("grades", {}).get(grade.name)
                if grade.cell_type == "code" and grade.manual_score is None and (
                        new is None or new["auto_score"] is None):
                    grade.auto_score, grade.needs_manual_grade = 0, False  # not graded: 0
                elif new is not None:
                    grade.auto_score = new["auto_score"]
                    grade.needs_manual_grade = bool(new["needs_manual_grade"]) or grade.manual_score is not None
            for comment in notebook.comments:
                new = graded.get("comments", {}).get(comment.name)
                if new is not None:
                    comment.auto_comment = new["auto_comment"]
        gb.db.commit()


def dump(url: str, assignment: str) -> dict[str, Any]:
    """Every submission of ``assignment``: a plain, sorted, comparable structure."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, Any] = {}
    with Gradebook(url) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return out
        for sub in sorted(submissions, key=lambda s: s.student_id):
            out[sub.student_id] = {
                "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
                "notebooks": {nb.name: {
                    "late_submission_penalty": nb.late_submission_penalty,
                    "flagged": nb.flagged,
                    "grades": {g.name: [g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade]
                               for g in sorted(nb.grades, key=lambda g: g.name)},
                    "comments": {c.name: [c.auto_comment, c.manual_comment]
                                 for c in sorted(nb.comments, key=lambda c: c.name)},
                } for nb in sorted(sub.notebooks, key=lambda n: n.name)},
            }
    return out
