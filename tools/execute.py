"""Re-execute notebooks in place, each in a fresh kernel.

    python tools/execute.py chapters                 # every chapter
    python tools/execute.py chapters/01_sequence_problems.ipynb

This is the only way chapter outputs should be produced: nbval then checks
that a fresh run reproduces them. (solutions/ are executed by
`nbgrader generate_solution`, see `make assignments`.)
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbrun import notebooks, run_notebook


def main(args: list[str]) -> int:
    targets: list[Path] = []
    for arg in args or ["chapters"]:
        p = Path(arg)
        targets.extend(notebooks(p) if p.is_dir() else [p])
    for path in targets:
        seconds = run_notebook(path, write=True)
        print(f"{seconds:6.1f} s  {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
