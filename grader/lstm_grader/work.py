"""One submission, graded where a worker runs it.

The coordinator (``lstm-course grade``) packs what every submission of an
assignment needs into a :class:`Bundle`: the course's ``nbgrader_config.py``,
the assignment's ``source/`` and released folders, and a gradebook holding
the assignment's definition and no student data. Each submission travels as
a :class:`Job` (the files the student handed in). :func:`grade_job` lays out
a private course folder, runs ``nbgrader autograde`` there in a process of
its own (sandbox, screen and all, as configured), and returns an
:class:`Outcome`: the autograded files, the gradebook rows, the report and
the log. It needs no shared file system, so the same function runs in a
local worker thread or on a Dask worker on another machine.

The hidden tests are in the bundle's ``source/`` folder: they reach the
worker's nbgrader process, which copies them into the graded notebook
outside the sandbox, and the sandbox hides the folder from student code.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lstm_grader import gradebook, report, sandbox

Files = dict[str, bytes]


@dataclass
class Bundle:
    """What every job of one assignment shares (sent once to each worker)."""

    assignment: str
    config: bytes
    files: Files
    """``source/<assignment>/...`` and ``<release>/<assignment>/...``, relative to the course."""
    gradebook: bytes
    """A SQLite gradebook with the assignment's definition only."""


@dataclass
class Job:
    student: str
    files: Files
    """The submission folder ``submitted/<student>/<assignment>/``, relative to it."""
    timeout: float = 1800
    no_sandbox: bool = False
    attempt: int = 1
    threads: int | None = None
    """CPU threads for the kernel's TensorFlow and OpenMP (None: their default, every core)."""


@dataclass
class Outcome:
    student: str
    autograded: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    """``autograded/<student>/<assignment>/`` as {relative path: (content, mode)}."""
    rows: gradebook.Rows | None = None
    report: dict = field(default_factory=dict)
    log: str = ""
    error: str = ""
    retry: bool = False
    """The failure lies with the worker (nbgrader died, hung or was killed), not the submission."""
    seconds: float = 0.0
    host: str = ""
    attempt: int = 1


def _read_tree(folder: Path) -> Files:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _write_tree(folder: Path, files: Files) -> None:
    for rel, data in files.items():
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder.resolve()):
            raise ValueError(f"refusing a path outside {folder}: {rel}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def tools_on_path() -> None:
    """Put this environment's ``bin`` first on ``PATH``: nbgrader runs ``alembic``
    as a command when it creates a gradebook."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"


def make_bundle(course: Path, assignment: str, release: str = "assignments") -> Bundle:
    """Pack what the workers need to grade ``assignment`` of ``course``."""
    tools_on_path()
    files: Files = {}
    for top in ("source", release):
        for rel, data in _read_tree(course / top / assignment).items():
            files[f"{top}/{assignment}/{rel}"] = data
    with tempfile.TemporaryDirectory(prefix="lstm-bundle-") as tmp:
        db = Path(tmp) / "gradebook.db"
        gradebook.copy_assignment(f"sqlite:///{course / 'gradebook.db'}", f"sqlite:///{db}", assignment)
        template = db.read_bytes()
    return Bundle(assignment, (course / "nbgrader_config.py").read_bytes(), files, template)


def make_job(course: Path, assignment: str, student: str, **kwargs) -> Job:
    return Job(student, _read_tree(course / "submitted" / student / assignment), **kwargs)


def nbgrader_command() -> list[str]:
    exe = Path(sys.executable).parent / "nbgrader"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "nbgrader"]


PRELOAD = ["nbgrader.apps", "lstm_grader.autograde", "lstm_grader.intake", "lstm_grader.feedback",
           "lstm_grader.screen", "lstm_course.env"]
"""Imported once by the fork server; each nbgrader process forked from it
starts without paying for them again (about 3 s per submission)."""

_FORKSERVER = None


def _forkserver():
    """A ``multiprocessing`` fork-server context with nbgrader preloaded, or
    None where a process may not have children of its own (a daemonic
    process, e.g. a Dask worker): there nbgrader runs as a new command."""
    global _FORKSERVER
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return None
    if _FORKSERVER is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _FORKSERVER = context
    return _FORKSERVER


def warm_up() -> None:
    """Start the fork server now (it imports nbgrader while the caller does
    other work), where there is one."""
    if _forkserver() is not None:
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent (the fork server, which
    ends with its worker) dies: a lost worker leaves no grading behind; the
    kernel's launcher, in turn, ends with this process."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the request
            os._exit(1)
    except (OSError, AttributeError):  # not Linux: the timeout still applies
        pass


def _nbgrader_child(argv: list[str], cwd: str, env: dict[str, str], log: str, err: str | None = None) -> None:
    """``nbgrader *argv`` in a forked process: its own session (the grader can
    kill it with everything it started), its own folder, environment and log
    (stderr to ``err`` if given, else with stdout)."""
    import traceback

    os.setsid()
    _die_with_parent()
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) if err else out, 2)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    code = 0
    try:
        from nbgrader.apps.nbgraderapp import NbGraderApp

        sys.argv = ["nbgrader", *argv]
        NbGraderApp.launch_instance(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _kill_session(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _run(argv: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float,
         err: Path | None = None) -> tuple[int | None, str]:
    """Run ``nbgrader *argv`` in a session of its own; kill the whole session
    at the timeout. Returns (exit status, or None at the timeout; error)."""
    late = f"grading took longer than {timeout:.0f} s and was stopped"
    context = _forkserver()
    if context is not None:
        child = context.Process(target=_nbgrader_child,
                                args=(argv, str(cwd), env, str(log), str(err) if err else None))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            _kill_session(child.pid)
            child.join()
            return None, late
        return child.exitcode, ""
    with open(log, "w") as out, open(err or os.devnull, "w") as errors:
        proc = subprocess.Popen([*nbgrader_command(), *argv], cwd=cwd, env=env, stdout=out,
                                stderr=errors if err else subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            return proc.wait(timeout=timeout), ""
        except subprocess.TimeoutExpired:
            _kill_session(proc.pid)
            proc.wait()
            return None, late


def run_nbgrader(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 900
                 ) -> tuple[int | None, str, str]:
    """``nbgrader *argv`` in ``cwd`` with exactly ``env``, as :func:`grade_job`
    runs it (forked from the preloaded server where there is one); returns
    (exit status or None at the timeout, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="lstm-nbgrader-") as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        code, _ = _run(argv, Path(cwd), env, out, timeout, err)
        return code, out.read_text(errors="replace"), err.read_text(errors="replace")


_SANDBOX_PROBLEM: str | None = None


def sandbox_problem() -> str:
    """Why the sandbox cannot run on this worker ('' if it can), checked once per process."""
    global _SANDBOX_PROBLEM
    if _SANDBOX_PROBLEM is None:
        _SANDBOX_PROBLEM = sandbox.self_test()
    return _SANDBOX_PROBLEM


def grade_job(bundle: Bundle, job: Job) -> Outcome:
    """Grade one submission in a private course folder; never raises.

    A worker whose sandbox does not work refuses the job (``retry``: another
    worker may take it) unless the job says ``no_sandbox``.
    """
    start = time.monotonic()
    a, s = bundle.assignment, job.student
    out = Outcome(s, host=platform.node(), attempt=job.attempt)
    problem = "" if job.no_sandbox else sandbox_problem()
    if problem:
        out.error = f"the worker on {out.host} refused the job: its sandbox does not work ({problem})"
        out.retry = True
        out.report = report.to_dict(report.Report(a, s, [report.Event("grading-failed", out.error)]))
        return out
    with tempfile.TemporaryDirectory(prefix="lstm-grade-") as tmp:
        course = Path(tmp) / "course"
        course.mkdir()
        os.chmod(tmp, 0o755)
        os.chmod(course, 0o755)
        (course / "nbgrader_config.py").write_bytes(bundle.config)
        (course / "gradebook.db").write_bytes(bundle.gradebook)
        _write_tree(course, bundle.files)
        submitted = course / "submitted" / s / a
        submitted.mkdir(parents=True)
        try:
            _write_tree(submitted, job.files)
        except ValueError as exc:
            out.error = str(exc)
        reports = course / "reports"
        env = dict(os.environ)
        sandbox.clear_course_env(env)  # with or without the sandbox
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env[report.REPORTS_ENV] = str(reports)
        if job.threads:
            for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
                env[name] = str(job.threads)
            env["TF_NUM_INTEROP_THREADS"] = "1"
        if job.no_sandbox:
            env[sandbox.NO_SANDBOX_ENV] = "1"
        else:
            env.pop(sandbox.NO_SANDBOX_ENV, None)
        try:
            log = course / "autograde.log"
            if not any(submitted.glob("*.ipynb")):
                # nothing to grade: the coordinator gives 0 to every test
                report.record(a, s, "missing-notebook", "no notebook was submitted; every test scores 0",
                              root=reports)
            elif not out.error:
                code, out.error = _run(["autograde", a, "--student", s, "--force"],
                                       course, env, log, job.timeout)
                if out.error:
                    out.retry = True
                elif code != 0:
                    out.error = f"nbgrader exited with status {code}"
                    out.retry = True
            # the private folder's path differs from run to run: not in what is kept
            out.log = log.read_text(errors="replace").replace(str(course), "<course>") if log.exists() else ""
            if out.error:
                tail = out.log.strip().splitlines()[-3:]
                report.record(a, s, "grading-failed",
                              f"{out.error}; every test not graded scores 0" +
                              (f" (log: {' | '.join(tail)[-300:]})" if tail else ""), root=reports)
            url = f"sqlite:///{course / 'gradebook.db'}"
            try:
                out.rows = gradebook.read_submission(url, a, s)
            except Exception as exc:  # a broken worker gradebook: the coordinator gives 0
                out.error, out.retry = out.error or f"gradebook: {exc}", True
            out.autograded = {rel: (data, (course / "autograded" / s / a / rel).stat().st_mode & 0o777)
                              for rel, data in _read_tree(course / "autograded" / s / a).items()}
            out.report = report.to_dict(report.load(a, s, reports))
        except Exception as exc:  # never raise: the coordinator reports it
            out.error, out.retry = out.error or f"worker: {type(exc).__name__}: {exc}", True
    out.seconds = time.monotonic() - start
    return out
