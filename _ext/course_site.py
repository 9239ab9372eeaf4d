"""Fixes to the book's HTML, as a local Sphinx extension (``_config.yml``: ``local_extensions``).

* Every page used to declare the Thebe and toggle-button settings twice (their
  extensions register their inline scripts once per setup), and the browser
  logged ``THEBE_JS_URL`` as redeclared. The page's script and style lists are
  now de-duplicated, keeping the first copy of each.
* ``_static/course.css`` holds the style fixes, such as model summaries that
  show all their columns, and ``_static/course.js`` makes the sidebar buttons
  work on a phone (jupyter-book includes every file of ``_static`` in every
  page).
"""

from __future__ import annotations

from typing import Any


def _key(asset: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What the page would include: the file (an inline script has None or "") and its attributes."""
    attributes = getattr(asset, "attributes", {}) or {}
    filename = getattr(asset, "filename", asset) or ""
    return str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def unique_assets(assets: list[Any]) -> list[Any]:
    """``assets`` without repeats: the same file (or inline body) with the same attributes."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for asset in assets:
        key = _key(asset)
        if key not in seen:
            seen.add(key)
            kept.append(asset)
    return kept


def _dedupe(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    for name in ("script_files", "css_files"):
        if context.get(name):
            # in place: the list is the builder's own, to which later handlers
            # (MathJax's, on pages with formulas) still add their scripts
            context[name][:] = unique_assets(list(context[name]))


def setup(app: Any) -> dict[str, Any]:
    # The duplicates are in the builder's lists before any page is written.
    app.connect("html-page-context", _dedupe, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
