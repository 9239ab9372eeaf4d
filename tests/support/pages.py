"""Reading the book's source text: headings and display equations, outside code fences."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
DISPLAY_MATH = re.compile(r"(?m)^[ \t]*\$\$(.+?)\$\$[ \t]*(?:\(([^)\n]*)\))?", re.S)


def toc_files(toc: dict[str, Any] | None = None) -> list[str]:
    """Every file of a jupyter-book toc (default: the repository's _toc.yml), root first,
    in reading order: the book's own walker (``_ext/course_map.py``), which the build uses."""
    if toc is None:
        toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return _course_map().toc_entries(toc)


def _course_map() -> Any:
    """``_ext/course_map.py``, the local Sphinx extension, as a module."""
    if str(ROOT / "_ext") not in sys.path:
        sys.path.insert(0, str(ROOT / "_ext"))
    import course_map

    return course_map


def page_text(path: Path) -> str:
    """A page's markdown: an .md file, or the markdown cells of a notebook."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def outside_code(text: str) -> str:
    """``text`` with fenced code blocks (``` and ~~~) blanked out; MyST directives stay."""
    kept, fence = [], None
    for line in text.splitlines():
        match = FENCE.match(line)
        if fence is None and match and not re.match(r"^\s*`{3,}\{", line):
            fence = match.group(1)
            continue
        if fence is not None:
            if line.strip() == fence:
                fence = None
            continue
        kept.append(line)
    return "\n".join(kept)


def heading_levels(text: str) -> list[tuple[int, str]]:
    """(level, heading) of every markdown heading outside code fences, in order."""
    found = []
    for line in outside_code(text).splitlines():
        match = re.match(r"^(#{1,6})\s+(.*)", line)
        if match:
            found.append((len(match.group(1)), match.group(2).strip()))
    return found


def heading_problems(text: str) -> list[str]:
    """Why the headings do not descend in order: one title first, then no skipped level."""
    levels = heading_levels(text)
    if not levels:
        return ["no heading"]
    problems = []
    if levels[0][0] != 1:
        problems.append(f"the first heading is not a title (#): {levels[0][1]!r}")
    titles = [h for level, h in levels if level == 1]
    if len(titles) > 1:
        problems.append(f"more than one title: {titles}")
    for (above, _), (level, heading) in zip(levels, levels[1:]):
        if level > above + 1:
            problems.append(f"{'#' * level} {heading!r} follows a level-{above} heading")
    return problems


def display_maths(text: str) -> list[tuple[str, str | None]]:
    """(TeX, label or None) of every $$ display equation outside code fences."""
    return [(m.group(1).strip(), m.group(2)) for m in DISPLAY_MATH.finditer(outside_code(text))]
