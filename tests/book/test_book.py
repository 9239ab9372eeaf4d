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
    without scrolling."""
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
