"""What must never reach students: solution code, hidden tests, mark schemes.

Detectors of secret lines, shared by the tests (``tests/unit/test_leaks.py``
checks ``assignments/`` and ``solutions/``) and by the feedback scan
(:mod:`lstm_grader.feedback`, which checks every feedback page before it is
released).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat

MARKERS = {
    "solution": ("BEGIN SOLUTION", "END SOLUTION"),
    "hidden": ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
    "mark scheme": ("BEGIN MARK SCHEME", "END MARK SCHEME"),
}
MIN_LEN = 18  # shorter lines ("return model") are too generic to prove a leak


def _regions(text: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    inside, outside, on = [], [], False
    for line in text.splitlines():
        if begin in line:
            on = True
        elif end in line:
            on = False
        else:
            (inside if on else outside).append(line.strip())
    return inside, outside


def secrets(source_notebook: Path) -> dict[str, set[str]]:
    """Distinctive lines of the solutions, hidden tests and mark schemes of a source notebook.

    Lines that also appear outside those regions (in visible code or text) are
    not secrets and are left out.
    """
    nb = nbformat.read(source_notebook, as_version=4)
    found: dict[str, set[str]] = {"solution": set(), "hidden": set(), "mark scheme": set()}
    public: set[str] = set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        text = cell.source
        if meta.get("solution") and cell.cell_type == "markdown":
            found["solution"].update(l.strip() for l in text.splitlines())
            continue
        for kind, (begin, end) in MARKERS.items():
            inside, outside = _regions(text, begin, end)
            found[kind].update(inside)
            text = "\n".join(outside)
        public.update(l.strip() for l in text.splitlines())
    # a hidden-test line that repeats a solution line is secret as solution code
    found["hidden"] -= found["solution"]
    return {k: {l for l in v if len(l) >= MIN_LEN and l not in public} for k, v in found.items()}


def visible_lines(text: str) -> list[str]:
    """The lines a reader sees: for a notebook file, its cells' sources and
    text outputs (not the JSON encoding); for anything else, the text."""
    try:
        nb = json.loads(text)
    except ValueError:
        return text.splitlines()
    if not isinstance(nb, dict) or "cells" not in nb:
        return text.splitlines()
    out: list[str] = []
    for cell in nb["cells"]:
        chunks = [cell.get("source", "")]
        for output in cell.get("outputs", []):
            chunks.append(output.get("text", ""))
            chunks.append(output.get("data", {}).get("text/plain", ""))
        for chunk in chunks:
            out.extend("".join(chunk).splitlines())
    return out


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def find_leaks(text: str, secret_lines: dict[str, set[str]], kinds=("solution", "hidden", "mark scheme")) -> list[str]:
    """Secret material in ``text`` (a notebook file, or the text of a web page).

    Code (solutions, hidden tests) leaks when one of its lines appears as a
    whole line; prose from a mark scheme, which a page may re-flow, when a
    sentence-sized piece of it appears anywhere. For an HTML page pass
    :func:`html_text` of it: highlighted code is split into many tags.
    """
    lines = {normalise(line) for line in visible_lines(text)}
    flat = normalise(text)
    leaks = [f"marker {m!r}" for kind in kinds for m in MARKERS[kind] if m in text]
    for kind in kinds:
        for line in sorted(secret_lines[kind]):
            key = normalise(line)
            found = (key in flat and len(key) >= 40) if kind == "mark scheme" else key in lines
            if found:
                leaks.append(f"{kind}: {line!r}")
    return leaks


# --------------------------------------------------------------------------
# web pages
# --------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt figcaption figure footer "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td "
    "tfoot th thead tr ul".split()
)


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The text a reader of an HTML page sees (entities decoded; scripts and
    styles left out; a line break at each block element). Highlighted code,
    which the page splits into one tag per token, comes back as its lines."""
    parser = _TextOf()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)
