"""The nbgrader pipeline end to end, in temporary course directories.

* A tiny pure-Python fixture assignment covers the edge cases quickly:
  tampered read-only cells, a corrupt file, a syntax error, a deleted test
  cell, and feedback that must not reveal hidden tests.
* Every real assignment in source/ is autograded, in one nbgrader run, with
  four submissions: the solution (full marks); the student version with its
  test cells tampered with (restored, so the graded notebook is the untouched
  student version, which scores zero); a hand-written partial submission from
  tests/support/partials/ whose mistakes each cost their own part only; and a
  correct variant written differently from the solution (full marks).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lstm_grader.autograde import SanitizeStudentOutput
from lstm_grader.leaks import html_text

import course as C
import fixture_assignment as F
import stored_outputs

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
        # as a reader sees it: highlighting splits code into one tag per token
        text = html_text(page.read_text())
        assert "BEGIN HIDDEN TESTS" not in text
        assert "mean([-1.5, 1.5])" not in text, f"hidden test code in {page}"


def test_fixture_student_version_has_no_mark_scheme(fx):
    text = "".join(c.source for c in fx["student"].cells)
    assert F.MARK_SCHEME_MARKER not in text and F.HIDDEN_MARKER not in text


# --------------------------------------------------------------------------
# real assignments
# --------------------------------------------------------------------------

def load_partial(assignment: str):
    module = C.seeds_tool().partial_module(assignment)
    if module is None:
        pytest.fail(f"no hand-written partial submission tests/support/partials/{assignment}.py")
    return module


def auto_graded_ids(nb) -> set[str]:
    """Grade ids of the automatically graded (test) cells."""
    return {C.grade_id(c) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def manually_graded(nb) -> dict[str, float]:
    """Points of the manually graded cells: task cells, and answer cells (grade and solution)."""
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("task") or (meta.get("grade") and cell.cell_type == "markdown"):
            out[meta["grade_id"]] = float(meta.get("points", 0))
    return out


def error_text(course: Path, student: str, assignment: str, grade_id: str) -> str:
    """The error a test cell raised in a student's autograded notebook ('' if none)."""
    (path,) = (course / "autograded" / student / assignment).glob("*.ipynb")
    for cell in C.read(path).cells:
        if C.grade_id(cell) == grade_id:
            return "\n".join(f"{o.get('ename', '')}: {o.get('evalue', '')}"
                             for o in cell.get("outputs", []) if o.get("output_type") == "error")
    raise KeyError(grade_id)


@pytest.fixture(scope="class")
def graded(request, tmp_path_factory):
    """One nbgrader run per assignment over four submissions: the solution, the
    student version with its test cells tampered with, a partial submission
    with local mistakes and a correct variant (tests/support/partials/).

    The untouched student version is not graded on its own: once autograde has
    restored the tampered test cells, the tampered submission is the untouched
    version (``test_tampered_tests_are_restored`` checks it cell by cell), and
    grading it again would cost a kernel and a TensorFlow import per assignment."""
    assignment = request.param
    tmp = tmp_path_factory.mktemp(assignment)
    course = C.new_course(tmp, [C.ROOT / "source" / assignment])
    student_path = C.release(course, assignment)
    student = C.read(student_path)
    source = C.read(C.ROOT / "source" / assignment / student_path.name)
    partial = load_partial(assignment)
    tests = {gid: "pass" for gid in auto_graded_ids(student)}
    submissions = {
        "solution": C.with_cells(student, C.solution_cells(source)),
        "tampered": C.with_cells(student, tests),
        "partial": C.with_cells(student, partial.CELLS),
        "variant": C.with_cells(student, {**C.solution_cells(source), **partial.VARIANT_CELLS}),
    }
    for student_id, nb in submissions.items():
        C.submit(course, assignment, student_id, nb, student_path.name)
    result = C.check(C.autograde(course, assignment))
    notebook = student_path.stem
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        max_score = float(gb.find_assignment(assignment).max_score)
    return {
        "assignment": assignment,
        "course": course,
        "source": source,
        "student": student,
        "partial": partial,
        "scores": {s: C.scores(course, assignment, s, notebook) for s in submissions},
        "max_score": max_score,
        "log": result.stderr,
    }


class AssignmentPipeline:
    """The tests of one graded run (the ``graded`` fixture); the classes below pick the assignments."""

    def test_solution_scores_full_marks(self, graded):
        scores = graded["scores"]["solution"]
        assert scores, "the assignment has no auto-graded cells"
        lost = {k: v for k, v in scores.items() if v[0] != v[1]}
        assert not lost, f"{graded['assignment']}: the solution loses points in {lost}\n{graded['log'][-3000:]}"


    def test_solution_run_reproduces_the_committed_solutions(self, graded):
        """The graded run of the solution is nbval's run of solutions/: the same code
        (hidden tests aside), and the outputs stored in solutions/ by nbval's rules.

        solutions/ is not collected by nbval a second time (pyproject.toml's testpaths):
        running the same notebook twice would only double the suite's longest work.
        Stored outputs pass through the grader's own output sanitiser first, which
        rewrites the HTML of Keras summaries (quotes, not content)."""
        assignment = graded["assignment"]
        (ran_path,) = (graded["course"] / "autograded" / "solution" / assignment).glob("*.ipynb")
        committed = C.read(C.ROOT / "solutions" / assignment / ran_path.name)
        ran = C.read(ran_path)
        markers = ("### BEGIN SOLUTION", "### END SOLUTION")
        tests = auto_graded_ids(committed)
        pairs = list(zip([c for c in committed.cells if c.cell_type == "code"],
                         [c for c in ran.cells if c.cell_type == "code"]))
        for stored, run in pairs:
            lines = [ln for ln in stored.source.splitlines() if ln.strip() not in markers]
            if C.grade_id(stored) in tests:  # the graded copy adds the hidden tests
                missing = [ln for ln in lines if ln not in run.source.splitlines()]
                assert not missing, f"{assignment}: test cell {C.grade_id(stored)} differs: {missing}"
            else:
                assert run.source == "\n".join(lines), (
                    f"{assignment}: cell {C.grade_id(stored)} of solutions/ is not the code that was graded")
        sanitise = SanitizeStudentOutput()
        for cell in committed.cells:
            if cell.cell_type == "code":
                cell.outputs = sanitise.sanitize_code_outputs(cell.outputs)
        found = stored_outputs.differences(committed, ran)
        assert not found, (f"{assignment}: the solution's outputs differ from solutions/ "
                           "(regenerate with `make assignments`):\n" + "\n".join(found))


    def test_tampered_tests_are_restored(self, graded):
        """Autograde puts the instructor's test cells back: what it graded is the
        untouched student version, cell by cell (hidden tests aside)."""
        autograded = graded["course"] / "autograded" / "tampered" / graded["assignment"]
        (nb_path,) = autograded.glob("*.ipynb")
        released = {C.grade_id(c): c.source for c in graded["student"].cells}
        for cell in C.read(nb_path).cells:
            gid = C.grade_id(cell)
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
                assert cell.source.strip() != "pass", f"test cell {gid} was not restored"
                assert released[gid].splitlines()[0] in cell.source, f"test cell {gid} is not the instructor's"
            elif gid in released and cell.cell_type == "code":
                assert cell.source == released[gid], f"cell {gid} differs from the released version"


    def test_untouched_student_version_scores_zero(self, graded):
        """No test passes without student code (the restored tampered submission is the untouched version)."""
        scores = graded["scores"]["tampered"]
        earned = {k: v for k, v in scores.items() if v[0] != 0}
        assert not earned, f"{graded['assignment']}: tests pass without any student code: {earned}"


    def test_partial_submission_loses_only_the_parts_it_gets_wrong(self, graded):
        """Each mistake of the partial submission costs its own part, and nothing else."""
        scores = graded["scores"]["partial"]
        expected = graded["partial"].EXPECTED
        assert set(expected) == set(scores), (
            f"tests/support/partials/{graded['assignment']}.py: EXPECTED must state 'full' or 'zero' for every "
            f"auto-graded cell {sorted(scores)}")
        assert set(expected.values()) == {"full", "zero"}, "the partial submission must be partly right"
        def outcome(got: float, top: float) -> str:
            return "full" if got == top else "zero" if got == 0 else f"{got:g}/{top:g}"

        wrong = {gid: f"expected {expect}, got {outcome(*scores[gid])}"
                 for gid, expect in expected.items() if outcome(*scores[gid]) != expect}
        assert not wrong, f"{graded['assignment']}, partial submission: {wrong}"


    def test_failed_tests_name_the_mistake(self, graded):
        """The error of each failed test of the partial submission names the actual mistake."""
        messages = getattr(graded["partial"], "MESSAGES", {})
        assert messages, f"tests/support/partials/{graded['assignment']}.py: MESSAGES must name what each failure says"
        for gid, words in messages.items():
            assert graded["partial"].EXPECTED[gid] == "zero", f"{gid} is expected to pass, it has no message"
            text = error_text(graded["course"], "partial", graded["assignment"], gid)
            missing = [w for w in words if w.lower() not in text.lower()]
            assert not missing, f"{gid}: the error does not mention {missing}:\n{text}"


    def test_equivalent_variant_scores_full_marks(self, graded):
        """A correct submission written differently (tests/support/partials/, VARIANT_CELLS) loses nothing."""
        scores = graded["scores"]["variant"]
        lost = {k: v for k, v in scores.items() if v[0] != v[1]}
        errors = {gid: error_text(graded["course"], "variant", graded["assignment"], gid)[-600:] for gid in lost}
        assert not lost, f"{graded['assignment']}: a correct variant loses points in {lost}: {errors}"


    def test_declared_points_match_the_gradebook(self, graded):
        """The introduction's '(N points)' equals the assignment's maximum in the gradebook,
        and each manually graded part is counted once."""
        intro = graded["student"].cells[0].source
        match = re.search(r"\((\d+) points\)", intro)
        assert match, "the introduction must state the total, e.g. '**How it is graded** (17 points)'"
        declared = int(match.group(1))
        assert graded["max_score"] == declared, (
            f"the introduction says {declared} points, the gradebook's maximum is {graded['max_score']:g}")
        source = graded["source"]
        auto = {C.grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in source.cells
                if C.grade_id(c) in auto_graded_ids(source)}
        manual = manually_graded(source)
        assert manual, "every assignment needs at least one manually graded written answer"
        assert len(auto) >= 3, "every assignment needs at least three auto-graded parts"
        assert sum(auto.values()) + sum(manual.values()) == declared
        doubled = [C.grade_id(c) for c in source.cells
                   if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("task")]
        assert not doubled, f"cells with both grade and task count twice in the gradebook: {doubled}"


# One class per assignment: pytest-xdist (--dist loadscope) hands out whole classes, so
# the nbgrader runs (the longest fixtures of the suite) spread over every worker.
for _assignment in C.ASSIGNMENTS:
    _name = "TestAssignment_" + _assignment
    globals()[_name] = pytest.mark.parametrize("graded", [_assignment], indirect=True, scope="class")(
        type(_name, (AssignmentPipeline,), {"__module__": __name__}))
