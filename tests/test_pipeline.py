"""The nbgrader pipeline end to end, in temporary course directories.

* A tiny pure-Python fixture assignment covers the edge cases quickly:
  tampered read-only cells, a corrupt file, a syntax error, a deleted test
  cell, and feedback that must not reveal hidden tests.
* Every real assignment in source/ is autograded with four submissions: the
  solution (full marks), the untouched student version (zero), the student
  version with its test cells tampered with (restored, so still zero), and a
  hand-written partial submission from tests/partials/ (strictly between).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import course as C
import fixture_assignment as F

pytestmark = pytest.mark.pipeline


# --------------------------------------------------------------------------
# fixture assignment: edge cases
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fx")
    src = F.write_source(tmp / "src")
    course = C.new_course(tmp, [src])
    student = C.read(C.release(course, F.ASSIGNMENT))
    solved = C.with_cells(student, C.solution_cells(C.read(src / f"{F.NOTEBOOK}.ipynb")))
    name = f"{F.NOTEBOOK}.ipynb"
    deleted = C.with_cells(solved, {})
    deleted.cells = [cell for cell in deleted.cells if C.grade_id(cell) != "test_std"]
    submissions = {
        "solution": solved,
        "untouched": student,
        "tampered": C.with_cells(student, {"test_mean": "pass", "test_std": "print('all good')"}),
        "corrupt": '{"cells": [',  # not a notebook at all
        "syntax": C.with_cells(solved, {"mean": "def mean(xs)\n    return 0"}),
        "deleted": deleted,
    }
    for student_id, nb in submissions.items():
        C.submit(course, F.ASSIGNMENT, student_id, nb, name)
    result = C.autograde(course, F.ASSIGNMENT)
    feedback = C.run_nbgrader(course, "generate_feedback", F.ASSIGNMENT, "--force")
    return {"course": course, "student": student, "autograde": result, "feedback": feedback}


def fx_scores(fx, student):
    return C.scores(fx["course"], F.ASSIGNMENT, student, F.NOTEBOOK)


def test_fixture_solution_gets_full_marks(fx):
    assert fx_scores(fx, "solution") == {"test_mean": (2.0, 2.0), "test_std": (3.0, 3.0)}


def test_fixture_untouched_gets_zero(fx):
    assert fx_scores(fx, "untouched") == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}


def test_fixture_tampered_tests_are_restored(fx):
    assert fx_scores(fx, "tampered") == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}
    graded = C.read(fx["course"] / "autograded" / "tampered" / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb")
    released = {C.grade_id(c): c.source for c in fx["student"].cells}
    for cell in graded.cells:
        if C.grade_id(cell) in ("test_mean", "test_std"):
            assert "all good" not in cell.source and cell.source.strip() != "pass"
            # the autograded copy holds the instructor's full test (hidden part included)
            assert released[C.grade_id(cell)].splitlines()[0] in cell.source


def test_fixture_corrupt_file_does_not_stop_the_batch(fx):
    # every other submission was graded...
    for student in ("solution", "untouched", "tampered", "syntax", "deleted"):
        assert fx_scores(fx, student)
    # ...and the corrupt one is recorded with a score of zero and named in the log
    assert fx_scores(fx, "corrupt") == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}
    assert "corrupt" in fx["autograde"].stderr


def test_fixture_syntax_error_scores_zero_where_it_matters(fx):
    # mean() does not compile, and std() calls mean(): both tests fail, nothing crashes
    assert fx_scores(fx, "syntax") == {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}


def test_fixture_deleted_test_cell_scores_zero(fx):
    assert fx_scores(fx, "deleted") == {"test_mean": (2.0, 2.0), "test_std": (0.0, 3.0)}


def test_fixture_feedback_hides_hidden_tests(fx):
    C.check(fx["feedback"])
    pages = list((fx["course"] / "feedback").rglob("*.html"))
    assert {p.parent.parent.name for p in pages} >= {"solution", "untouched"}
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text
        assert f"mean([-1.5, 1.5])" not in text, f"hidden test code in {page}"


def test_fixture_student_version_has_no_mark_scheme(fx):
    text = "".join(c.source for c in fx["student"].cells)
    assert F.MARK_SCHEME_MARKER not in text and F.HIDDEN_MARKER not in text


# --------------------------------------------------------------------------
# real assignments
# --------------------------------------------------------------------------

def load_partial(assignment: str):
    path = Path(__file__).parent / "partials" / f"{assignment}.py"
    if not path.exists():
        pytest.fail(f"no hand-written partial submission tests/partials/{assignment}.py")
    spec = importlib.util.spec_from_file_location(f"partial_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=C.ASSIGNMENTS)
def graded(request, tmp_path_factory):
    assignment = request.param
    tmp = tmp_path_factory.mktemp(assignment)
    course = C.new_course(tmp, [C.ROOT / "source" / assignment])
    student_path = C.release(course, assignment)
    student = C.read(student_path)
    source = C.read(C.ROOT / "source" / assignment / student_path.name)
    partial = load_partial(assignment)
    tests = {C.grade_id(c): "pass" for c in student.cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    submissions = {
        "solution": C.with_cells(student, C.solution_cells(source)),
        "untouched": student,
        "tampered": C.with_cells(student, tests),
        "partial": C.with_cells(student, partial.CELLS),
    }
    for student_id, nb in submissions.items():
        C.submit(course, assignment, student_id, nb, student_path.name)
    result = C.check(C.autograde(course, assignment))
    notebook = student_path.stem
    return {
        "assignment": assignment,
        "course": course,
        "source": source,
        "student": student,
        "partial": partial,
        "scores": {s: C.scores(course, assignment, s, notebook) for s in submissions},
        "log": result.stderr,
    }


def test_solution_scores_full_marks(graded):
    scores = graded["scores"]["solution"]
    assert scores, "the assignment has no auto-graded cells"
    lost = {k: v for k, v in scores.items() if v[0] != v[1]}
    assert not lost, f"{graded['assignment']}: the solution loses points in {lost}\n{graded['log'][-3000:]}"


def test_untouched_student_version_scores_zero(graded):
    scores = graded["scores"]["untouched"]
    earned = {k: v for k, v in scores.items() if v[0] != 0}
    assert not earned, f"{graded['assignment']}: tests pass without any student code: {earned}"


def test_tampered_tests_are_restored_and_score_zero(graded):
    scores = graded["scores"]["tampered"]
    assert all(v[0] == 0 for v in scores.values()), scores
    autograded = graded["course"] / "autograded" / "tampered" / graded["assignment"]
    (nb_path,) = autograded.glob("*.ipynb")
    for cell in C.read(nb_path).cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            assert cell.source.strip() != "pass", f"test cell {C.grade_id(cell)} was not restored"


def test_partial_submission_scores_between(graded):
    scores = graded["scores"]["partial"]
    total = sum(v[0] for v in scores.values())
    maximum = sum(v[1] for v in scores.values())
    assert 0 < total < maximum, f"{graded['assignment']}: partial submission scored {total}/{maximum}: {scores}"
    for grade_id, outcome in getattr(graded["partial"], "EXPECTED", {}).items():
        got, top = scores[grade_id]
        assert (got == top) if outcome == "full" else (got == 0), (
            f"{grade_id}: expected {outcome} marks, got {got}/{top}")


def test_declared_points_match_the_gradebook(graded):
    """The introduction's '(N points)' equals the sum of all graded cells' points."""
    intro = graded["student"].cells[0].source
    match = re.search(r"\((\d+) points\)", intro)
    assert match, "the introduction must state the total, e.g. '**How it is graded** (17 points)'"
    declared = int(match.group(1))
    total = sum(float(c.metadata["nbgrader"]["points"]) for c in graded["source"].cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    assert declared == total, f"intro says {declared} points, the graded cells add up to {total}"
    manual = C.task_and_written_ids(graded["source"])
    assert manual, "every assignment needs at least one manually graded written answer"
    auto = [c for c in graded["source"].cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(auto) >= 3, "every assignment needs at least three auto-graded parts"
