"""The built site in a real browser: Playwright for Python driving Debian's
Chromium (Playwright's own browser download cannot work offline), with the
site served on loopback and every other request blocked."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("LSTM_COURSE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Tab:
    """One browser page whose console errors, page errors, failed and blocked
    requests are collected in ``problems``."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 900, dark: bool = False):
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           color_scheme="dark" if dark else "light")
        self.problems: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}")
                     if r.url.startswith(self.base) else None)
        self.page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}")
                     if r.status >= 400 else None)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.problems.append(f"blocked (the site must work offline): {url}")
            route.abort()

    def open(self, path: str) -> Any:
        """Load ``path`` (relative to the site) and wait until MathJax has typeset it."""
        self.problems.clear()
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        self.page.evaluate("() => window.MathJax && window.MathJax.startup ? MathJax.startup.promise : null")
        return self.page

    def close(self) -> None:
        self.context.close()


# Text whose colour, over the background it is drawn on (transparent layers
# blended up to the first opaque one), falls below WCAG 2's contrast minimum:
# 4.5:1, or 3:1 for large text (24 px, or bold from 18.66 px). Typeset maths,
# SVG and hidden elements are skipped.
LOW_CONTRAST_JS = r"""(root) => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const blend = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]));
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop().slice(0, 3)
      : parse(getComputedStyle(document.body).backgroundColor).slice(0, 3);
    while (layers.length) colour = blend(layers.pop(), colour);
    return colour;
  };
  const found = [], seen = new Set();
  const walker = document.createTreeWalker(document.querySelector(root) || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (el.closest('mjx-container, svg, .visually-hidden, .sr-only')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.offsetParent === null) continue;
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el), shown = blend(fg, bg);
    const [a, b] = [lum(shown), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed)
      found.push(`"${node.textContent.trim().slice(0, 30)}" (${el.tagName.toLowerCase()}): ${style.color} on ` +
                 `rgb(${bg.map(Math.round).join(', ')}), ${ratio.toFixed(2)}:1 < ${needed}:1`);
  }
  return [...new Set(found)];
}"""


def low_contrast(page: Any, root: str = ".bd-article") -> list[str]:
    """The text of ``root`` on ``page`` that falls below WCAG 2's contrast minimum."""
    return page.evaluate(LOW_CONTRAST_JS, root)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
