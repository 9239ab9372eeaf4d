"""The site builds from clean with warnings as errors, lists every page of the
table of contents, and shows nothing secret."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import course as C
from leaks import find_leaks, secrets, visible_lines
from pages import toc_files

pytestmark = pytest.mark.book


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


def pages(site: Path) -> list[Path]:
    return [site / f"{entry}.html" for entry in toc_files()]


def test_maths_is_served_with_the_site(site):
    """MathJax comes from the site itself, never from a CDN, so a classroom without
    internet (or a downloaded copy of the site) sees formulas."""
    assert (site / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert any((site / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    for page in pages(site):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        sources = [tag.get("src", "") for tag in soup.find_all("script")]
        assert not [s for s in sources if "mathjax" in s.lower() and "://" in s], f"{page.name} loads MathJax from the network"
        mathjax = [s for s in sources if "mathjax" in s.lower()]
        assert len(mathjax) <= 1, f"{page.name} loads {mathjax}"
        if soup.select(".math"):
            assert mathjax and mathjax[0].split("?")[0].endswith("_static/mathjax/tex-mml-chtml.js"), page.name


def test_each_script_is_included_once(site):
    """Two copies of an inline `const` declaration stop the second with a SyntaxError
    (Thebe's THEBE_JS_URL used to be declared twice on every page)."""
    for page in pages(site):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        scripts = [(tag.get("src"), tag.string) for tag in soup.find_all("script") if tag.get("type") is None]
        repeated = {s for s in scripts if scripts.count(s) > 1}
        assert not repeated, f"{page.name} includes these scripts more than once: {sorted(map(str, repeated))[:3]}"
        assert page.read_text().count("const THEBE_JS_URL") <= 1, page.name


def numbered_chapters() -> list[str]:
    """The toc's numbered chapters, in order (chapter k is the k-th)."""
    toc = yaml.safe_load((C.ROOT / "_toc.yml").read_text())
    return [entry["file"] for part in toc["parts"] if part.get("numbered") for entry in part["chapters"]]


def test_figures_and_equations_are_numbered_by_chapter(site):
    """Chapter k's figures read Fig. k.1, k.2, ... and its equations (k.1), (k.2),
    ... in order; no page outside the numbered chapters has numbered figures."""
    chapters = numbered_chapters()
    assert chapters and all(c.startswith("chapters/") for c in chapters)
    equations = 0
    for number, entry in enumerate(chapters, start=1):
        soup = BeautifulSoup((site / f"{entry}.html").read_text(), "html.parser")
        figures = [t.get_text(strip=True) for t in soup.select("figcaption .caption-number")]
        assert figures == [f"Fig. {number}.{k}" for k in range(1, len(figures) + 1)], (entry, figures)
        eqnos = [t.get_text(strip=True).replace("#", "") for t in soup.select("span.eqno")]
        assert eqnos == [f"({number}.{k})" for k in range(1, len(eqnos) + 1)], (entry, eqnos)
        equations += len(eqnos)
    assert equations > 20
    for entry in set(toc_files()) - set(chapters):
        soup = BeautifulSoup((site / f"{entry}.html").read_text(), "html.parser")
        assert not soup.select("figcaption .caption-number"), f"{entry} has numbered figures outside a chapter"


@pytest.mark.parametrize("entry", [e for e in toc_files() if (C.ROOT / f"{e}.md").exists()])
def test_page_headings_descend_in_order(entry):
    """The markdown pages too (tests/notebooks checks the chapters)."""
    from pages import heading_problems

    assert not heading_problems((C.ROOT / f"{entry}.md").read_text())


def test_running_page_offers_the_wheel_and_requirements(site):
    """reference/running links to the wheel, the students' requirements and the
    kernel configuration, served with the site, and shows the commands that
    install exactly those files; the wheel holds lstm_course as committed."""
    import zipfile

    sys.path.insert(0, str(C.ROOT / "tools"))
    import student_bundle as sb

    page = site / "reference" / "running.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    links = {a["href"] for a in soup.select("article a[href]")}
    names = [sb.wheel_name(), "requirements.txt", "ipython_kernel_config.py"]
    for name in names:
        assert f"../downloads/{name}" in links, name
        assert (site / "downloads" / name).is_file(), name
    commands = soup.get_text()
    assert f"pip install --no-deps {sb.SCATTERTEXT} {sb.wheel_name()}" in commands
    assert (site / "downloads" / "requirements.txt").read_text() == sb.requirements_text()[0]
    assert (site / "downloads" / "ipython_kernel_config.py").read_bytes() == \
        (C.ROOT / "config" / "ipython_kernel_config.py").read_bytes()
    with zipfile.ZipFile(site / "downloads" / sb.wheel_name()) as zf:
        package = {n: zf.read(n) for n in zf.namelist() if n.startswith("lstm_course/")}
    repo = {p.relative_to(C.ROOT).as_posix(): p.read_bytes() for p in (C.ROOT / "lstm_course").rglob("*")
            if (p.suffix == ".py" or p.name == "py.typed") and "__pycache__" not in p.parts}
    assert package == repo
    # every chapter's note links to this page
    for entry in numbered_chapters():
        chapter = BeautifulSoup((site / f"{entry}.html").read_text(), "html.parser")
        assert chapter.select_one('a[href="../reference/running.html"]'), entry


# ---- the site in a real browser ------------------------------------------------------------------
# Playwright drives Debian's Chromium (.ci/run installs it with apt), against the
# built site on loopback with every other request blocked: what a reader meets
# offline. Screenshots go to _build/screenshots/ as test artefacts.

SCREENSHOTS = C.ROOT / "_build" / "screenshots"
PHONE, DESKTOP = (390, 844), (1280, 900)


@pytest.fixture(scope="module")
def browser():
    import browser as B

    assert B.CHROMIUM.exists(), (f"no Chromium at {B.CHROMIUM}: install Debian's chromium (apt-get install chromium), "
                                 "or point LSTM_COURSE_CHROMIUM at one")
    with B.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def served(site):
    import browser as B

    with B.serve(site) as base:
        yield base


def tab(browser, served, size=DESKTOP, dark=False):
    import browser as B

    return B.Tab(browser, served, *size, dark=dark)


def test_every_page_in_a_browser(browser, served):
    """Every page of the toc at 1280 px: no console error, no failed or blocked
    request, maths typeset by MathJax with no raw TeX left, every image loaded
    and with alt text, and every model summary's "Param #" column visible
    without scrolling, and all text of the article in WCAG contrast (the dark
    theme: test_contrast_holds_in_dark_mode)."""
    import browser as B

    reader = tab(browser, served, DESKTOP)
    failures = []
    for entry in toc_files():
        page = reader.open(f"{entry}.html")
        state = page.evaluate(r"""() => ({
            maths: document.querySelectorAll('.math').length,
            typeset: document.querySelectorAll('mjx-container').length,
            raw: [...document.querySelectorAll('.math')]
                .filter(e => ['\\(', '\\[', '$$'].some(t => e.innerText.includes(t))).length,
            images: [...document.images].filter(i => i.closest('.bd-article')).map(i => ({
                src: i.getAttribute('src'), loaded: i.complete && i.naturalWidth > 0, alt: (i.alt || '').trim()})),
            cut: [...document.querySelectorAll('.cell_output pre')]
                .filter(p => p.innerText.includes('Param #') && p.scrollWidth > p.clientWidth + 1)
                .map(p => `a model summary needs ${p.scrollWidth} px and has ${p.clientWidth} px`),
        })""")
        problems = list(reader.problems) + state["cut"]
        problems += [f"low contrast: {text}" for text in B.low_contrast(page)]
        if state["maths"] and not state["typeset"]:
            problems.append(f"{state['maths']} formulas, none typeset by MathJax")
        if state["raw"]:
            problems.append(f"{state['raw']} formulas still show raw TeX")
        problems += [f"image not loaded: {i['src']}" for i in state["images"] if not i["loaded"]]
        problems += [f"image without alt text: {i['src']}" for i in state["images"] if not i["alt"]]
        failures += [f"{entry}: {p}" for p in problems]
    reader.close()
    assert not failures, "\n".join(failures[:30])


def test_every_internal_link_and_anchor_resolves(site):
    soups: dict[Path, BeautifulSoup] = {}

    def soup_of(page: Path) -> BeautifulSoup:
        if page not in soups:
            soups[page] = BeautifulSoup(page.read_text(), "html.parser")
        return soups[page]

    @functools.cache
    def anchors(page: Path) -> set[str]:
        soup = soup_of(page)
        return {tag["id"] for tag in soup.find_all(id=True)} | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}

    broken = []
    for page in pages(site):
        for link in soup_of(page).find_all("a", href=True):
            href = link["href"]
            if href.startswith(("http://", "https://", "mailto:", "javascript:")) or href in ("#", ""):
                continue
            path, _, fragment = href.partition("#")
            target = (page.parent / path.split("?")[0]).resolve() if path else page
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {href} (no such file)")
            elif fragment and target.suffix == ".html" and fragment not in anchors(target):
                broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    assert not broken, "\n".join(sorted(set(broken))[:30])


def test_search_finds_the_forget_gate(browser, served):
    reader = tab(browser, served)
    page = reader.open("search.html?q=forget+gate")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    titles = page.locator("#search-results ul.search li a").all_inner_texts()
    reader.close()
    assert any("LSTM cell" in title for title in titles), titles


def test_the_menu_opens_on_a_phone(browser, served):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader = tab(browser, served, PHONE)
    page = reader.open("chapters/06_lstm_cell.html")
    page.screenshot(path=str(SCREENSHOTS / "phone-chapter.png"))
    page.locator(".primary-toggle:visible").first.click()
    menu = page.locator("#pst-primary-sidebar-modal")
    menu.wait_for(state="visible", timeout=5_000)
    page.wait_for_timeout(300)  # the dialog's opening transition
    page.screenshot(path=str(SCREENSHOTS / "phone-menu.png"))
    links = menu.locator("a").all_inner_texts()
    problems = list(reader.problems)
    reader.close()
    assert any("The LSTM cell" in text for text in links) and any("Case studies" in text for text in links), links
    assert not problems, problems


def test_figures_stay_readable_in_dark_mode(browser, served):
    """In dark mode a figure keeps its light background (black text on a dark page would vanish)."""
    reader = tab(browser, served, DESKTOP, dark=True)
    page = reader.open("chapters/12_forecasting.html")
    page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
    page.screenshot(path=str(SCREENSHOTS.joinpath("dark-chapter.png")), full_page=False)
    dark = page.evaluate("""() => [...document.querySelectorAll('.cell_output img')].map(img => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
        const [r, g, b, a] = ctx.getImageData(2, 2, 1, 1).data;
        const bg = getComputedStyle(img).backgroundColor.match(/\\d+/g).map(Number);
        const light = a === 255 ? (r + g + b) / 3 : (bg.length > 3 && bg[3] === 0 ? 0 : (bg[0] + bg[1] + bg[2]) / 3);
        return {src: img.getAttribute('src'), light};
    })""")
    reader.close()
    assert dark, "no figure found"
    assert all(f["light"] > 200 for f in dark), [f for f in dark if f["light"] <= 200]


# One page of each kind for the dark theme (the light theme is checked on every
# page): prose with admonitions, links and citations; model summaries, maths
# and figures; an assignment; the glossary; the API page; a page of tables and
# shell commands.
DARK_PAGES = ["intro", "chapters/06_lstm_cell", "chapters/15_sequence_to_sequence",
              "assignments/a1_rnn_vs_lstm/a1_rnn_vs_lstm", "reference/glossary",
              "reference/api", "instructors/index"]


def test_contrast_holds_in_dark_mode(browser, served):
    """The article text of one page of each kind in the dark theme meets WCAG 2's
    contrast minimum (4.5:1; 3:1 for large text). The model summaries' terminal
    colours did not, in either theme, nor links in light notes, before
    _static/course.css retoned them."""
    import browser as B

    assert set(DARK_PAGES) <= set(toc_files())
    reader = tab(browser, served, DESKTOP, dark=True)
    failures = []
    for entry in DARK_PAGES:
        page = reader.open(f"{entry}.html")
        page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
        failures += [f"{entry}: {text}" for text in B.low_contrast(page)]
    reader.close()
    assert not failures, "\n".join(failures[:30])


def test_screenshots_of_the_main_pages(browser, served):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader = tab(browser, served, DESKTOP)
    for name, path in [("landing", "intro.html"), ("chapter", "chapters/06_lstm_cell.html"),
                       ("assignment", "assignments/a1_rnn_vs_lstm/a1_rnn_vs_lstm.html")]:
        reader.open(path).screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    reader.close()


def test_run_times_page_covers_every_notebook():
    """reference/run_times.md is generated by `make bench BENCH=notebooks` from
    reference/run_times.json; both must cover every chapter and solution."""
    import json

    sys.path.insert(0, str(C.ROOT / "tools"))
    import bench

    report = json.loads(bench.RUN_TIMES.read_text())
    expected = {str(p.relative_to(C.ROOT)) for p in sorted((C.ROOT / "chapters").glob("*.ipynb"))}
    expected |= {str(p.relative_to(C.ROOT)) for p in sorted((C.ROOT / "solutions").glob("*/*.ipynb"))}
    assert set(report["seconds"]) == expected, "run `make bench BENCH=notebooks` again"
    assert bench.RUN_TIMES_PAGE.read_text() == bench.run_times_page(report), "the page is generated: do not edit it"


def test_landing_page_shows_the_course_map(site):
    """The course map on intro.html (_ext/course_map.py) links every chapter, case
    study and assignment, each with its run time from reference/run_times.json."""
    import json

    soup = BeautifulSoup((site / "intro.html").read_text(), "html.parser")
    tables = soup.select("table.course-map")
    assert tables, "no course map on the landing page"
    shown = {}
    for row in (tr for table in tables for tr in table.select("tbody tr")):
        cells = row.find_all("td")
        link = cells[1].find("a")
        if link is not None:  # the last row of each table is the part's total
            shown[link["href"]] = cells[-1].get_text(strip=True)
    seconds = json.loads((C.ROOT / "reference" / "run_times.json").read_text())["seconds"]
    pages = [str(p.relative_to(C.ROOT).with_suffix("")) for p in sorted((C.ROOT / "chapters").glob("*.ipynb"))]
    pages += [str(p.relative_to(C.ROOT).with_suffix("")) for p in sorted((C.ROOT / "assignments").glob("*/*.ipynb"))]
    for page in pages:
        assert f"{page}.html" in shown, f"{page} is not linked from the course map"
        timed = ("solutions/" + page.split("/", 1)[1] if page.startswith("assignments/") else page) + ".ipynb"
        assert shown[f"{page}.html"] == str(round(seconds[timed])), (page, shown[f"{page}.html"])
    assert soup.select_one("#course-map a[href='reference/run_times.html']"), "the map does not say where its times come from"
