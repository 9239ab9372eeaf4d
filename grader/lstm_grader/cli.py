"""The ``lstm-course`` command for instructors.

``lstm-course grade ASSIGNMENT``
    Grade every submission in ``submitted/*/ASSIGNMENT`` through the sandbox
    and the integrity screen. Each submission is graded by its own
    ``nbgrader autograde --student`` process, so nothing one submission does
    can stop the others; one that fails anyway is recorded with a score of 0
    and the reason. Writes the gradebook (nbgrader's ``db_url``, SQLite by
    default), ``reports/ASSIGNMENT/<student>.json`` and
    ``reports/ASSIGNMENT/summary.csv``, and shows a progress bar.
``lstm-course sandbox-check``
    Start one sandbox and check it hides the course and the network.
``lstm-course scan-feedback ASSIGNMENT``
    Check every feedback page before release (hidden tests, mark schemes,
    grader paths, active HTML); refuses, with exit status 1, if any leaks.

``grade_one`` grades a single submission and returns its :class:`Result`:
the unit a worker pool can run in parallel.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from lstm_grader import report, sandbox


@dataclass
class Result:
    student: str
    score: float
    max_score: float
    seconds: float
    flagged: bool
    events: list[str] = field(default_factory=list)
    error: str = ""


def _nbgrader() -> list[str]:
    exe = Path(sys.executable).parent / "nbgrader"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "nbgrader"]


def _env(no_sandbox: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if no_sandbox:
        env[sandbox.NO_SANDBOX_ENV] = "1"
    return env


def students(course: Path, assignment: str) -> list[str]:
    folder = course / "submitted"
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


def db_url(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def zero_missing_scores(url: str, assignment: str, student: str) -> None:
    """Give 0 to every auto-graded cell left without a score (a submission
    nbgrader could not grade), so that every student has a score."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell_type == "code" and grade.auto_score is None and grade.manual_score is None:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
        gb.db.commit()


def auto_score(url: str, assignment: str, student: str) -> tuple[float, float]:
    """The auto-graded score and maximum of a submission (code cells only)."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        submission = gb.find_submission(assignment, student)
        got = top = 0.0
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell_type == "code":
                    got += float(grade.auto_score or 0)
                    top += float(grade.max_score)
        return got, top


def grade_one(course: Path, assignment: str, student: str, *, timeout: float = 1800,
              no_sandbox: bool = False) -> Result:
    """Grade one submission in its own nbgrader process; never raises."""
    os.environ[report.REPORTS_ENV] = str(course / "reports")
    start = time.monotonic()
    log = course / "reports" / assignment / f"{student}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    error = ""
    try:
        with open(log, "w") as out:
            proc = subprocess.run(
                [*_nbgrader(), "autograde", assignment, "--student", student, "--force"],
                cwd=course, env=_env(no_sandbox), stdout=out, stderr=subprocess.STDOUT,
                timeout=timeout, start_new_session=True)
        if proc.returncode != 0:
            error = f"nbgrader exited with status {proc.returncode}"
    except subprocess.TimeoutExpired:
        error = f"grading took longer than {timeout:.0f} s and was stopped"
    except OSError as exc:
        error = f"nbgrader could not run: {exc}"
    if not any((course / "submitted" / student / assignment).glob("*.ipynb")):
        report.record(assignment, student, "missing-notebook",
                      "no notebook was submitted; every test scores 0")
        error = error or "no notebook"
    if error:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
        report.record(assignment, student, "grading-failed",
                      f"{error}; every test not graded scores 0" +
                      (f" (log: {' | '.join(tail)[-300:]})" if tail else ""))
    url = db_url(course)
    try:
        zero_missing_scores(url, assignment, student)
        got, top = auto_score(url, assignment, student)
    except Exception as exc:  # the gradebook itself is broken: report, go on
        got, top = 0.0, 0.0
        error = error or f"gradebook: {exc}"
    rep = report.load(assignment, student)
    return Result(student, got, top, time.monotonic() - start, rep.flagged,
                  [f"{e.kind}: {e.message}" for e in rep.events], error)


class Progress:
    """A one-line progress bar on stderr: done/total, rate, time left."""

    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.start, self.stream = total, 0, time.monotonic(), stream

    def step(self, label: str = "") -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed * 60 if elapsed > 0 else 0.0
        left = (self.total - self.done) * elapsed / self.done if self.done else 0.0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                          f"{rate:5.1f}/min  {left / 60:4.1f} min left  {label[:30]:<30}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def write_summary(course: Path, assignment: str, results: list[Result]) -> Path:
    """Write (or update: re-graded students replace their rows) ``summary.csv``."""
    path = course / "reports" / assignment / "summary.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ["student", "auto_score", "auto_max", "review", "seconds", "events"]
    rows: dict[str, list[str]] = {}
    if path.exists():
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                rows[row["student"]] = [row.get(h, "") for h in header]
    for r in results:
        rows[r.student] = [r.student, f"{r.score:g}", f"{r.max_score:g}", "yes" if r.flagged else "",
                           f"{r.seconds:.1f}", " || ".join(r.events)]
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows[s] for s in sorted(rows))
    return path


def grade(course: Path, assignment: str, *, only: list[str] | None = None,
          no_sandbox: bool = False, timeout: float = 1800, quiet: bool = False) -> list[Result]:
    """Grade a whole assignment, one submission at a time."""
    todo = only or students(course, assignment)
    progress = Progress(len(todo), stream=open(os.devnull, "w") if quiet else sys.stderr)
    results = []
    for student in todo:
        results.append(grade_one(course, assignment, student, timeout=timeout, no_sandbox=no_sandbox))
        progress.step(student)
    write_summary(course, assignment, results)
    return results


def _grade_main(args: argparse.Namespace) -> int:
    course = Path(args.course).resolve()
    if not (course / "submitted").is_dir():
        print(f"no submitted/ folder in {course}", file=sys.stderr)
        return 2
    if args.no_sandbox:
        print("WARNING: grading WITHOUT the sandbox: student code runs with your rights",
              file=sys.stderr)
    else:
        problem = sandbox.self_test(course)
        if problem:
            print(f"refusing to grade: {problem}\n(--no-sandbox grades without it, unsafely)",
                  file=sys.stderr)
            return 2
    results = grade(course, args.assignment, only=args.student or None,
                    no_sandbox=args.no_sandbox, timeout=args.timeout)
    width = max([len(r.student) for r in results] + [7])
    print(f"{'student':<{width}}  score      review  what happened")
    for r in results:
        events = "; ".join(e.split(":", 1)[0] for e in r.events) or "-"
        print(f"{r.student:<{width}}  {r.score:>4g}/{r.max_score:<4g}  {'yes' if r.flagged else '':<6}  {events}")
    failed = sum(1 for r in results if r.error)
    print(f"{len(results)} graded, {sum(r.flagged for r in results)} to review, {failed} with "
          f"errors (scored 0 where not graded); reports in {course / 'reports' / args.assignment}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lstm-course", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade every submission of an assignment, sandboxed")
    g.add_argument("assignment")
    g.add_argument("--course", default=".", help="the course folder (default: here)")
    g.add_argument("--student", action="append", help="grade only this student (repeatable)")
    g.add_argument("--timeout", type=float, default=1800, help="seconds per submission")
    g.add_argument("--no-sandbox", action="store_true",
                   help="grade without the sandbox (unsafe: student code runs with your rights)")
    sub.add_parser("sandbox-check", help="check that the sandbox works here")
    s = sub.add_parser("scan-feedback", help="check feedback pages for leaks before release")
    s.add_argument("assignment")
    s.add_argument("--course", default=".")
    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade_main(args)
    if args.command == "sandbox-check":
        problem = sandbox.self_test(Path.cwd())
        print(problem or "the sandbox works: no network, course folder hidden")
        return 1 if problem else 0
    if args.command == "scan-feedback":
        from lstm_grader.feedback import main as scan_main
        return scan_main([args.assignment, "--course", args.course])
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
