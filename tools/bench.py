"""Benchmarks (reported, never asserted): run with `make bench`.

* each chapter and solution notebook, run top to bottom in a fresh kernel;
* `nbgrader autograde` of one submission (the solution) per assignment;
* `lstm-course grade` of one a1 submission with and without the sandbox;
* a clean `jupyter-book build` of the site.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbrun import notebooks, run_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import course as C  # noqa: E402


def bench_notebooks() -> None:
    print("## notebooks (fresh kernel, seconds)")
    times = []
    for path in notebooks(ROOT / "chapters") + notebooks(ROOT / "solutions"):
        seconds = run_notebook(path, write=False)
        times.append(seconds)
        print(f"{seconds:7.1f}  {path.relative_to(ROOT)}", flush=True)
    if times:
        print(f"median {statistics.median(times):.1f} s, max {max(times):.1f} s, total {sum(times):.1f} s")


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
                        ("sandbox", bench_sandbox), ("book", bench_book)):
        if not only or name in only:
            bench()
