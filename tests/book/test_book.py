"""The site builds from clean with warnings as errors, lists every page of the
table of contents, and shows nothing secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import course as C
from leaks import find_leaks, secrets, visible_lines

pytestmark = pytest.mark.book


def toc_files() -> list[str]:
    toc = yaml.safe_load((C.ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", "--path-output", str(out),
         "--warningiserror", "--keep-going", str(C.ROOT)],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, f"book build failed\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return out / "_build" / "html"


def test_every_toc_entry_is_a_page(site):
    for entry in toc_files():
        assert (site / f"{entry}.html").exists(), f"{entry} is in _toc.yml but was not built"


def test_every_chapter_is_in_the_toc():
    listed = set(toc_files())
    chapters = {str(p.relative_to(C.ROOT).with_suffix("")) for p in (C.ROOT / "chapters").glob("*.ipynb")}
    assert chapters <= listed, f"chapters missing from _toc.yml: {sorted(chapters - listed)}"
    released = {str(p.relative_to(C.ROOT).with_suffix(""))
                for p in (C.ROOT / "assignments").glob("*/*.ipynb")}
    assert released <= listed, f"assignments missing from _toc.yml: {sorted(released - listed)}"


def test_site_has_no_instructor_material(site):
    assert not (site / "source").exists() and not (site / "solutions").exists()
    secret = {"solution": set(), "hidden": set(), "mark scheme": set()}
    for nb in (C.ROOT / "source").glob("*/*.ipynb"):
        for kind, lines in secrets(nb).items():
            secret[kind] |= lines
    # Everyday lines that the chapters also show, in their code or in printed
    # package source (e.g. `return keras.Sequential([`), are public; what remains
    # is specific to the instructor's notebooks.
    public = set()
    for chapter in (C.ROOT / "chapters").glob("*.ipynb"):
        public.update(line.strip() for line in visible_lines(chapter.read_text()))
    for module in (C.ROOT / "lstm_course").rglob("*.py"):
        public.update(line.strip() for line in module.read_text().splitlines())
    # the student versions are public too (tests/unit/test_leaks.py checks them)
    for released in (C.ROOT / "assignments").glob("*/*.ipynb"):
        public.update(line.strip() for line in visible_lines(released.read_text()))
    secret = {kind: lines - public for kind, lines in secret.items()}
    for page in site.rglob("*.html"):
        text = BeautifulSoup(page.read_text(errors="replace"), "html.parser").get_text()
        leaks = find_leaks(text, secret)
        assert not leaks, f"{page.relative_to(site)} shows instructor material: {leaks[:5]}"
    for download in list(site.rglob("*.ipynb")):
        leaks = find_leaks(download.read_text(errors="replace"), secret)
        assert not leaks, f"{download.relative_to(site)} (a download) leaks: {leaks[:5]}"


def test_api_page_lists_every_module():
    text = (C.ROOT / "reference" / "api.md").read_text()
    # top-level modules and subpackages (a subpackage's page documents its modules' names)
    package = C.ROOT / "lstm_course"
    modules = {p.stem for p in package.glob("*.py")} - {"__init__"}
    modules |= {p.parent.name for p in package.glob("*/__init__.py")}
    missing = sorted(m for m in modules if f".. automodule:: lstm_course.{m}\n" not in text)
    assert not missing, f"modules missing from reference/api.md: {missing}"


def test_api_page_documents_the_package(site):
    html = (site / "reference" / "api.html").read_text()
    for name in ("lstm_course.notebook.setup", "lstm_course.models.sentiment_lstm",
                 "lstm_course.training.exponential_decay", "lstm_course.checks.assert_model"):
        assert f'id="{name}"' in html, f"{name} is not documented on the API page"
