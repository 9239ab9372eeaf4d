"""Benchmarks (reported, never asserted): run with `make bench`.

* each chapter and solution notebook, run top to bottom in a fresh kernel;
* `nbgrader autograde` of one submission (the solution) per assignment;
* `lstm-course grade` of one a1 submission with and without the sandbox;
* the throughput of parallel grading with 1, 2 and 4 workers, and projections;
* the integrity screen of each solution (static and runtime probes, no kernel);
* a clean `jupyter-book build` of the site.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbrun import notebooks, run_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
import course as C  # noqa: E402


RUN_TIMES = ROOT / "reference" / "run_times.json"
RUN_TIMES_PAGE = ROOT / "reference" / "run_times.md"


def title_of(path: Path) -> str:
    """The notebook's first Markdown heading (its title in the book)."""
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def run_times_page(report: dict) -> str:
    """The book page of the run times (reference/run_times.md) from ``report``."""
    def row(nb: str, seconds: float) -> str:
        page = nb.removesuffix(".ipynb").replace("solutions/", "assignments/", 1)
        label = title_of(ROOT / nb) + ("" if nb.startswith("chapters/") else ", the solution")
        return f"| {{doc}}`{label} <../{page}>` | {seconds:.0f} |"

    rows = [row(nb, seconds) for nb, seconds in report["seconds"].items()]
    chapters = [s for nb, s in report["seconds"].items() if nb.startswith("chapters/")]
    return "\n".join([
        "# Run times",
        "",
        "How long each notebook takes to run top to bottom in a fresh kernel, as",
        f"measured by `make bench BENCH=notebooks` on {report['machine']} ({report['generated']}).",
        "Training dominates; a laptop of similar speed needs about as long, and the",
        "numbers move by a few seconds from run to run. The assignment rows time the",
        "instructor's solution, which is about what a finished student notebook takes.",
        "",
        f"The chapters take {sum(chapters) / 60:.0f} minutes in all; the longest takes",
        f"{max(chapters):.0f} s.",
        "",
        "| notebook | seconds |",
        "|---|---:|",
        *rows,
        "",
    ])


def write_run_times(seconds: dict[str, float]) -> None:
    report = {"generated": time.strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} CPU cores",
              "seconds": {nb: round(s, 1) for nb, s in seconds.items()}}
    RUN_TIMES.write_text(json.dumps(report, indent=1) + "\n")
    RUN_TIMES_PAGE.write_text(run_times_page(report))


def bench_notebooks() -> None:
    print("## notebooks (fresh kernel, seconds)")
    times: dict[str, float] = {}
    for path in notebooks(ROOT / "chapters") + notebooks(ROOT / "solutions"):
        seconds = run_notebook(path, write=False)
        times[str(path.relative_to(ROOT))] = seconds
        print(f"{seconds:7.1f}  {path.relative_to(ROOT)}", flush=True)
    if times:
        values = list(times.values())
        print(f"median {statistics.median(values):.1f} s, max {max(values):.1f} s, total {sum(values):.1f} s")
        write_run_times(times)
        print(f"written: {RUN_TIMES.relative_to(ROOT)} and {RUN_TIMES_PAGE.relative_to(ROOT)}")


def bench_autograde() -> None:
    print("\n## nbgrader autograde, one submission (the solution), seconds")
    for assignment in C.ASSIGNMENTS:
        with tempfile.TemporaryDirectory() as tmp:
            course, student_path = C.course_with_solution(Path(tmp), assignment, "bench")
            start = time.perf_counter()
            C.check(C.autograde(course, assignment))
            seconds = time.perf_counter() - start
            scores = C.scores(course, assignment, "bench", student_path.stem)
            got = sum(v[0] for v in scores.values())
            top = sum(v[1] for v in scores.values())
            print(f"{seconds:7.1f}  {assignment}  (auto-graded score {got:g}/{top:g})", flush=True)


def bench_sandbox(assignment: str = "a1_rnn_vs_lstm", repeats: int = 3) -> None:
    """Time per submission with the sandbox, and its overhead against none.

    Each run grades one solution submission with ``lstm-course grade`` (its
    own nbgrader process, as in a real batch); runs alternate between
    sandboxed and unsandboxed so that machine load affects both alike.
    """
    print(f"\n## sandbox overhead, {assignment}: lstm-course grade of one solution, seconds")
    timings: dict[str, list[float]] = {"sandbox": [], "no sandbox": []}
    lstm_course = str(Path(sys.executable).parent / "lstm-course")
    for _ in range(repeats):
        for mode in timings:
            with tempfile.TemporaryDirectory() as tmp:
                course, student_path = C.course_with_solution(Path(tmp), assignment, "bench")
                args = [lstm_course, "grade", assignment] + (["--no-sandbox"] if mode == "no sandbox" else [])
                start = time.perf_counter()
                subprocess.run(args, cwd=course, check=True, capture_output=True)
                timings[mode].append(time.perf_counter() - start)
                scores = C.scores(course, assignment, "bench", student_path.stem)
                got = sum(v[0] for v in scores.values())
                top = sum(v[1] for v in scores.values())
                print(f"{timings[mode][-1]:7.1f}  {mode:<10}  (score {got:g}/{top:g})", flush=True)
    with_box = statistics.median(timings["sandbox"])
    without = statistics.median(timings["no sandbox"])
    print(f"median {with_box:.1f} s per submission with the sandbox, {without:.1f} s without: "
          f"overhead {100 * (with_box - without) / without:+.1f} % (target: under 10 %, and under 30 s)")


def bench_parallel(assignment: str = "a1_rnn_vs_lstm", submissions: int = 8) -> None:
    """Throughput of ``lstm-course grade`` with 1, 2 and 4 local workers.

    Each setting grades the same class (``submissions`` copies of the
    solution) in a fresh course through the pool API, as the command does;
    "threads" pins each kernel's TensorFlow and OpenMP threads to
    cores / workers. The projections divide a class by the measured rate.
    """
    import os

    from lstm_grader.pool import LocalWorkers, grade

    cores = os.cpu_count() or 1
    print(f"\n## parallel grading, {assignment}: {submissions} submissions (the solution) on {cores} cores")
    print(f"{'workers':>7} {'threads':>7} {'wall s':>7} {'per min':>8} {'speed-up':>8} {'store s':>8}")
    serial_rate = None
    best = (0.0, 1)
    for n, threads in ((1, None), (2, None), (2, max(1, cores // 2)), (4, max(1, cores // 4))):
        with tempfile.TemporaryDirectory() as tmp:
            course, student_path = C.course_with_solution(Path(tmp), assignment, "s00")
            folder = course / "submitted" / "s00"
            for i in range(1, submissions):
                shutil.copytree(folder, course / "submitted" / f"s{i:02d}")
            start = time.perf_counter()
            results = grade(course, assignment, workers=LocalWorkers(n), quiet=True, threads=threads)
            wall = time.perf_counter() - start
        rate = len(results) / wall * 60
        serial_rate = serial_rate or rate
        if rate > best[0]:
            best = (rate, n)
        assert all(r.score == r.max_score for r in results), [(r.student, r.score) for r in results]
        store = statistics.mean(r.stored_seconds for r in results)
        print(f"{n:>7} {threads or 'all':>7} {wall:7.1f} {rate:8.2f} {rate / serial_rate:7.2f}x {store:8.2f}",
              flush=True)
    rate = best[0]
    per_core = rate / cores
    print(f"projected with the best setting ({best[1]} workers, {rate:.1f}/min): "
          f"300 students {300 / rate:.0f} min, 3,000 students {3000 / rate / 60:.1f} h on this machine; "
          f"each added 8-core worker adds about {8 * per_core:.1f}/min "
          f"(300 students on one: {300 / (8 * per_core):.0f} min), assuming the per-core rate measured here")


def bench_screen(repeats: int = 5) -> None:
    """The integrity screen of every assignment's solution against its release (best of ``repeats``)."""
    from lstm_grader.screen import screen_notebook

    print("\n## integrity screen of each solution, milliseconds (best of 5)")
    for assignment in C.ASSIGNMENTS:
        release = C.read(ROOT / "assignments" / assignment / f"{assignment}.ipynb")
        source = C.read(ROOT / "source" / assignment / f"{assignment}.ipynb")
        solved = C.with_cells(release, C.solution_cells(source))
        best = min(_timed(lambda: screen_notebook(solved, release)) for _ in range(repeats))
        print(f"{1000 * best:7.1f}  {assignment}", flush=True)


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def bench_book() -> None:
    print("\n## jupyter-book build from clean, seconds")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "jupyter-book"), "build", "--path-output", tmp,
             "--warningiserror", str(ROOT)],
            check=True, capture_output=True,
        )
        print(f"{time.perf_counter() - start:7.1f}  jupyter-book build")


if __name__ == "__main__":
    only = sys.argv[1:]
    for name, bench in (("notebooks", bench_notebooks), ("autograde", bench_autograde),
                        ("sandbox", bench_sandbox), ("parallel", bench_parallel), ("screen", bench_screen), ("book", bench_book)):
        if not only or name in only:
            bench()
