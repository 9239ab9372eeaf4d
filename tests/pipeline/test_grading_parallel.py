"""Grading a class at once: with ``--jobs 4`` and on a Dask cluster.

One synthetic class of 20 submissions on the fast fixture assignment
(solutions, blanks, partial work, broken files and hostile cases from the
catalogue) is copied into two identical courses and graded two ways:

* ``lstm-course grade --jobs 4``, while a watcher kills one submission's
  ``nbgrader`` process the first time it appears (a worker dying mid-job);
* ``lstm-course grade --scheduler ADDRESS`` on a Dask ``LocalCluster`` that
  the test starts (two worker processes), while a watcher kills the Dask
  worker process that grades the same submission.

Both must give every student the expected score, and store the same
gradebook, the same autograded notebooks, the same reports (but the retry)
and the same feedback pages. Grading twice replaces the first result.

One submission at a time (``lstm-course grade`` without ``--jobs``) is the
same local pool with one thread; tests/pipeline/test_grading_cli.py runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import course as C
import fixture_assignment as F
from test_grading_catalogue import FULL, MEAN, MEAN_ONLY, STD, ZERO, attempt, submit_cases

pytestmark = pytest.mark.pipeline

LSTM_COURSE = str(C.BIN / "lstm-course")
VICTIM = "sol_2"  # its first nbgrader process is killed in the --jobs 4 run
WRONG_STD = "def std(xs):\n    return 0\n"


def the_class(root: Path) -> dict[str, dict]:
    """student -> {"mean"/"std": cell source, "files", "name", "raw", "none", "expect"}."""
    return {
        **{f"sol_{i}": dict(mean=MEAN, std=STD, expect=FULL) for i in range(1, 5)},
        **{f"blank_{i}": dict(expect=ZERO) for i in range(1, 3)},
        "part_mean_1": dict(mean=MEAN, std=WRONG_STD, expect=MEAN_ONLY),
        "part_mean_2": dict(mean=MEAN, std="def std(xs):\n    raise ValueError('todo')\n", expect=MEAN_ONLY),
        "prints_paths": dict(mean=MEAN + "import os, sys, tempfile\nprint(os.getcwd(), tempfile.gettempdir())\n"
                             "1 / 0\n", std=STD, expect=FULL),
        "reads_gradebook": dict(mean=MEAN + attempt(
            f"import sqlite3\ndb = sqlite3.connect('file:{root}/gradebook.db?mode=rw', uri=True)\n"
            "db.execute('update grade set auto_score = 0'); db.commit()"), std=STD, expect=FULL),
        # the worker's private course holds the hidden tests in source/: not visible inside
        "peeks_at_source": dict(mean=MEAN + attempt(
            "import glob\nfound = glob.glob('/tmp/lstm-grade-*/course/source/*/*.ipynb') + "
            "glob.glob('/course/source/*/*.ipynb') + glob.glob('../../../source/*/*.ipynb')\n"
            "print([open(p).read() for p in found])\nassert found"), std=STD, expect=FULL),
        "kills_parent": dict(mean=MEAN, std=STD + attempt(
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"), expect=FULL),
        "duplicate": dict(mean=MEAN, std=STD, duplicate="test_mean", expect=FULL),
        "os_exit": dict(mean=MEAN, std=STD + "import os\nos._exit(3)\n", expect=MEAN_ONLY),
        "renamed": dict(mean=MEAN, std=STD, name="my_stats.ipynb", expect=FULL),
        "bad_timestamp": dict(mean=MEAN, std=STD, files={"timestamp.txt": "yesterday-ish"}, expect=FULL),
        "on_time": dict(mean=MEAN, std=STD, files={"timestamp.txt": "2026-11-30 09:15:00.000000 UTC"},
                        expect=FULL),
        "not_a_notebook": dict(raw='{"cells": [', expect=ZERO),
        "shadows_abs": dict(mean=MEAN, std=WRONG_STD + "\ndef abs(x):\n    return 0\n", expect=FULL),
        "nothing": dict(none=True, expect=ZERO),
    }


def run_cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{C.BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([LSTM_COURSE, "grade", F.ASSIGNMENT, *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def kill_once(student: str, stop: threading.Event, killed: list[int], whole_worker: bool = False) -> None:
    """SIGKILL, the first time it is seen grading ``student``, its nbgrader
    process (the leader of its own session, working in a private course that
    holds only that student's submission) or, with ``whole_worker``, the Dask
    worker process above it (nbgrader's parent is the worker's fork server)."""
    while not stop.is_set() and not killed:
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                pid = int(proc.name)
                cwd = Path(os.readlink(proc / "cwd"))
                session = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[3])
                if not (session == pid and cwd.parent.name.startswith("lstm-grade-")
                        and (cwd / "submitted" / student).is_dir()):
                    continue
                target = pid
                if whole_worker:
                    server = _parent(pid)
                    if b"forkserver" not in Path(f"/proc/{server}/cmdline").read_bytes():
                        continue
                    target = _parent(server)
            except (OSError, ValueError, IndexError):
                continue
            time.sleep(0.5)  # mid-job
            try:
                os.kill(target, 9)
                killed.append(target)
            except ProcessLookupError:
                pass
            break
        time.sleep(0.05)


def snapshot(course: Path) -> dict:
    """What grading stored: gradebook, autograded files, reports (without retries), feedback."""
    from lstm_grader import gradebook

    autograded = {str(p.relative_to(course)): p.read_bytes()
                  for p in sorted((course / "autograded").rglob("*")) if p.is_file()}
    reports = {}
    for path in sorted((course / "reports" / F.ASSIGNMENT).glob("*.json")):
        events = json.loads(path.read_text())["events"]
        reports[path.stem] = [e for e in events if e["kind"] != "retried"]
    feedback = {str(p.relative_to(course)): p.read_bytes()
                for p in sorted((course / "feedback").rglob("*")) if p.is_file()}
    return dict(gradebook=gradebook.dump(f"sqlite:///{course / 'gradebook.db'}", F.ASSIGNMENT),
                autograded=autograded, reports=reports, feedback=feedback)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from distributed import LocalCluster

    tmp = tmp_path_factory.mktemp("parallel")
    src = F.write_source(tmp / "src")
    template = C.new_course(tmp / "template", [src])
    table = the_class(template)
    submit_cases(template, table)
    courses = {mode: tmp / mode / "course" for mode in ("jobs4", "dask")}
    for course in courses.values():
        shutil.copytree(template, course, symlinks=True)
    out: dict = {"table": table, "courses": courses, "runs": {}}

    stop, killed = threading.Event(), []
    watcher = threading.Thread(target=kill_once, args=(VICTIM, stop, killed), daemon=True)
    watcher.start()
    out["runs"]["jobs4"] = run_cli(courses["jobs4"], "--jobs", "4")
    stop.set()
    watcher.join()
    out["killed"] = killed

    import dask

    # non-daemonic workers may fork nbgrader from the preloaded fork server,
    # as the guide tells instructors to start them
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                         silence_logs=50) as cluster:
        stop, lost = threading.Event(), []
        watcher = threading.Thread(target=kill_once, args=(VICTIM, stop, lost, True), daemon=True)
        watcher.start()
        out["runs"]["dask"] = run_cli(courses["dask"], "--scheduler", cluster.scheduler_address)
        stop.set()
        watcher.join()
        out["lost_worker"] = lost

    for course in courses.values():
        C.check(C.run_nbgrader(course, "generate_feedback", F.ASSIGNMENT, "--force"))
    out["snapshots"] = {mode: snapshot(course) for mode, course in courses.items()}

    # grading again replaces the first result: a solution is handed in blank;
    # a manual score given meanwhile stays, and sends the cell back for review
    from nbgrader.api import Gradebook

    blank = C.read(C.release(courses["jobs4"], F.ASSIGNMENT))
    C.submit(courses["jobs4"], F.ASSIGNMENT, "sol_1", blank, f"{F.NOTEBOOK}.ipynb")
    with Gradebook(f"sqlite:///{courses['jobs4'] / 'gradebook.db'}") as gb:
        grade = gb.find_grade("test_mean", F.NOTEBOOK, F.ASSIGNMENT, "sol_3")
        grade.manual_score = 1.5
        gb.db.commit()
    out["again"] = run_cli(courses["jobs4"], "--student", "sol_1", "--student", "sol_3", "--jobs", "2")
    return out


def test_every_run_finishes(graded):
    for mode, run in graded["runs"].items():
        assert run.returncode == 0, (mode, run.stderr[-3000:])
        assert f"{len(graded['table'])} graded" in run.stdout, (mode, run.stdout)
        assert f"{len(graded['table'])}/{len(graded['table'])}" in run.stderr  # the progress bar ended


def test_a_student_who_handed_in_nothing_is_graded_and_told_why(graded):
    course = graded["courses"]["dask"]
    events = json.loads((course / "reports" / F.ASSIGNMENT / "nothing.json").read_text())["events"]
    assert [e["kind"] for e in events] == ["missing-notebook"], events


def test_the_class_is_at_least_twenty():
    assert len(the_class(Path("/course"))) >= 20


@pytest.mark.parametrize("mode", ["jobs4", "dask"])
def test_every_submission_gets_its_score(graded, mode):
    course = graded["courses"][mode]
    wrong = {}
    for student, case in graded["table"].items():
        if student == "sol_1" and mode == "jobs4":
            continue  # re-graded blank below
        got = C.scores(course, F.ASSIGNMENT, student, F.NOTEBOOK)
        if got != case["expect"]:
            wrong[student] = (got, case["expect"])
    assert not wrong, wrong


@pytest.mark.parametrize("part", ["gradebook", "autograded", "reports", "feedback"])
def test_local_and_distributed_grading_store_the_same(graded, part):
    local, distributed = graded["snapshots"]["jobs4"][part], graded["snapshots"]["dask"][part]
    assert distributed.keys() == local.keys()
    differ = [key for key in local if local[key] != distributed[key]]
    assert not differ, f"{part} differs for {differ[:5]}"


def test_the_gradebook_is_not_trivially_equal(graded):
    dump = graded["snapshots"]["dask"]["gradebook"]
    assert set(dump) == set(graded["table"])
    scores = {s: sum(g[0] or 0 for nb in d["notebooks"].values() for g in nb["grades"].values())
              for s, d in dump.items()}
    assert len(set(scores.values())) >= 3, scores  # full, partial and zero scores
    assert dump["on_time"]["timestamp"].startswith("2026-11-30T09:15")


def test_hidden_tests_never_reach_student_code(graded):
    for mode, course in graded["courses"].items():
        for path in (course / "autograded").rglob("*.ipynb"):
            # what student code printed (test cells may show a hidden test's own message)
            outputs = [o for c in C.read(path).cells if c.cell_type == "code"
                       and not c.metadata.get("nbgrader", {}).get("grade") for o in c.outputs]
            assert F.HIDDEN_MARKER not in json.dumps(outputs), (mode, path)
        peek = C.read(course / "autograded" / "peeks_at_source" / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb")
        printed = json.dumps([o for c in peek.cells if c.cell_type == "code" for o in c.outputs])
        assert "attack failed" in printed and "ATTACK-SUCCEEDED" not in printed, (mode, printed[:500])


def test_a_worker_without_a_sandbox_refuses_work(monkeypatch, tmp_path):
    """A worker machine whose sandbox does not work grades nobody (the job
    goes back for a retry, then is reported); it never falls back."""
    from lstm_grader import work

    monkeypatch.setattr(work, "_SANDBOX_PROBLEM", "bwrap: setting up uid map: Permission denied")
    bundle = work.Bundle(F.ASSIGNMENT, b"raise SystemExit('nbgrader must not run')\n", {}, b"")
    outcome = work.grade_job(bundle, work.Job("eve", {f"{F.NOTEBOOK}.ipynb": b"{}"}))
    assert outcome.retry and "refused" in outcome.error and "Permission denied" in outcome.error
    assert outcome.autograded == {} and outcome.rows is None
    assert outcome.report["events"][0]["kind"] == "grading-failed"


def test_a_killed_worker_loses_nothing(graded):
    assert graded["killed"], "the watcher never saw the victim's nbgrader process"
    course = graded["courses"]["jobs4"]
    events = json.loads((course / "reports" / F.ASSIGNMENT / f"{VICTIM}.json").read_text())["events"]
    assert any(e["kind"] == "retried" for e in events), events
    assert C.scores(course, F.ASSIGNMENT, VICTIM, F.NOTEBOOK) == FULL


def test_a_lost_dask_worker_loses_nothing(graded):
    """The Dask worker process grading the victim is killed: the cluster
    reschedules (or the coordinator retries) and the class comes out as in
    the local run (compared above)."""
    assert graded["lost_worker"], "the watcher never saw the victim on a Dask worker"
    assert C.scores(graded["courses"]["dask"], F.ASSIGNMENT, VICTIM, F.NOTEBOOK) == FULL


def test_regrading_replaces_the_old_result(graded):
    assert graded["again"].returncode == 0, graded["again"].stderr[-3000:]
    course = graded["courses"]["jobs4"]
    assert C.scores(course, F.ASSIGNMENT, "sol_1", F.NOTEBOOK) == ZERO
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        kept = gb.find_grade("test_mean", F.NOTEBOOK, F.ASSIGNMENT, "sol_3")
        assert (kept.auto_score, kept.manual_score, kept.needs_manual_grade) == (2.0, 1.5, True)
    rows = (course / "reports" / F.ASSIGNMENT / "summary.csv").read_text().splitlines()
    assert len(rows) == 1 + len(graded["table"])  # one row per student, sol_1's replaced
    assert any(r.startswith("sol_1,0,5") for r in rows), rows


def test_the_cluster_reports_where_each_submission_ran(graded):
    assert "Dask cluster" in graded["runs"]["dask"].stderr
