"""Grading many submissions at once: workers grade, one coordinator writes.

:func:`grade` packs the assignment once (:func:`lstm_grader.work.make_bundle`),
sends one :class:`~lstm_grader.work.Job` per submission to the workers and
stores each :class:`~lstm_grader.work.Outcome` as it arrives
(:func:`store`): the autograded folder, the report, the log and the
gradebook rows. Only this process writes the course folder and the
gradebook, so SQLite needs no concurrent writers, and the stored result does
not depend on how many workers there were or where they ran.

Workers:

* ``jobs=N`` (default 1): N local threads, each running one
  ``nbgrader autograde`` process at a time (:class:`LocalWorkers`);
* ``scheduler="tcp://host:8786"``: the workers of a Dask distributed cluster
  (:class:`DaskWorkers`); the bundle is sent to each worker once and every
  job carries its submission, so worker machines need the course's
  environment and nothing of the course folder.

A job whose worker failed (nbgrader died, hung past the timeout, was killed,
or the Dask worker was lost) is retried once; if it fails again, the
submission gets 0 where it was not graded and its report says why.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from lstm_grader import gradebook, report
from lstm_grader.work import Bundle, Job, Outcome, grade_job, make_bundle, make_job, warm_up


@dataclass
class Result:
    student: str
    score: float
    max_score: float
    seconds: float
    flagged: bool
    events: list[str] = field(default_factory=list)
    error: str = ""
    attempts: int = 1
    host: str = ""
    stored_seconds: float = 0.0
    """Time the coordinator spent storing this result."""


def db_url(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def students(course: Path, assignment: str) -> list[str]:
    folder = course / "submitted"
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


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


def _replace_folder(target: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Make ``target`` hold exactly ``files``: built beside it, then swapped in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    for rel, (data, mode) in files.items():
        path = (new / rel).resolve()
        if not path.is_relative_to(new.resolve()):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode & 0o644 | 0o400)  # never executable, never writable by others
    new.chmod(0o755)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.monotonic_ns()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def store(course: Path, assignment: str, outcome: Outcome) -> Result:
    """Write one outcome into the course: the only writer of the gradebook."""
    start = time.monotonic()
    reports = course / "reports"
    _replace_folder(course / "autograded" / outcome.student / assignment, outcome.autograded)
    rep = report.from_dict(outcome.report) if outcome.report else report.Report(assignment, outcome.student)
    if outcome.error and not any(e.kind in ("grading-failed", "missing-notebook") for e in rep.events):
        rep.events.append(report.Event("grading-failed", f"{outcome.error}; every test not graded scores 0"))
    if outcome.attempt > 1:
        rep.events.append(report.Event("retried", f"the first worker failed; graded on attempt {outcome.attempt}"))
    report.save(rep, reports)
    (reports / assignment / f"{outcome.student}.log").write_text(outcome.log)
    url = db_url(course)
    error = outcome.error
    try:
        gradebook.write_submission(url, assignment, outcome.student, outcome.rows)
        got, top = auto_score(url, assignment, outcome.student)
    except Exception as exc:  # the gradebook itself is broken: report, go on
        got, top = 0.0, 0.0
        error = error or f"gradebook: {exc}"
    return Result(outcome.student, got, top, outcome.seconds, rep.flagged,
                  [f"{e.kind}: {e.message}" for e in rep.events], error, outcome.attempt, outcome.host,
                  time.monotonic() - start)


class Workers(Protocol):
    def run(self, bundle: Bundle, jobs: list[Job]) -> Iterator[Outcome]:
        """Yield one final outcome per job, in the order they finish."""


def _failed(job: Job, why: str) -> Outcome:
    return Outcome(job.student, error=why, retry=True, attempt=job.attempt)


class LocalWorkers:
    """``n`` submissions at a time on this machine."""

    def __init__(self, n: int = 1) -> None:
        self.n = max(1, n)

    def run(self, bundle: Bundle, jobs: list[Job]) -> Iterator[Outcome]:
        with ThreadPoolExecutor(self.n, thread_name_prefix="grader") as pool:
            running = {pool.submit(grade_job, bundle, job): job for job in jobs}
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    outcome = future.result()
                    if outcome.retry and job.attempt == 1:
                        again = dataclasses.replace(job, attempt=2)
                        running[pool.submit(grade_job, bundle, again)] = again
                    else:
                        yield outcome


class DaskWorkers:
    """The workers of a Dask distributed cluster (``distributed.Client(address)``)."""

    def __init__(self, address: str) -> None:
        self.address = address

    def run(self, bundle: Bundle, jobs: list[Job]) -> Iterator[Outcome]:
        from distributed import Client, as_completed

        client = Client(self.address)
        try:
            shared = client.scatter(bundle, broadcast=True, hash=False)
            futures = {}
            for job in jobs:
                futures[client.submit(grade_job, shared, job, pure=False,
                                      key=f"grade-{bundle.assignment}-{job.student}-{time.time_ns()}")] = job
            pending = as_completed(list(futures))
            for future in pending:
                job = futures.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker was lost (KilledWorker) or the task failed
                    outcome = _failed(job, f"worker lost: {type(exc).__name__}: {exc}")
                if outcome.retry and job.attempt == 1:
                    again = dataclasses.replace(job, attempt=2)
                    retry = client.submit(grade_job, shared, again, pure=False,
                                          key=f"grade-{bundle.assignment}-{job.student}-{time.time_ns()}")
                    futures[retry] = again
                    pending.add(retry)
                else:
                    yield outcome
        finally:
            client.close()


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


def grade(course: Path, assignment: str, *, only: Iterable[str] | None = None, no_sandbox: bool = False,
          timeout: float = 1800, workers: Workers | None = None, quiet: bool = False,
          release: str = "assignments", threads: int | None = None) -> list[Result]:
    """Grade the submissions of ``assignment`` (all in ``submitted/``, or
    ``only``); ``threads`` caps each kernel's CPU threads."""
    todo = list(only) if only else students(course, assignment)
    if workers is None or isinstance(workers, LocalWorkers):
        warm_up()
    bundle = make_bundle(course, assignment, release)
    jobs = [make_job(course, assignment, s, timeout=timeout, no_sandbox=no_sandbox, threads=threads)
            for s in todo]
    progress = Progress(len(jobs), stream=open(os.devnull, "w") if quiet else sys.stderr)
    results: list[Result] = []
    for outcome in (workers or LocalWorkers()).run(bundle, jobs):
        results.append(store(course, assignment, outcome))
        progress.step(outcome.student)
    return sorted(results, key=lambda r: todo.index(r.student))
