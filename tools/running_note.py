"""The "Running this notebook" note that every chapter carries, written by a tool.

    python tools/running_note.py            # insert or update the note in every chapter
    python tools/running_note.py --check    # exit 1 if a chapter's note is missing or stale

The note is a collapsed admonition in a markdown cell of its own (cell id
``running-this-notebook``), right after the chapter's opening cell. It says how
to run the notebook outside the site: the pinned environment and the course
wheel offered on ``reference/running`` (whose name carries the version), or
``make install`` in a clone. A markdown cell does not change the code that the
seed sweep hashes, and nbval does not compare it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_bundle as sb  # noqa: E402

CELL_ID = "running-this-notebook"


def note_text(root: Path = ROOT) -> str:
    """The note's markdown, for a notebook in ``chapters/``."""
    commands = "\n".join(sb.install_commands(root))
    return f"""::::{{admonition}} Running this notebook
:class: dropdown note
This page is a Jupyter notebook, and the outputs shown are the ones it produces
when it runs, offline, on a laptop CPU. To run it yourself, download it with the
download button at the top of the page (`.ipynb`), and set up the course's
environment once, with Python 3.11 and the three files offered on
{{doc}}`../reference/running`:

```bash
{commands}
```

In a clone of the course's repository, `make install` sets up the same
environment in `.venv`.
::::"""


def chapters(root: Path = ROOT) -> list[Path]:
    return sorted((root / "chapters").glob("*.ipynb"))


def note_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    return next((c for c in nb.cells if c.get("id") == CELL_ID), None)


def current(nb: nbformat.NotebookNode, text: str) -> bool:
    """The notebook's note reads ``text`` and sits right after the opening cell."""
    cell = note_cell(nb)
    return cell is not None and cell.source == text and nb.cells.index(cell) == 1


def apply(path: Path, text: str) -> bool:
    """Insert or update the note of ``path`` (after its first cell); True if the file changed."""
    nb = nbformat.read(path, as_version=4)
    if current(nb, text):
        return False
    cell = note_cell(nb)
    if cell is not None:
        nb.cells.remove(cell)
    new = nbformat.v4.new_markdown_cell(text)
    new["id"] = CELL_ID
    nb.cells.insert(1, new)
    nbformat.write(nb, path)
    return True


def stale(root: Path = ROOT) -> list[str]:
    """Chapters whose note is missing, out of place or out of date."""
    text = note_text(root)
    return [path.relative_to(root).as_posix() for path in chapters(root)
            if not current(nbformat.read(path, as_version=4), text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale notes; change nothing")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for rel in found:
            print(f"{rel}: the note is missing or stale (run tools/running_note.py)")
        return 1 if found else 0
    text = note_text()
    changed = [p.name for p in chapters() if apply(p, text)]
    print(f"updated {len(changed)} chapter(s): {', '.join(changed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
