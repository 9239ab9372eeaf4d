"""The ``lstm-course`` command for instructors.

``lstm-course grade ASSIGNMENT [--jobs N | --scheduler ADDRESS]``
    Grade every submission in ``submitted/*/ASSIGNMENT`` through the sandbox
    and the integrity screen. Each submission is graded by its own
    ``nbgrader autograde --student`` process in a private copy of the
    course, so nothing one submission does can stop the others; one that
    fails anyway is retried once, then recorded with a score of 0 and the
    reason. ``--jobs N`` grades N at a time; ``--scheduler`` sends the work
    to a Dask cluster (:mod:`lstm_grader.pool`). This process alone writes
    the gradebook (SQLite, ``gradebook.db``), ``autograded/``,
    ``reports/ASSIGNMENT/<student>.json`` and
    ``reports/ASSIGNMENT/summary.csv``, and shows a progress bar.
``lstm-course sandbox-check``
    Start one sandbox and check it hides the course and the network.
``lstm-course scan-feedback ASSIGNMENT``
    Check every feedback page before release (hidden tests, mark schemes,
    grader paths, active HTML); refuses, with exit status 1, if any leaks.

"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from lstm_grader import sandbox
from lstm_grader.pool import DaskWorkers, LocalWorkers, Result, grade


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


def _grade_main(args: argparse.Namespace) -> int:
    course = Path(args.course).resolve()
    if not (course / "submitted").is_dir():
        print(f"no submitted/ folder in {course}", file=sys.stderr)
        return 2
    if args.no_sandbox:
        print("WARNING: grading WITHOUT the sandbox: student code runs with your rights",
              file=sys.stderr)
    elif not args.scheduler:  # on a cluster, each worker checks its own sandbox
        problem = sandbox.self_test(course)
        if problem:
            print(f"refusing to grade: {problem}\n(--no-sandbox grades without it, unsafely)",
                  file=sys.stderr)
            return 2
    if args.scheduler:
        workers = DaskWorkers(args.scheduler)
        print(f"grading on the Dask cluster at {args.scheduler}", file=sys.stderr)
    else:
        workers = LocalWorkers(args.jobs)
    results = grade(course, args.assignment, only=args.student or None,
                    no_sandbox=args.no_sandbox, timeout=args.timeout, workers=workers,
                    threads=args.threads)
    write_summary(course, args.assignment, results)
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
    g.add_argument("--jobs", "-j", type=int, default=1,
                   help="grade this many submissions at a time on this machine (default 1)")
    g.add_argument("--threads", type=int, default=None,
                   help="CPU threads per kernel (default: TensorFlow's own, every core)")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask cluster, e.g. tcp://10.0.0.5:8786 (instead of --jobs)")
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
