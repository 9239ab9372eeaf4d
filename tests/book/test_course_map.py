"""The landing page's course map (reference/course_map.yml, rendered by
_ext/course_map.py), checked without building the book: the committed map
covers the table of contents, points only backwards and has a run time and a
title for every page; the checks the directive warns with catch planted errors."""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest
import yaml

import course as C

sys.path.insert(0, str(C.ROOT / "_ext"))
import course_map as M  # noqa: E402

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def parts():
    return M.load_map(C.ROOT)


@pytest.fixture(scope="module")
def toc():
    return M.toc_docs(C.ROOT)


@pytest.fixture(scope="module")
def seconds():
    return json.loads((C.ROOT / M.RUN_TIMES).read_text())["seconds"]


def entries(parts):
    return [entry for part in parts for entry in part.entries]


def first_heading(doc: str) -> str:
    """Independent of the extension: the first '# ' line of the notebook's markdown."""
    cells = json.loads((C.ROOT / f"{doc}.ipynb").read_text())["cells"]
    lines = [line for c in cells if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines()]
    return next(line[2:].strip() for line in lines if line.startswith("# "))


def test_the_committed_map_has_no_problems(parts, toc, seconds):
    titles = {e.doc: M.title_of(C.ROOT, e.doc) for e in entries(parts)}
    assert M.problems(parts, toc, seconds, titles) == []


def test_every_chapter_case_study_and_assignment_is_mapped_once_in_toc_order(parts, toc):
    notebooks = {str(p.relative_to(C.ROOT).with_suffix("")) for p in (C.ROOT / "chapters").glob("*.ipynb")}
    notebooks |= {str(p.relative_to(C.ROOT).with_suffix("")) for p in (C.ROOT / "assignments").glob("*/*.ipynb")}
    listed = [e.doc for e in entries(parts)]
    assert len(listed) == len(set(listed)) == len(notebooks) and set(listed) == notebooks
    assert listed == [doc for doc in toc if doc in notebooks]
    toc_parts = yaml.safe_load((C.ROOT / M.TOC).read_text())["parts"]
    numbered = {c["file"] for part in toc_parts if part.get("numbered") for c in part["chapters"]}
    thematic = [p for p in parts if {e.doc for e in p.entries} & numbered]
    assert 4 <= len(thematic) <= 6 and all({e.doc for e in p.entries} <= numbered for p in thematic)


def test_prerequisites_are_earlier_chapters(parts, toc):
    for entry in entries(parts):
        for need in entry.requires:
            assert need.startswith("chapters/") and toc.index(need) < toc.index(entry.doc), (entry.doc, need)
    assert all(e.requires for e in entries(parts)[1:]), "every page after the first builds on something"
    assert all(e.requires for e in entries(parts) if e.doc.startswith("assignments/"))


def test_every_run_time_is_present_and_rounded(parts, seconds):
    for part in parts:
        for row in M.rows(part, seconds, {}):
            key = ("solutions/" + row.doc.split("/", 1)[1] if row.doc.startswith("assignments/") else row.doc)
            assert row.seconds == round(seconds[key + ".ipynb"]), row.doc
    assert M.run_time_key("assignments/a1_rnn_vs_lstm/a1_rnn_vs_lstm") == "solutions/a1_rnn_vs_lstm/a1_rnn_vs_lstm.ipynb"


def test_titles_and_labels_come_from_the_notebooks(parts, seconds):
    typed = (C.ROOT / M.MAP).read_text()
    titles = {e.doc: M.title_of(C.ROOT, e.doc) for e in entries(parts)}
    for part in parts:
        for row in M.rows(part, seconds, titles):
            assert row.title == first_heading(row.doc) and row.title not in typed, row.doc
            assert all(label == M.label(doc) for label, doc in row.requires)
    assert [M.label("chapters/06_lstm_cell"), M.label("chapters/17_chorale_melodies"),
            M.label("assignments/a3_bidirectional/a3_bidirectional")] == ["6", "17", "A3"]


def test_learn_lines_are_short_and_carry_no_numbers(parts):
    for entry in entries(parts):
        assert entry.learn and len(entry.learn) < 140 and not any(ch.isdigit() for ch in entry.learn), entry.doc


def test_problems_reports_planted_errors(parts, toc, seconds):
    first, third = parts[0], parts[1]

    def with_part(index, part):
        return parts[:index] + [part] + parts[index + 1:]

    later = dataclasses.replace(third.entries[0], requires=("chapters/06_lstm_cell",))
    found = M.problems(with_part(1, dataclasses.replace(third, entries=(later,) + third.entries[1:])), toc, seconds)
    assert found == [f"{later.doc} requires chapters/06_lstm_cell, which does not come before it in {M.TOC}"]

    missing = M.problems(with_part(0, dataclasses.replace(first, entries=first.entries[1:])), toc, seconds)
    assert missing == [f"{first.entries[0].doc} is in {M.TOC} but not in {M.MAP}"]

    twice = M.problems(parts + [dataclasses.replace(first, entries=first.entries[:1])], toc, seconds)
    assert f"{first.entries[0].doc} is listed 2 times in {M.MAP}" in twice

    stranger = dataclasses.replace(first.entries[0], doc="chapters/99_nowhere")
    unknown = M.problems(parts + [dataclasses.replace(first, entries=(stranger,))], toc, seconds)
    assert unknown == [f"chapters/99_nowhere is in {M.MAP} but not in {M.TOC}"]

    untimed = {k: v for k, v in seconds.items() if not k.startswith("solutions/a5")}
    assert any("no run time" in p and "a5_generation" in p for p in M.problems(parts, toc, untimed))
    assert any("title" in p for p in M.problems(parts, toc, seconds, {}))

    swapped = with_part(0, dataclasses.replace(first, entries=first.entries[::-1]))
    assert any("order" in p for p in M.problems(swapped, toc, seconds))


def test_the_extension_registers_the_directive_and_the_landing_page_uses_it():
    registered = {}

    class App:
        def add_directive(self, name, cls):
            registered[name] = cls

    assert M.setup(App())["parallel_read_safe"] and registered == {"course-map": M.CourseMap}
    intro = (C.ROOT / "intro.md").read_text()
    assert "```{course-map}" in intro and intro.rstrip().endswith("```{tableofcontents}\n```")
