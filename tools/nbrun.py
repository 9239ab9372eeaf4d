"""Run a notebook top to bottom in a fresh kernel (shared by execute.py and bench.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_course.env import quiet_tensorflow  # noqa: E402

quiet_tensorflow()


def run_notebook(path: Path, *, write: bool, timeout: int = 300) -> float:
    """Execute ``path`` in a new kernel started in its folder; return seconds.

    With ``write=True`` the executed notebook (outputs, execution counts
    1..n) replaces the file, which is how chapter outputs are committed.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    # The kernel's own stderr (TensorFlow's C++ start-up lines) stays off the
    # terminal; cell outputs are unaffected.
    client.execute(stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if write:
        nbformat.write(nb, path)
    return elapsed


def notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
