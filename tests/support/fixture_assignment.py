"""A tiny nbgrader assignment in plain Python (no TensorFlow): it exercises every
kind of nbgrader cell in a second or two, so the pipeline's edge cases
(tampering, broken files, deleted cells, feedback) can be tested quickly."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "fx_stats"
NOTEBOOK = "fx_stats"
HIDDEN_MARKER = "hidden-check-7f3a"  # text that only appears inside the hidden tests
MARK_SCHEME_MARKER = "marking-note-91c2"


def _meta(gid: str, *, grade=False, solution=False, locked=False, points=None, task=False) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": gid,
            "schema_version": 3, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _code(src: str, **kw) -> nbformat.NotebookNode:
    return new_code_cell(src, metadata=_meta(**kw))


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _code("import math", gid="setup", locked=True),
        _code(
            "def mean(xs):\n"
            "    ### BEGIN SOLUTION\n"
            "    return sum(xs) / len(xs)\n"
            "    ### END SOLUTION",
            gid="mean", solution=True,
        ),
        _code(
            "assert mean([1, 2, 3]) == 2, 'mean([1, 2, 3]) should be 2'\n"
            "### BEGIN HIDDEN TESTS\n"
            f"assert mean([-1.5, 1.5]) == 0, '{HIDDEN_MARKER}'\n"
            "### END HIDDEN TESTS",
            gid="test_mean", grade=True, locked=True, points=2,
        ),
        _code(
            "def std(xs):\n"
            "    ### BEGIN SOLUTION\n"
            "    m = mean(xs)\n"
            "    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))\n"
            "    ### END SOLUTION",
            gid="std", solution=True,
        ),
        _code(
            "assert std([2, 2]) == 0, 'a constant list has std 0'\n"
            "assert abs(std([0, 2]) - 1) < 1e-12, 'std([0, 2]) should be 1: divide by n, not n - 1'",
            gid="test_std", grade=True, locked=True, points=3,
        ),
        new_markdown_cell(
            "Explain in one sentence why the mean is sensitive to outliers.\n\n"
            "=== BEGIN MARK SCHEME ===\n"
            f"One extreme value moves the sum without bound ({MARK_SCHEME_MARKER}).\n"
            "=== END MARK SCHEME ===",
            metadata=_meta("written_task", grade=False, locked=True, points=1, task=True),
        ),
        new_markdown_cell("YOUR ANSWER HERE"),
    ]
    return nb


def write_source(root: Path) -> Path:
    """Write ``source/fx_stats/fx_stats.ipynb`` under ``root``; return its folder."""
    folder = root / "source" / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(build(), folder / f"{NOTEBOOK}.ipynb")
    return folder
