"""The course map on the landing page: the directive ``course-map``.

``reference/course_map.yml`` groups the chapters, case studies and assignments
into parts, with what each page builds on (``requires``) and what a reader can
do afterwards (``learn``). The directive renders a table per part: number,
linked title, ``learn``, prerequisites linked by number, and run time with the
part's total. Titles are the notebooks' first ``# `` heading; run times come from
``reference/run_times.json`` (``make bench BENCH=notebooks``); an assignment is
timed by its instructor solution.

It warns (so the ``-W`` build fails) when a chapter or assignment of ``_toc.yml``
is missing from the map or listed twice, a page of the map is not in ``_toc.yml``
or out of its order, a prerequisite does not come earlier, or a title or run
time is missing. The helpers need no Sphinx (tests/book/test_course_map.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

MAP = "reference/course_map.yml"
RUN_TIMES = "reference/run_times.json"
RUN_TIMES_DOC = "reference/run_times"
TOC = "_toc.yml"
MAPPED = ("chapters/", "assignments/")  # the toc pages the map must cover, each once

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One page of the map: its docname, the earlier pages it builds on, what it teaches."""
    doc: str
    requires: tuple[str, ...]
    learn: str


@dataclass(frozen=True)
class Part:
    """A group of pages under one title."""
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Row:
    """A table row as shown: ``requires`` holds (label, docname) pairs; ``seconds`` is None if unmeasured."""
    number: str
    doc: str
    title: str
    learn: str
    requires: tuple[tuple[str, str], ...]
    seconds: int | None


def load_map(root: Path) -> list[Part]:
    """The parts of ``reference/course_map.yml`` under ``root``."""
    data = yaml.safe_load((root / MAP).read_text())
    return [Part(str(part["title"]), tuple(
        Entry(str(e["doc"]), tuple(str(r) for r in e.get("requires") or ()), str(e.get("learn") or "").strip())
        for e in part["entries"])) for part in data["parts"]]


def toc_entries(toc: dict[str, Any]) -> list[str]:
    """Every file of a parsed jupyter-book toc, in reading order (the root first)."""
    found = [str(toc["root"])]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            found.extend([str(entry["file"])] if "file" in entry else [])
            walk(entry.get("sections", []) + entry.get("chapters", []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return found


def toc_docs(root: Path) -> list[str]:
    """Every docname of ``root``'s ``_toc.yml``, in reading order (the root first)."""
    return toc_entries(yaml.safe_load((root / TOC).read_text()))


def title_of(root: Path, doc: str) -> str | None:
    """The notebook's first Markdown ``# `` heading, or None (no notebook, no heading)."""
    path = root / f"{doc}.ipynb"
    if not path.exists():
        return None
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def run_time_key(doc: str) -> str:
    """The key of ``doc`` in run_times.json: an assignment is timed by its instructor solution."""
    return ("solutions/" + doc.removeprefix("assignments/") if doc.startswith("assignments/") else doc) + ".ipynb"


def label(doc: str) -> str:
    """A page's short name: ``chapters/06_lstm_cell`` -> ``6``, ``assignments/a1_x/a1_x`` -> ``A1``."""
    match = re.match(r"(a?)0*(\d+)_", doc.rsplit("/", 1)[-1])
    return (match.group(1).upper() + match.group(2)) if match else doc


def problems(parts: list[Part], toc: list[str], seconds: dict[str, float],
             titles: dict[str, str | None] | None = None) -> list[str]:
    """Everything wrong with the map against the toc, the run times and (if given) the titles."""
    found: list[str] = []
    position = {doc: i for i, doc in enumerate(toc)}
    listed = [entry.doc for part in parts for entry in part.entries]
    found += [f"{doc} is listed {listed.count(doc)} times in {MAP}"
              for doc in dict.fromkeys(listed) if listed.count(doc) > 1]
    found += [f"{doc} is in {TOC} but not in {MAP}" for doc in toc if doc.startswith(MAPPED) and doc not in listed]
    for entry in (entry for part in parts for entry in part.entries):
        if entry.doc not in position:
            found.append(f"{entry.doc} is in {MAP} but not in {TOC}")
            continue
        for need in entry.requires:
            if need not in position:
                found.append(f"{entry.doc} requires {need}, which is not in {TOC}")
            elif position[need] >= position[entry.doc]:
                found.append(f"{entry.doc} requires {need}, which does not come before it in {TOC}")
        if run_time_key(entry.doc) not in seconds:
            found.append(f"{entry.doc} has no run time: {run_time_key(entry.doc)} is missing from {RUN_TIMES}")
        if titles is not None and not titles.get(entry.doc):
            found.append(f"{entry.doc} has no notebook with a '# ' title")
        if not entry.learn:
            found.append(f"{entry.doc} says nothing under 'learn' in {MAP}")
    order = [doc for doc in listed if doc in position]
    if order != sorted(order, key=position.__getitem__):
        found.append(f"{MAP} does not list its pages in the order of {TOC}")
    return found


def rows(part: Part, seconds: dict[str, float], titles: dict[str, str | None]) -> list[Row]:
    """The table rows of ``part``: run times rounded to whole seconds."""
    return [Row(label(e.doc), e.doc, titles.get(e.doc) or e.doc, e.learn,
                tuple((label(need), need) for need in e.requires),
                None if (t := seconds.get(run_time_key(e.doc))) is None else round(t)) for e in part.entries]


class CourseMap(SphinxDirective):
    """``course-map``: the tables of reference/course_map.yml (no arguments, no content)."""

    def _link(self, doc: str, text: str) -> addnodes.pending_xref:
        # like {doc}`text </doc>`: resolved (or warned about) like any other link
        return addnodes.pending_xref("", nodes.inline(text, text), refdomain="std", reftype="doc",
                                     reftarget=f"/{doc}", refexplicit=True, refwarn=True,
                                     refdoc=self.env.docname)

    def _table(self, header: list[str], body: list[list[list[nodes.Node]]]) -> nodes.table:
        group = nodes.tgroup(cols=len(header))
        group += [nodes.colspec(colwidth=w) for w in (4, 28, 44, 10, 14)]
        for section, lines in ((nodes.thead(), [[[nodes.Text(h)] for h in header]]), (nodes.tbody(), body)):
            for line in lines:  # the last column holds numbers
                section += nodes.row("", *(nodes.entry("", nodes.paragraph("", "", *cell),
                                                       classes=["text-right"] if i == len(line) - 1 else [])
                                            for i, cell in enumerate(line)))
            group += section
        return nodes.table("", group, classes=["course-map", "colwidths-given"])

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        for name in (MAP, RUN_TIMES, TOC):
            self.env.note_dependency(str(root / name))
        try:
            parts, toc = load_map(root), toc_docs(root)
            report = json.loads((root / RUN_TIMES).read_text())
        except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as error:
            logger.warning(f"course-map: cannot read the map: {error!r}", location=self.get_location())
            return []
        seconds, machine = report.get("seconds", {}), report.get("machine", "a laptop CPU")
        titles = {e.doc: title_of(root, e.doc) for part in parts for e in part.entries}
        for path in (root / f"{doc}.ipynb" for doc in titles):
            if path.exists():  # a title edited in a notebook
                self.env.note_dependency(str(path))
        for message in problems(parts, toc, seconds, titles):
            logger.warning(f"course-map: {message}", location=self.get_location())
        note = nodes.paragraph("", "", nodes.Text(
            f"Run times are the seconds each notebook takes top to bottom in a fresh kernel on {machine}, "
            "from the "), self._link(RUN_TIMES_DOC, "run times page"), nodes.Text(
            "; an assignment's is its instructor solution's, about what a finished notebook takes."))
        result: list[nodes.Node] = [note]
        for part in parts:
            shown = rows(part, seconds, titles)
            assignments = all(row.doc.startswith("assignments/") for row in shown)
            header = ["", "assignment" if assignments else "chapter", "afterwards you can", "builds on",
                      f"{'solution ' if assignments else ''}runs in (s, {machine.replace(' CPU', '')})"]
            body: list[list[list[nodes.Node]]] = []
            for row in shown:
                needs = [node for i, (short, doc) in enumerate(row.requires)
                         for node in ([nodes.Text(", ")] if i else []) + [self._link(doc, short)]]
                body.append([[nodes.Text(row.number)], [self._link(row.doc, row.title)], [nodes.Text(row.learn)],
                             needs or [nodes.Text("nothing")],
                             [nodes.Text("?" if row.seconds is None else str(row.seconds))]])
            part_total = str(sum(row.seconds or 0 for row in shown))  # adds up the times shown
            body.append([[], [nodes.strong("", "in all")], [], [], [nodes.strong("", part_total)]])
            # a section of its own: a heading (h3 under the page's h2) the page's contents list
            result.append(nodes.section("", nodes.title(part.title, part.title), self._table(header, body),
                                        ids=[nodes.make_id(f"map-{part.title}")]))
        return result


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("course-map", CourseMap)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
