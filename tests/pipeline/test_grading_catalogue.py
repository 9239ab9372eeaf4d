"""The grading catalogue: hostile and broken submissions, each with its outcome.

One class of the tiny pure-Python fixture assignment (tests/fixture_assignment.py)
is graded with stock ``nbgrader autograde`` and the course's config, which
runs every kernel in the sandbox. Every case states what must happen:

* the batch finishes (nbgrader exits 0: no student fails the run);
* the other students' scores and files, and the course's files, are unchanged;
* the case gets its stated score, and its report states the reason.

The fixture's cells: ``mean`` (solution), ``test_mean`` (2 points), ``std``
(solution), ``test_std`` (3 points). Attacks go into the student cells, next
to a correct solution, so that "full marks" means the attack changed nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from lstm_grader.leaks import html_text

import course as C
import fixture_assignment as F

pytestmark = pytest.mark.pipeline

MEAN = "def mean(xs):\n    return sum(xs) / len(xs)\n"
STD = ("def std(xs):\n    m = mean(xs)\n"
       "    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))\n")
FULL = {"test_mean": (2.0, 2.0), "test_std": (3.0, 3.0)}
ZERO = {"test_mean": (0.0, 2.0), "test_std": (0.0, 3.0)}
MEAN_ONLY = {"test_mean": (2.0, 2.0), "test_std": (0.0, 3.0)}


def attempt(code: str) -> str:
    """Run ``code`` and print what happened, never raising (a hostile student
    keeps the rest of the notebook working)."""
    body = "\n".join("    " + line for line in code.strip().splitlines())
    return f"try:\n{body}\n    print('ATTACK-SUCCEEDED')\nexcept BaseException as exc:\n    print('attack failed:', type(exc).__name__)\n"


def cases(course: Path) -> dict[str, dict]:
    """student id -> {"mean"/"std": cell source, "files": {...}, "name": ..., "expect": scores,
    "events": kinds expected in the report}."""
    root = course.resolve()
    kernel_config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    checks = C.ROOT / "lstm_course" / "checks" / "structure.py"
    return {
        # --- the grader's rights must not leak (issue cases 1-8) -------------
        "c1_writes_course_code": dict(mean=MEAN + attempt(
            f"open({str(checks)!r}, 'a').write('\\nassert_close = lambda *a, **k: None\\n')"),
            expect=FULL),
        "c2_gradebook": dict(mean=MEAN + attempt(
            f"import sqlite3\ndb = sqlite3.connect('file:{root}/gradebook.db?mode=rw', uri=True)\n"
            "db.execute('update grade set auto_score = 0'); db.commit()"), expect=FULL),
        "c3_neighbour": dict(mean=MEAN + attempt(
            f"open({str(root / 'submitted/c0_solution/fx_stats/fx_stats.ipynb')!r}, 'w').write('{{}}')"),
            expect=FULL),
        "c4_kernel_config": dict(mean=MEAN + attempt(
            f"open({str(kernel_config)!r}, 'a').write('\\nc.InteractiveShellApp.exec_lines = [\"def std(x): return 0\"]\\n')"),
            expect=FULL),
        "c5_nbgrader_config": dict(mean=MEAN + attempt(
            f"open({str(root / 'nbgrader_config.py')!r}, 'a').write('\\nc.GenerateFeedback.preprocessors = []\\n')"),
            expect=FULL),
        # the kernel's parent is the sandbox's init (root: not allowed); kill(-1)
        # reaches only the sandbox's own processes, never nbgrader
        "c6_kills_parent": dict(mean=MEAN, std=STD + attempt(
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)") + attempt(
            "import os, signal\nos.kill(-1, signal.SIGKILL)").replace("print('ATTACK-SUCCEEDED')", "pass"),
            expect=FULL),
        "c7_daemon": dict(mean=MEAN + attempt(
            "import subprocess\nsubprocess.Popen(['sh', '-c', 'sleep 20; echo late > /tmp/x'], "
            "start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL)").replace("print('ATTACK-SUCCEEDED')", "pass"), expect=FULL),
        "c8_reads_secrets": dict(mean=MEAN + attempt(
            f"print(open({str(root / 'source/fx_stats/fx_stats.ipynb')!r}).read())"), expect=FULL),
        # --- the batch must always finish (cases 9-11) ------------------------
        "c9_duplicate_test_cell": dict(mean=MEAN, std=STD, duplicate="test_mean", expect=FULL, events={"duplicate-cells"}),
        # exit() only asks the front end to stop the kernel, and sys.exit()
        # raises SystemExit, which IPython catches: both harmless here
        "c10_exit": dict(mean=MEAN, std=STD + "exit()\n", expect=FULL),
        "c10_sys_exit": dict(mean=MEAN, std="import sys\nsys.exit(1)\n" + STD, expect=MEAN_ONLY),
        "c10_os_exit": dict(mean=MEAN, std=STD + "import os\nos._exit(3)\n", expect=MEAN_ONLY,
                            events={"kernel-died"}),
        "c10_timeout": dict(mean=MEAN, std="while True:\n    pass\n", expect=MEAN_ONLY, events={"timeout"}),
        # a cell that cannot be interrupted or terminated: the grader never
        # interrupts, and kills what does not stop after the timeout
        "c10_uninterruptible": dict(mean=MEAN, std=(
            "import signal, time\n"
            "for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
            "    signal.signal(sig, signal.SIG_IGN)\n"
            "while True:\n    try:\n        time.sleep(0.05)\n    except BaseException:\n        pass\n"),
            expect=MEAN_ONLY, events={"timeout"}, flagged=True),
        "c10_renamed": dict(mean=MEAN, std=STD, name="my_stats.ipynb", expect=FULL,
                            events={"renamed-notebook"}),
        "c11_memory": dict(mean=MEAN, std=STD + attempt("hog = bytearray(3 * 1024 ** 3)"), expect=FULL),
        "c11_processes": dict(mean=MEAN, std=STD + attempt(
            "import subprocess\nps = [subprocess.Popen(['sleep', '30']) for _ in range(400)]"),
            expect=FULL),
        "c11_flood": dict(mean=MEAN + "print('x' * 30_000_000)\n", std=STD, expect=FULL,
                          events={"output-capped"}),
        "c11_active_html": dict(mean=MEAN + "from IPython.display import HTML, Javascript, display\n"
                                "print('<script>alert(\"pwned-1234\")</script>')\n"
                                "display(HTML('<img src=x onerror=\"alert(1)\"><script>alert(2)</script>'))\n"
                                "display(Javascript('alert(3)'))\n", std=STD, expect=FULL),
        "c11_bad_timestamp": dict(mean=MEAN, std=STD, files={"timestamp.txt": "yesterday-ish"},
                                  expect=FULL, events={"bad-timestamp"}),
        "c11_not_a_notebook": dict(raw='{"cells": [', expect=ZERO, events={"not-a-notebook"}),
        # squatted socket names in the shared ipc folder: ZeroMQ replaces a stale
        # path when it binds, and the launcher clears the folder before each kernel
        "c12_squats_kernel_sockets": dict(mean=MEAN + attempt(
            "import json, os\nip = json.load(open('/run/kernel/connection.json'))['ip']\n"
            "for n in range(1, 200):\n    if not os.path.lexists(f'{ip}-{n}'):\n"
            "        os.symlink('/nonexistent', f'{ip}-{n}')\n").replace(
            "print('ATTACK-SUCCEEDED')", "print('squatted')"), expect=FULL),
        # --- tampering inside the student's own kernel: kept score, flagged --
        "k1_input_transformer": dict(mean="get_ipython().input_transformers_post.append(\n"
                                     "    lambda lines: ['pass\\n' if 'assert' in l else l for l in lines])\n"
                                     "def mean(xs):\n    return 0\n", std="def std(xs):\n    return 0\n",
                                     expect=FULL, flagged=True),
        "k2_shadows_a_test_name": dict(mean=MEAN, std="def std(xs):\n    return 0\n\ndef abs(x):\n    return 0\n",
                                       expect=FULL, flagged=True),
        "k3_patches_builtins": dict(mean=MEAN, std="import builtins\nbuiltins.abs = lambda x: 0\n"
                                    "def std(xs):\n    return 0\n", expect=FULL, flagged=True),
        "k4_ships_numpy": dict(mean=MEAN, std=STD, files={"numpy/__init__.py": "allclose = lambda *a, **k: True\n"},
                               expect=FULL, flagged=True),
        # --- references, graded before (c0) and after (z) every attack ------
        "c0_solution": dict(mean=MEAN, std=STD, expect=FULL),
        "c0_untouched": dict(expect=ZERO),
        "z_solution": dict(mean=MEAN, std=STD, expect=FULL),
        "z_untouched": dict(expect=ZERO),
    }


def file_hashes(paths: list[Path]) -> dict[str, str]:
    out = {}
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for p in files:
            if "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def sandbox_processes(course: Path) -> list[str]:
    """Processes still running as a sandbox user (uid >= 100000) in a working
    copy of this course (other tests may be grading at the same time)."""
    from lstm_grader.sandbox import SANDBOX_UID_BASE

    alive = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            text = (proc / "status").read_text()
            uid = int(text.split("Uid:")[1].split()[0])
            cwd = os.readlink(proc / "cwd") if uid >= SANDBOX_UID_BASE else ""
        except (OSError, IndexError, ValueError):
            continue
        if uid >= SANDBOX_UID_BASE and cwd.startswith(str(course)):
            alive.append(f"{text.splitlines()[0]} in {cwd}")
    return alive


def submit_cases(course: Path, table: dict[str, dict]) -> None:
    """Hand in each case of ``table``: cells ``mean``/``std`` put into the
    release (``std`` defaults to the correct one), or ``raw`` text, or
    nothing at all (``none``); ``duplicate`` copies a test cell to the top,
    ``name`` renames the notebook, ``files`` ships extra files."""
    release = C.read(C.release(course, F.ASSIGNMENT))
    name = f"{F.NOTEBOOK}.ipynb"
    for student, case in table.items():
        folder = course / "submitted" / student / F.ASSIGNMENT
        if case.get("none"):
            folder.mkdir(parents=True)
            continue
        if "raw" in case:
            C.submit(course, F.ASSIGNMENT, student, case["raw"], name)
            continue
        cells = {k: case[k] for k in ("mean", "std") if k in case}
        if "mean" in cells:
            cells.setdefault("std", STD)
        nb = C.with_cells(release, cells)
        if "duplicate" in case:
            dup = next(c for c in nb.cells if C.grade_id(c) == case["duplicate"])
            nb.cells.insert(0, json.loads(json.dumps(dup)))
            nb = C.read_str(json.dumps(nb))
        C.submit(course, F.ASSIGNMENT, student, nb, case.get("name", name))
        for fname, text in case.get("files", {}).items():
            target = folder / fname
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("catalogue")
    src = F.write_source(tmp / "src")
    course = C.new_course(tmp, [src], config_extra="c.Execute.timeout = 8\n")
    table = cases(course)
    submit_cases(course, table)
    guarded = [C.ROOT / "lstm_course", Path(sys.prefix) / "etc", course / "nbgrader_config.py",
               course / "source", course / "submitted" / "c0_solution"]
    before = file_hashes(guarded)
    env = {"LSTM_SANDBOX_MEMORY_BYTES": str(2 * 1024 ** 3), "LSTM_SANDBOX_PROCESSES": "128",
           "LSTM_SANDBOX_WALL_SECONDS": "120"}
    result = C.run_nbgrader(course, "autograde", F.ASSIGNMENT, "--force", env=env)
    feedback = C.run_nbgrader(course, "generate_feedback", F.ASSIGNMENT, "--force")
    return dict(course=course, table=table, result=result, feedback=feedback,
                before=before, after=file_hashes(guarded), alive=sandbox_processes(course))


def report_kinds(course: Path, student: str) -> set[str]:
    path = course / "reports" / F.ASSIGNMENT / f"{student}.json"
    return {e["kind"] for e in json.loads(path.read_text())["events"]} if path.exists() else set()


def test_the_batch_finishes(graded):
    assert graded["result"].returncode == 0, graded["result"].stderr[-6000:]


def test_course_files_are_unchanged(graded):
    changed = {p for p in graded["before"] if graded["before"][p] != graded["after"].get(p)}
    assert not changed, f"a submission changed course files: {sorted(changed)}"


def test_no_sandbox_process_outlives_its_kernel(graded):
    assert not graded["alive"], f"processes left behind: {graded['alive']}"


def test_every_case_gets_its_stated_score(graded):
    wrong = {}
    for student, case in graded["table"].items():
        got = C.scores(graded["course"], F.ASSIGNMENT, student, F.NOTEBOOK)
        if got != case["expect"]:
            wrong[student] = (got, case["expect"])
    assert not wrong, f"(got, expected): {wrong}\n{graded['result'].stderr[-3000:]}"


def test_every_case_states_its_reason(graded):
    missing = {}
    for student, case in graded["table"].items():
        kinds = report_kinds(graded["course"], student)
        if not case.get("events", set()) <= kinds:
            missing[student] = (case["events"], kinds)
    assert not missing, f"(expected, reported): {missing}"


def flagged(course: Path, student: str) -> bool:
    path = course / "reports" / F.ASSIGNMENT / f"{student}.json"
    return any(e["flag"] for e in json.loads(path.read_text())["events"])


def test_tampering_in_the_kernel_is_flagged_for_review(graded):
    from nbgrader.api import Gradebook

    course = graded["course"]
    tampered = [s for s, case in graded["table"].items() if case.get("flagged")]
    assert len(tampered) >= 4
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in tampered:
            assert flagged(course, student), f"{student} was not flagged"
            nb = gb.find_submission_notebook(F.NOTEBOOK, F.ASSIGNMENT, student)
            assert nb.needs_manual_grade, f"{student} is not in the manual-grading queue"
        for student in ("c0_solution", "z_solution", "c0_untouched", "c10_renamed", "c11_bad_timestamp"):
            assert not flagged(course, student), f"honest {student} was flagged: " + (
                course / "reports" / F.ASSIGNMENT / f"{student}.json").read_text()


def test_no_attack_reports_success(graded):
    for student in graded["table"]:
        path = graded["course"] / "autograded" / student / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb"
        if path.exists():
            outputs = [o for c in C.read(path).cells if c.cell_type == "code" for o in c.outputs]
            assert "ATTACK-SUCCEEDED" not in json.dumps(outputs), student


def test_cells_not_run_say_why(graded):
    nb = C.read(graded["course"] / "autograded" / "c10_os_exit" / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb")
    test_std = next(c for c in nb.cells if C.grade_id(c) == "test_std")
    text = json.dumps(test_std.outputs)
    assert "not run" in text and "kernel died" in text, text


def test_flooded_output_is_capped(graded):
    path = graded["course"] / "autograded" / "c11_flood" / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb"
    assert path.stat().st_size < 200_000


def test_untouched_submission_logs_no_checksum_warning(graded):
    log = graded["result"].stderr
    for line in log.splitlines():
        if "checksum" in line and "has changed" in line:
            # only a real edit of a read-only cell may warn, and none of these cases edits one
            pytest.fail(f"spurious warning: {line}")


def test_nothing_a_submission_displays_can_run_in_formgrader(graded):
    from lstm_grader.feedback import active_content

    nb_path = graded["course"] / "autograded" / "c11_active_html" / F.ASSIGNMENT / f"{F.NOTEBOOK}.ipynb"
    outputs = [o for c in C.read(nb_path).cells if c.cell_type == "code" for o in c.outputs]
    assert outputs, "the submission displayed nothing"
    for output in outputs:
        assert "application/javascript" not in output.get("data", {})
        html = output.get("data", {}).get("text/html", "")
        assert not active_content("".join(html)), html


def test_feedback_passes_the_leak_scan(graded):
    from lstm_grader.feedback import scan_feedback

    C.check(graded["feedback"])
    leaks = scan_feedback(graded["course"] / "feedback", graded["course"] / "source", F.ASSIGNMENT)
    assert not leaks, leaks[:5]


def test_feedback_holds_no_hidden_test(graded):
    C.check(graded["feedback"])
    pages = list((graded["course"] / "feedback").rglob("*.html"))
    assert len(pages) >= len(graded["table"]) - 1
    for page in pages:
        text = html_text(page.read_text())
        assert F.HIDDEN_MARKER not in text and "mean([-1.5, 1.5])" not in text, page


@pytest.mark.parametrize("student", sorted(cases(Path("/course"))))
def test_the_guide_lists_every_case(student):
    """The instructor guide's catalogue page is a table of these cases."""
    page = (C.ROOT / "instructors" / "catalogue.md").read_text()
    assert f"`{student}`" in page, f"instructors/catalogue.md has no row for {student}"
