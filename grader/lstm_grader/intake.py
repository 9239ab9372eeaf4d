"""nbgrader's pre- and post-convert hooks: the intake of one submission
before it is graded, and the verdict after.

Before (:class:`Intake`, ``c.Autograde.pre_convert_hook``):

* start a fresh report for the student;
* a malformed ``timestamp.txt`` is moved aside (nbgrader would otherwise
  drop the student from the batch), and the submission counts as on time;
* a notebook saved under another name is graded under the expected one;
* a file that is not a readable notebook is kept aside as ``*.not-a-notebook``
  and replaced by the blank release version, so the student gets a score of 0,
  feedback and a reason instead of vanishing from the gradebook;
* the integrity screen (:mod:`lstm_grader.screen`) reads the submission.

After (:class:`Verdict`, ``c.Autograde.post_convert_hook``): a submission the
screen flagged keeps its score but goes to the manual-grading queue.

nbgrader calls the hooks with ``assignment``, ``student`` (the command-line
patterns, e.g. ``*``) and ``notebooks`` (the submitted files of this one
student): the student's id is read from those paths.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from lstm_grader import report


def _who(notebooks: list[str]) -> tuple[str, str, Path] | None:
    """``(student, assignment, folder)`` of a submission, from its notebook paths."""
    for path in notebooks:
        folder = Path(path).resolve().parent
        return folder.parent.name, folder.name, folder
    return None


def _readable(path: Path) -> bool:
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        return True
    except Exception:
        return False


OWN_ARTEFACTS = ("timestamp.txt.invalid", ".not-a-notebook")
"""Files the intake itself leaves in a submission folder (re-grading finds them)."""


class Intake:
    """The pre-convert hook (see the module docstring)."""

    def __init__(self, release: str = "assignments", screen: bool = True) -> None:
        self.release = release
        self.screen = screen

    def release_notebooks(self, assignment: str) -> dict[str, Path]:
        folder = Path(self.release) / assignment
        return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}

    def __call__(self, assignment: str, student: str, notebooks: list[str]) -> None:
        who = _who(notebooks)
        if who is None:
            return
        student_id, assignment_id, folder = who
        report.reset(assignment_id, student_id)
        released = self.release_notebooks(assignment_id)
        if self.screen:  # the submission as handed in, before any repair
            self._screen(assignment_id, student_id, folder, released)
        self._timestamp(assignment_id, student_id, folder)
        self._names(assignment_id, student_id, folder, notebooks, released)
        self._readability(assignment_id, student_id, notebooks, released)

    def _timestamp(self, assignment: str, student: str, folder: Path) -> None:
        from nbgrader.utils import parse_utc

        path = folder / "timestamp.txt"
        if not path.exists():
            return
        text = path.read_text(errors="replace").strip()
        try:
            if text:
                parse_utc(text)
            return
        except Exception:
            pass
        path.replace(folder / "timestamp.txt.invalid")
        report.record(assignment, student, "bad-timestamp",
                      f"timestamp.txt did not hold a date ({text[:40]!r}); it was set aside and the "
                      "submission counted as on time")

    def _names(self, assignment: str, student: str, folder: Path, notebooks: list[str],
               released: dict[str, Path]) -> None:
        present = {Path(p).stem for p in notebooks}
        missing = [name for name in released if name not in present]
        unknown = [p for p in notebooks if Path(p).stem not in released]
        if len(missing) == 1 and len(unknown) == 1:
            old = Path(unknown[0])
            new = folder / f"{missing[0]}.ipynb"
            shutil.copy2(old, new)
            notebooks[notebooks.index(unknown[0])] = str(new)
            report.record(assignment, student, "renamed-notebook",
                          f"the notebook was submitted as {old.name}; it was graded as {new.name}",
                          notebook=missing[0])
        else:
            for name in missing:
                report.record(assignment, student, "missing-notebook",
                              f"{name}.ipynb was not submitted; its tests score 0", notebook=name)

    def _readability(self, assignment: str, student: str, notebooks: list[str],
                     released: dict[str, Path]) -> None:
        for path in map(Path, notebooks):
            if path.stem in released and not _readable(path):
                kept = path.with_name(path.name + ".not-a-notebook")
                path.replace(kept)
                shutil.copy2(released[path.stem], path)
                report.record(assignment, student, "not-a-notebook",
                              f"{path.name} is not a readable notebook (kept as {kept.name}); the "
                              "blank assignment was graded in its place, so every test scores 0",
                              notebook=path.stem)

    def _screen(self, assignment: str, student: str, folder: Path,
                released: dict[str, Path]) -> None:
        try:
            from lstm_grader.screen import screen_submission
        except ImportError:  # pragma: no cover - the screen ships with the package
            return
        release_nbs = {name: nbformat.read(path, as_version=4) for name, path in released.items()}
        for finding in screen_submission(folder, release_nbs):
            if finding.where.endswith(OWN_ARTEFACTS):
                continue  # set aside by an earlier grading of this submission
            report.record(assignment, student, f"screen:{finding.kind}",
                          f"{finding.where}{'' if finding.line is None else f' line {finding.line}'}: "
                          f"{finding.reason}", flag=finding.severity == "flag")


class Verdict:
    """The post-convert hook: flagged submissions need a person's review."""

    def __init__(self, db_url: str = "sqlite:///gradebook.db") -> None:
        self.db_url = db_url

    def __call__(self, assignment: str, student: str, notebooks: list[str]) -> None:
        who = _who(notebooks)
        if who is None:
            return
        student_id, assignment_id, _ = who
        rep = report.load(assignment_id, student_id)
        if rep.flagged:
            flag_for_review(self.db_url, assignment_id, student_id)


def flag_for_review(db_url: str, assignment: str, student: str) -> None:
    """Mark every auto-graded cell of the submission as needing a manual grade:
    the scores stay, and formgrader lists the submission for review."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        submission = gb.find_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell_type == "code" and grade.auto_score is not None:
                    grade.needs_manual_grade = True
        gb.db.commit()

