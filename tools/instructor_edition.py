"""The instructor edition of the book: the public site plus the solutions and mark schemes.

    .venv/bin/python tools/instructor_edition.py [--out _build/instructor]   (what `make book-instructor` runs)
    .venv/bin/python tools/instructor_edition.py --solutions-only --out DIR  (the part the public site lacks)

The site lands in ``<out>/_build/html``. It is generated from the public
``_config.yml`` and ``_toc.yml`` (read here, never copied by hand), and differs
from the public site in four ways only: the title ends in "(instructor
edition)", a banner on every page says it must not reach students,
``solutions/**`` is no longer excluded, and a last part, "Solutions and mark
schemes", lists ``solutions/<a>/<a>`` for each assignment folder of ``source/``.

The solution notebooks (nbgrader's ``generate_solution``) hold no hidden test
but keep nbgrader's solution and mark-scheme delimiter lines, so the book is
built from a staging tree, ``<out>/src``: a symbolic link to each top-level entry
of the repository, except ``source/`` (hidden tests), ``solutions/``,
``_build/``, the one holding ``<out>`` and dot-entries (``.git``, ``.venv``…),
plus a copy of each solution notebook with those lines taken out (a mark scheme
becomes a "Mark scheme" admonition). Each copy is then checked: any delimiter
left, or any line of its source notebook's hidden tests, stops the tool before
the build (exit 1, naming the lines).

Paths in the config: Sphinx resolves ``bibtex_bibfiles``, ``logo``, ``favicon``,
``_static`` and ``html_extra_path`` against the source folder (jupyter-book runs
it with ``confdir = srcdir``), which mirrors the repository; jupyter-book
resolves ``local_extensions`` against the folder of the config file, so the
generated config gives them as absolute paths into the repository.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import yaml
from lstm_grader.leaks import MARKERS, find_leaks, secrets

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "_build" / "instructor"
CAPTION = "Solutions and mark schemes"
BANNER = ("Instructor edition: this site holds the solutions and mark schemes. "
          "Never publish it or share it with students.")
NOT_STAGED = {"source", "solutions", "_build"}  # dot-entries are left out too
MARK_SCHEME_OPEN, MARK_SCHEME_CLOSE = ":::{admonition} Mark scheme\n:class: tip", ":::"


class HiddenTestsError(RuntimeError):
    """A solution notebook would show a hidden test or an nbgrader delimiter."""


def assignment_ids(root: Path = ROOT) -> list[str]:
    """The assignments, in order: those of the student bundle (``tools/student_bundle.py``),
    which also checks that every ``source/`` assignment was released."""
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    from student_bundle import assignment_ids as released

    return released(root)


def instructor_config(config: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """The public config with the instructor edition's differences (a new dict)."""
    new = copy.deepcopy(config)
    new["title"] = f"{config['title']} (instructor edition)"
    new.setdefault("html", {})["announcement"] = BANNER
    new["exclude_patterns"] = [p for p in config.get("exclude_patterns", []) if p != "solutions/**"]
    local = new.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():  # resolved against the config file's folder
        local[name] = str((root / path).resolve())
    return new


def instructor_toc(toc: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """The public toc with a last part listing each assignment's solution notebook."""
    new = copy.deepcopy(toc)
    new.setdefault("parts", []).append(
        {"caption": CAPTION, "chapters": [{"file": f"solutions/{a}/{a}"} for a in assignments]})
    return new


def solutions_only_toc(assignments: list[str]) -> dict[str, Any]:
    """A toc of the solutions part alone: the pages the instructor edition adds to the
    public site, whose other pages the public build (also with -W) covers. The test
    suite builds this, not the whole edition again (about 10 s instead of 50)."""
    first, *rest = [f"solutions/{a}/{a}" for a in assignments]
    return {"format": "jb-book", "root": first,
            "parts": [{"caption": CAPTION, "chapters": [{"file": f} for f in rest]}]}


def strip_delimiters(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without nbgrader's solution delimiter lines; each mark scheme becomes an admonition."""
    nb = copy.deepcopy(notebook)
    begin, end = MARKERS["mark scheme"]
    for cell in nb.cells:
        lines = []
        for line in cell.source.splitlines():
            if any(marker in line for marker in MARKERS["solution"]):
                continue
            if cell.cell_type == "markdown" and begin in line:
                line = MARK_SCHEME_OPEN
            elif cell.cell_type == "markdown" and end in line:
                line = MARK_SCHEME_CLOSE
            lines.append(line)
        cell.source = "\n".join(lines)
    return nb


def hidden_material(text: str, source_notebook: Path) -> list[str]:
    """What ``text`` (a notebook file) shows of hidden tests: lines of the hidden-test
    regions of ``source_notebook``, and any nbgrader delimiter."""
    delimiters = [f"marker {m!r}" for kind in ("solution", "mark scheme") for m in MARKERS[kind] if m in text]
    return delimiters + find_leaks(text, secrets(source_notebook), kinds=("hidden",))


def stage(root: Path, src: Path, assignments: list[str]) -> None:
    """Fill ``src`` with links to the repository and checked copies of the solutions.

    Raises :class:`HiddenTestsError`, with ``src`` left as it was, when a copy
    would show hidden material.
    """
    copies: dict[Path, str] = {}
    problems: list[str] = []
    for a in assignments:
        solution = root / "solutions" / a / f"{a}.ipynb"
        if not solution.exists():
            raise HiddenTestsError(f"{solution} is missing: run `make assignments`")
        text = nbformat.writes(strip_delimiters(nbformat.read(solution, as_version=4))) + "\n"
        found = hidden_material(text, root / "source" / a / f"{a}.ipynb")
        problems += [f"solutions/{a}/{a}.ipynb: {p}" for p in found]
        copies[Path("solutions", a, solution.name)] = text
    if problems:
        raise HiddenTestsError("refusing to build: the instructor edition would show hidden tests or "
                               "nbgrader delimiters\n  " + "\n  ".join(problems))
    if src.is_symlink() or src.is_file():
        src.unlink()
    elif src.exists():
        shutil.rmtree(src)  # removes the links, never what they point to
    src.mkdir(parents=True)
    for entry in sorted(root.iterdir()):
        holds_src = src.resolve().is_relative_to(entry.resolve())  # a link to it would loop
        if entry.name.startswith(".") or entry.name in NOT_STAGED or holds_src:
            continue
        (src / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
    for path, text in copies.items():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(text)


def build(out: Path = DEFAULT_OUT, root: Path = ROOT, solutions_only: bool = False) -> int:
    """Stage, write the config and toc into ``out`` and build the site into ``out/_build/html``
    with warnings as errors; returns jupyter-book's exit code. ``solutions_only``
    builds the solutions part alone (:func:`solutions_only_toc`)."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    assignments = assignment_ids(root)
    stage(root, out / "src", assignments)
    config_path, toc_path = out / "_config_instructor.yml", out / "_toc_instructor.yml"
    config = yaml.safe_load((root / "_config.yml").read_text())
    config_path.write_text(yaml.safe_dump(instructor_config(config, root), sort_keys=False))
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    toc = solutions_only_toc(assignments) if solutions_only else instructor_toc(toc, assignments)
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False))
    return subprocess.run(command(out)).returncode


def command(out: Path) -> list[str]:
    """The jupyter-book build of the staged tree ``out/src`` with the generated config
    and toc, warnings as errors (``--keep-going``: every warning is reported)."""
    return [str(Path(sys.executable).parent / "jupyter-book"), "build",
            "--config", str(out / "_config_instructor.yml"), "--toc", str(out / "_toc_instructor.yml"),
            "--path-output", str(out), "--warningiserror", "--keep-going", str(out / "src")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="build folder; the site goes to OUT/_build/html (default: _build/instructor)")
    parser.add_argument("--solutions-only", action="store_true",
                        help="build only the solutions part (the pages the public site lacks)")
    args = parser.parse_args(argv)
    try:
        return build(args.out, solutions_only=args.solutions_only)
    except HiddenTestsError as error:
        print(f"instructor_edition: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
