"""The instructor edition (`make book-instructor`): the public site plus the solutions and
mark schemes, built with warnings as errors, and without any hidden test.

The edition's solutions part is built once, into a temporary folder, by
tools/instructor_edition.py --solutions-only (about 10 s): the same configuration
and staging as `make book-instructor`, with the toc of the pages the public site
lacks. The edition's other pages are the public ones, which test_book.py builds
with the same warnings-as-errors; test_only_the_intended_differences checks that
the edition's config and toc differ from the public ones only as intended. The
checks of what the pages show are the test's own (``secrets()`` of the source
notebooks, as in test_book.py), not the tool's.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml

import course as C
from leaks import MARKERS, find_leaks, html_text, secrets, visible_lines
from pages import toc_files

sys.path.insert(0, str(C.ROOT / "tools"))
import instructor_edition as ie  # noqa: E402

pytestmark = pytest.mark.book

MARKER_STRINGS = [marker for pair in MARKERS.values() for marker in pair]
PUBLIC_CONFIG = yaml.safe_load((C.ROOT / "_config.yml").read_text())
PUBLIC_TOC = yaml.safe_load((C.ROOT / "_toc.yml").read_text())


def public_lines() -> set[str]:
    """Lines anyone can read: the chapters, the package's source, the student versions."""
    public = set()
    for notebook in [*(C.ROOT / "chapters").glob("*.ipynb"), *(C.ROOT / "assignments").glob("*/*.ipynb")]:
        public.update(line.strip() for line in visible_lines(notebook.read_text()))
    for module in (C.ROOT / "lstm_course").rglob("*.py"):
        public.update(line.strip() for line in module.read_text().splitlines())
    return public


def source_of(assignment: str) -> Path:
    return C.ROOT / "source" / assignment / f"{assignment}.ipynb"


def words(text: str) -> str:
    """Prose compared word by word: markdown markup, smart quotes and line breaks differ on the page."""
    return " " + " ".join(re.findall(r"\w+", text)) + " "


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> SimpleNamespace:
    out = tmp_path_factory.mktemp("instructor")
    result = subprocess.run([sys.executable, str(C.ROOT / "tools" / "instructor_edition.py"), "--solutions-only",
                             "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"instructor build failed\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return SimpleNamespace(site=out / "_build" / "html", stdout=result.stdout)


def test_built_with_warnings_as_errors(edition):
    assert "--warningiserror" in ie.command(Path("out"))
    # with a warning, Sphinx says "build finished with problems" (or "build succeeded, 1 warning")
    assert "build succeeded." in edition.stdout


def test_every_public_page_is_in_the_instructor_edition():
    """The full edition's toc lists every public page, then the solutions part,
    which is what the built part holds."""
    full = toc_files(ie.instructor_toc(PUBLIC_TOC, ie.assignment_ids()))
    assert full[:len(toc_files(PUBLIC_TOC))] == toc_files(PUBLIC_TOC)
    assert full[len(toc_files(PUBLIC_TOC)):] == toc_files(ie.solutions_only_toc(ie.assignment_ids()))


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_solution_page_shows_solution_and_mark_scheme(edition, assignment):
    page = edition.site / "solutions" / assignment / f"{assignment}.html"
    assert page.exists(), f"no solution page for {assignment}"
    assert (edition.site / "_sources" / "solutions" / assignment / f"{assignment}.ipynb").exists()
    text = html_text(page.read_text())
    secret = secrets(source_of(assignment))
    source = nbformat.read(source_of(assignment), as_version=4)
    code = {line.strip() for cell in source.cells if cell.cell_type == "code" for line in cell.source.splitlines()}
    solution_code = secret["solution"] & code
    assert solution_code and secret["mark scheme"], f"{assignment}: nothing secret to look for"
    shown = {line.strip() for line in text.splitlines()}
    missing = sorted(line for line in solution_code if line not in shown)
    assert not missing, f"{assignment}: solution lines not on the page: {missing[:5]}"
    prose = words(text)
    missing = sorted(line for line in secret["mark scheme"] if words(line) not in prose)
    assert not missing, f"{assignment}: mark-scheme lines not on the page: {missing[:5]}"
    assert "Mark scheme" in text


def test_no_hidden_test_anywhere(edition):
    hidden = set().union(*(secrets(source_of(a))["hidden"] for a in C.ASSIGNMENTS)) - public_lines()
    assert hidden, "no hidden-test line to look for"
    secret = {"solution": set(), "hidden": hidden, "mark scheme": set()}
    site = edition.site
    pages = sorted(site.rglob("*.html"))
    downloads = sorted([*site.rglob("*.ipynb"), *site.rglob("*.md")])
    assert len(downloads) >= len(C.ASSIGNMENTS)  # the sources, offered for download
    for path in [*pages, *downloads]:
        raw = path.read_text(errors="replace")
        text = html_text(raw) if path.suffix == ".html" else raw
        leaks = find_leaks(text, secret, kinds=("hidden",)) + [f"marker {m!r}" for m in MARKER_STRINGS if m in raw]
        assert not leaks, f"{path.relative_to(site)} shows hidden tests or delimiters: {leaks[:5]}"


def test_banner_on_every_page(edition):
    pages = [p for p in edition.site.rglob("*.html") if p.relative_to(edition.site).parts[0] != "_static"
             and 'http-equiv="Refresh"' not in p.read_text()]  # not the theme's templates, not the redirect
    assert len(pages) >= len(C.ASSIGNMENTS)
    for page in pages:
        html = page.read_text()
        assert ie.BANNER in html_text(html), f"{page.relative_to(edition.site)} has no instructor banner"
        assert "(instructor edition)</title>" in html, page.name


def test_only_the_intended_differences():
    """From the public config and toc: a title, a banner, solutions/ built, one part more."""
    config = ie.instructor_config(PUBLIC_CONFIG)
    expected = copy.deepcopy(PUBLIC_CONFIG)
    expected["title"] += " (instructor edition)"
    expected["html"]["announcement"] = ie.BANNER
    expected["exclude_patterns"].remove("solutions/**")
    for name, path in expected["sphinx"]["local_extensions"].items():
        expected["sphinx"]["local_extensions"][name] = str((C.ROOT / path).resolve())
        assert Path(config["sphinx"]["local_extensions"][name]).is_dir()
    assert config == expected
    assert "source/**" in config["exclude_patterns"]
    toc = ie.instructor_toc(PUBLIC_TOC, ie.assignment_ids())
    assert toc["parts"][:-1] == PUBLIC_TOC["parts"]
    assert toc["parts"][-1] == {"caption": "Solutions and mark schemes",
                                "chapters": [{"file": f"solutions/{a}/{a}"} for a in C.ASSIGNMENTS]}
    # and the public edition lists none of it
    assert "solutions/**" in PUBLIC_CONFIG["exclude_patterns"]
    assert not [f for f in toc_files(PUBLIC_TOC) if f.startswith(("solutions/", "source/"))]


def planted_course(tmp_path: Path, plant: str) -> Path:
    """A repository with one assignment whose solution notebook has ``plant`` added to a code cell."""
    a = C.ASSIGNMENTS[0]
    root = tmp_path / "repo"
    (root / "source" / a).mkdir(parents=True)
    (root / "solutions" / a).mkdir(parents=True)
    (root / "source" / a / f"{a}.ipynb").write_bytes(source_of(a).read_bytes())
    solution = nbformat.read(C.ROOT / "solutions" / a / f"{a}.ipynb", as_version=4)
    if plant:
        cell = [c for c in solution.cells if c.cell_type == "code"][-1]
        cell.source += f"\n{plant}"
    nbformat.write(solution, root / "solutions" / a / f"{a}.ipynb")
    return root


def test_refuses_a_solution_that_shows_hidden_tests(tmp_path):
    a = C.ASSIGNMENTS[0]
    ie.stage(planted_course(tmp_path / "clean", ""), tmp_path / "clean" / "src", [a])
    assert (tmp_path / "clean" / "src" / "solutions" / a / f"{a}.ipynb").exists()
    hidden_line = sorted(secrets(source_of(a))["hidden"])[0]
    for plant, named in [(hidden_line, repr(hidden_line)), ("### BEGIN HIDDEN TESTS", "BEGIN HIDDEN TESTS")]:
        root = planted_course(tmp_path / str(len(plant)), plant)
        with pytest.raises(ie.HiddenTestsError, match=re.escape(named)):  # find_leaks quotes it with repr
            ie.stage(root, root.parent / "src", [a])
        assert not (root.parent / "src").exists(), "nothing may be staged after a refusal"


def make_recipe(target: str) -> str:
    text = (C.ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert match, f"no target {target} in the Makefile"
    return match.group(1)


def test_both_make_targets_treat_warnings_as_errors():
    assert "jupyter-book build --warningiserror" in make_recipe("book")
    assert "tools/instructor_edition.py" in make_recipe("book-instructor")
    assert "--warningiserror" in ie.command(Path("out"))
