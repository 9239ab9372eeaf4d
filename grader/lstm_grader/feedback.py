"""Feedback without leaks (instructors/threat-model.md, release hygiene).

``nbgrader generate_feedback`` turns each autograded notebook into an HTML
page for the student. Before one is released it must hold no hidden test, no
mark scheme, no path of the grading machine and no active content that the
student's code or text put there (an instructor who opens the page in the
browser that runs their Jupyter server would run it with their rights).

Preprocessors for ``c.GenerateFeedback.preprocessors`` (after ``GetGrades``
and ``HideHiddenTestTracebacks``, before ``CSSHTMLHeaderPreprocessor``;
:func:`feedback_preprocessors` is the whole list in order):

* :class:`ClearFeedbackHiddenTests`: removes the ``BEGIN/END HIDDEN TESTS``
  regions; nbgrader's ``ClearHiddenTests`` without its errors, which a
  student could trigger by typing a marker into their own cell.
* :class:`ClearFeedbackMarkSchemes`: removes the ``BEGIN/END MARK SCHEME``
  regions (model answers belong to the solutions); nbgrader's
  ``ClearMarkScheme`` without its errors, which a student could trigger by
  typing a marker into an answer cell and so stop their own feedback.
* :class:`ScrubGraderPaths`: replaces the grading machine's folders in code,
  text and outputs (tracebacks above all) by placeholders: ``<env>`` (site-
  packages), ``<venv>``, ``<python>`` (the base interpreter), ``<course>``,
  ``<course>/lstm_course``, ``<tmp>``, ``<home>``. The folders are found at
  run time. Colour codes stay, unless a path runs across one (that line
  then loses its colours).
* :class:`SanitizeFeedbackHTML`: nbconvert's ``SanitizeHTML`` with an
  allowlist wide enough for Keras summaries, pandas tables and markdown, and
  with markdown sanitised *after* it is rendered (so ``[x](javascript:...)``
  and raw HTML in markdown are caught, and ``a < b`` in code survives).

Then :func:`scan_feedback` checks every page of an assignment before release
and :func:`quarantine` moves the leaking ones out of ``feedback/``;
:func:`main` is ``lstm-course scan-feedback ASSIGNMENT``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import site
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

import bleach
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode
from nbgrader.preprocessors.clearhiddentests import ClearHiddenTests
from nbgrader.preprocessors.clearmarkingscheme import ClearMarkScheme
from traitlets import Any as AnyTrait
from traitlets import Bool, List, Set, Unicode

from lstm_grader.leaks import find_leaks, html_text, secrets

# --------------------------------------------------------------------------
# mark schemes
# --------------------------------------------------------------------------


def cut_regions(cell: NotebookNode, begin: str, end: str) -> bool:
    """Remove from ``cell.source`` every line from one holding ``begin`` to
    the next holding ``end``; never raises. A region without an end runs to
    the end of the cell (fails safe: too much removed, never too little), and
    a stray end line is dropped. True if a region was removed."""
    kept, inside, removed, marker = [], False, False, False
    for line in cell.source.split("\n"):
        if begin in line:
            inside = removed = marker = True
        elif end in line:
            inside, marker = False, True
        elif not inside:
            kept.append(line)
    if marker:
        cell.source = "\n".join(kept)
    return removed


class ClearFeedbackMarkSchemes(ClearMarkScheme):
    """Remove mark-scheme regions from every cell, and never stop.

    nbgrader's ``ClearMarkScheme`` does the job on an autograded notebook (the
    task cells are the instructor's, restored by autograde), but raises on a
    marker outside a task cell, on an unterminated or nested region and on an
    attachment inside a region. Student text can contain a marker, and an
    error means no feedback at all for that student. Here a region without an
    end runs to the end of the cell (fails safe: too much removed, never too
    little), a stray end marker line is dropped, and attachments no longer
    referenced by the remaining text are dropped with the region.
    """

    enabled = Bool(True)

    def _remove_mark_scheme_region(self, cell: NotebookNode) -> bool:
        removed = cut_regions(cell, self.begin_mark_scheme_delimeter, self.end_mark_scheme_delimeter)
        attachments = cell.get("attachments") if removed else None
        for name in list(attachments or ()):
            if f"attachment:{name}" not in cell.source:
                del attachments[name]
        return removed

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        self._remove_mark_scheme_region(cell)
        return cell, resources


class ClearFeedbackHiddenTests(ClearHiddenTests):
    """Remove hidden-test regions from every cell, and never stop.

    nbgrader's ``ClearHiddenTests`` raises on a nested or unterminated region
    and on a region outside a grade cell. The test cells of an autograded
    notebook are the instructor's, but a student can type the marker into
    their own cell, and an error means no feedback page for that student.
    As for mark schemes, a region without an end runs to the end of the cell
    (too much removed, never too little) and a stray end marker line is
    dropped, in any cell.
    """

    def _remove_hidden_test_region(self, cell: NotebookNode) -> bool:
        return cut_regions(cell, self.begin_test_delimeter, self.end_test_delimeter)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        self._remove_hidden_test_region(cell)
        return cell, resources


# --------------------------------------------------------------------------
# grader paths
# --------------------------------------------------------------------------

_ANSI = re.compile(r"(\x1b\[[0-?]*[ -/]*[@-~])")
_PATH_CHAR = r"A-Za-z0-9_.~\-"


def grader_roots(course_root: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """``(folder, placeholder)`` for every folder of the grading machine whose
    path must not reach a student, most specific first. Found at run time:
    the environment (``sys.prefix``, its site-packages), the base Python, the
    ``lstm_course`` package and the checkout it lives in, the course folder
    (``course_root``, else the working directory), the temp folder and the
    home folder. Each also as its real path (symlinks resolved)."""
    course = Path(course_root) if course_root else Path.cwd()
    entries: list[tuple[str, str]] = []
    paths = sysconfig.get_paths()
    for key in ("purelib", "platlib"):
        entries.append((paths[key], "<env>"))
    try:
        entries.extend((p, "<env>") for p in site.getsitepackages())
    except AttributeError:  # pragma: no cover  (old virtualenv's site module)
        pass
    try:
        import lstm_course

        package = Path(lstm_course.__file__).parent
        entries.append((str(package), "<course>/lstm_course"))
        entries.append((str(package.parent), "<course>"))
    except ImportError:  # pragma: no cover
        pass
    entries += [
        (str(course), "<course>"),
        (os.getcwd(), "<course>"),
        (sys.prefix, "<venv>"),
        (sys.exec_prefix, "<venv>"),
        (sys.base_prefix, "<python>"),
        (sys.base_exec_prefix, "<python>"),
        (tempfile.gettempdir(), "<tmp>"),
        ("/tmp", "<tmp>"),
        ("/var/tmp", "<tmp>"),
        (str(Path.home()), "<home>"),
    ]
    roots: dict[str, str] = {}
    for path, placeholder in entries:
        for variant in (os.path.normpath(path), os.path.realpath(path)):
            if os.path.isabs(variant) and variant.rstrip("/\\"):
                roots.setdefault(variant.rstrip("/\\"), placeholder)
    return sorted(roots.items(), key=lambda item: (-len(item[0]), item[0]))


class PathScrubber:
    """Find and replace grader folders in text (see :func:`grader_roots`).

    A folder counts where it is not glued to a longer name: neither preceded
    nor followed by a character that could continue a file name, so ``/tmp``
    matches in ``/tmp/x``, ``'/tmp'`` and ``file:///tmp/x``, not in
    ``/tmpfoo`` or ``/opt/tmp``. ANSI colour codes are kept; a path that a
    colour code splits is still found (that line then loses its colours).
    """

    def __init__(self, roots: Iterable[tuple[str, str]]):
        self.roots = dict(roots)
        ordered = sorted(self.roots, key=len, reverse=True)
        self._re = (
            re.compile(rf"(?<![{_PATH_CHAR}])({'|'.join(map(re.escape, ordered))})(?![{_PATH_CHAR}])")
            if ordered else None
        )

    def find(self, text: str) -> list[re.Match]:
        return list(self._re.finditer(text)) if self._re and text else []

    def _replace(self, text: str, escape: bool) -> str:
        def sub(m: re.Match) -> str:
            placeholder = self.roots[m.group(1)]
            return html.escape(placeholder) if escape else placeholder
        return self._re.sub(sub, text)

    def scrub(self, text: str, *, escape: bool = False) -> str:
        """``text`` with the folders replaced; ``escape`` for HTML or markdown
        (the placeholder's ``<>`` as entities, so it is not taken for a tag)."""
        if not self._re or not text:
            return text
        if "\x1b" not in text:
            return self._replace(text, escape)
        return "".join(self._scrub_line(line, escape) for line in text.splitlines(keepends=True))

    def _scrub_line(self, text: str, escape: bool) -> str:
        parts = _ANSI.split(text)
        if len(parts) > 1:
            plain = "".join(parts[::2])
            per_part = [m.group(1) for p in parts[::2] for m in self.find(p)]
            if per_part != [m.group(1) for m in self.find(plain)]:
                return self._replace(plain, escape)  # a colour code splits a path: drop the colours
        return "".join(p if i % 2 else self._replace(p, escape) for i, p in enumerate(parts))


class ScrubGraderPaths(Preprocessor):
    """Replace the grading machine's folders by placeholders in every cell's
    source and in every text output (streams, errors, text/plain, HTML,
    markdown, LaTeX, SVG). Images are left alone."""

    enabled = Bool(True)
    course_root = Unicode(
        "", help="The course folder (default: nbgrader's CourseDirectory.root, else the working directory)",
    ).tag(config=True)

    def _scrubber(self) -> PathScrubber:
        root = self.course_root or self.config.get("CourseDirectory", {}).get("root") or os.getcwd()
        return PathScrubber(grader_roots(root))

    def preprocess(self, nb: NotebookNode, resources: dict):
        self._paths = self._scrubber()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        scrub = self._paths.scrub
        cell.source = scrub(cell.source, escape=cell.cell_type == "markdown")
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                output["text"] = scrub(output.get("text", ""))
            elif kind == "error":
                output["ename"] = scrub(output.get("ename", ""))
                output["evalue"] = scrub(output.get("evalue", ""))
                output["traceback"] = [scrub(line) for line in output.get("traceback", [])]
            else:
                data = output.get("data", {})
                for mime, value in data.items():
                    if isinstance(value, str) and (mime.startswith("text/") or mime == "image/svg+xml"):
                        data[mime] = scrub(value, escape=mime in ("text/html", "text/markdown", "image/svg+xml"))
        return cell, resources


# --------------------------------------------------------------------------
# active HTML
# --------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    """a abbr acronym b bdi bdo blockquote br caption center cite code col colgroup dd del
    details dfn div dl dt em figcaption figure font h1 h2 h3 h4 h5 h6 hr i img ins kbd li
    mark ol p pre q rp rt ruby s samp small span strike strong sub summary sup table tbody
    td tfoot th thead time tr tt u ul var wbr""".split()
)
"""Markup that cannot run anything: text, tables, lists, images. Not script,
style, iframe, object, embed, svg, math, form elements, link, meta, base."""

_GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "style", "align", "valign", "dir", "lang"})
_TAG_ATTRIBUTES = {
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "width", "height", "nowrap"},
    "th": {"colspan", "rowspan", "width", "height", "nowrap", "scope"},
    "table": {"border", "cellpadding", "cellspacing", "width", "summary"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type", "reversed"},
    "ul": {"type"},
    "li": {"value"},
    "details": {"open"},
    "font": {"color", "size", "face"},
    "time": {"datetime"},
}
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)
_SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(tag: str, name: str, value: str) -> bool:
    """A link or image address that runs nothing and tells no one that the
    page was opened: a link may be relative, ``#anchor``, http(s) or mailto
    (it needs a click); an image must be an image as a ``data:`` URI or a
    relative path, never a remote address (``//host/...`` included), which
    would load by itself and could report the reader to its author."""
    url = re.sub(r"[\x00-\x20]+", "", html.unescape(value))
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if tag == "img" and name == "src":
        if scheme is None:
            return not url.startswith(("//", "\\", "/\\", "\\/"))
        return bool(_IMAGE_DATA.match(url))
    if scheme is None:
        return True
    return scheme.group(1).lower() in _SAFE_SCHEMES


def allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in _GLOBAL_ATTRIBUTES and name not in _TAG_ATTRIBUTES.get(tag, ()):
        return False  # event handlers (on...), srcdoc, formaction, xlink:href, ...
    if name in ("href", "src"):
        return safe_url(tag, name, value)
    return True


ALLOWED_STYLES = frozenset(ALLOWED_CSS_PROPERTIES) | {
    "overflow-x", "overflow-y", "text-decoration-color", "text-decoration-line",
    "text-decoration-style", "max-width", "min-width", "max-height", "min-height",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left",
    "border-width", "border-style", "border-spacing", "border-radius", "table-layout",
    "word-break", "word-wrap", "overflow-wrap", "tab-size",
}
"""CSS properties kept in ``style`` attributes (Keras' rich summary uses
white-space, overflow-x, font-family, font-weight, color and
text-decoration-color). No position, z-index, margin (negative margins move
a box over its neighbours) or url()-taking property: a student's output stays
in its place and cannot cover the page's scores."""

_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.I | re.S)
_UNSAFE_SVG = re.compile(
    r"<\s*(script|foreignobject|iframe|embed|object)\b|\son[a-z]+\s*=|javascript:|<!ENTITY", re.I
)


def _single_block(fragment: str) -> str:
    """Sanitised HTML as one markdown HTML block that markdown passes through
    verbatim: one line (newlines as character references, which mean the same
    in text, ``<pre>`` and attribute values) inside a ``<div>``."""
    one_line = fragment.replace("\r", "&#13;").replace("\n", "&#10;")
    return f'<div class="lstm-sanitized">{one_line}</div>'


class SanitizeFeedbackHTML(SanitizeHTML):
    """nbconvert's ``SanitizeHTML``, made fit for feedback pages.

    What nbconvert's does (bleach, default settings): escapes every tag but
    a, abbr, acronym, b, blockquote, code, em, i, li, ol, strong, ul (so a
    Keras summary or a pandas table shows as markup text), removes
    application/javascript, widget views, SVG and any other unknown output
    type, and bleaches the markdown *source* (which escapes ``>`` quotes and
    ``<`` in code, and misses markdown links such as ``[x](javascript:..)``).

    This one:

    * code outputs: keeps text/plain, text/latex, PNG, JPEG, JSON as they are;
      sanitises text/html with :data:`ALLOWED_TAGS`, attributes through
      :func:`allow_attribute` (no ``on...`` handler, no ``javascript:`` or
      non-image ``data:`` address) and CSS through :data:`ALLOWED_STYLES`;
      removes ``<style>`` elements (pandas' table CSS would otherwise show as
      text); renders text/markdown and sanitises the result; keeps an SVG
      (shown through ``<img>``, where it cannot run anything) unless it holds
      a script, handler or foreignObject; drops JavaScript, widgets and every
      other type (the text/plain fallback stays); drops the ``isolated`` and
      ``filenames`` output metadata;
    * markdown cells (the student's answers and any cell they added) are
      rendered as the page would render them, sanitised, and put back as one
      HTML block that markdown passes through unchanged;
    * raw cells are sanitised; the notebook's widget state is dropped.

    Disallowed tags are escaped, not removed: the student sees their
    ``<script>`` as text. Stream and error outputs need nothing: the page
    escapes them.
    """

    enabled = Bool(True)
    tags = List(Unicode(), default_value=sorted(ALLOWED_TAGS), config=True,
                help="HTML tags kept in outputs and markdown")
    attributes = AnyTrait(default_value=allow_attribute, config=True,
                          help="bleach attribute filter (a callable, list or dict)")
    styles = List(Unicode(), default_value=sorted(ALLOWED_STYLES), config=True,
                  help="CSS properties kept in style attributes")
    protocols = List(Unicode(), default_value=["http", "https", "mailto", "data"], config=True,
                     help="URL schemes bleach lets through to the attribute filter")
    safe_output_keys = Set(
        default_value={"metadata", "text/plain", "text/latex", "application/json",
                       "image/png", "image/jpeg"},
        config=True, help="Output types kept without change")
    sanitized_output_types = Set(
        default_value={"text/html", "text/markdown", "image/svg+xml"}, config=True,
        help="Output types kept after sanitising")

    def _cleaner(self) -> bleach.Cleaner:
        if getattr(self, "_bleach", None) is None:
            self._bleach = bleach.Cleaner(
                tags=set(self.tags), attributes=self.attributes, protocols=set(self.protocols),
                strip=self.strip, strip_comments=self.strip_comments,
                css_sanitizer=CSSSanitizer(allowed_css_properties=set(self.styles)),
            )
        return self._bleach

    def sanitize_html_tags(self, html_str: str) -> str:
        return self._cleaner().clean(_STYLE_ELEMENT.sub("", html_str))

    def render_markdown(self, source: str, attachments: dict | None = None) -> str:
        """Markdown to HTML as the feedback page renders it (nbconvert's
        mistune renderer, raw HTML passed through: sanitised next)."""
        from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

        renderer = IPythonRenderer(escape=False, attachments=attachments or {}, anchor_link_text="¶")
        return MarkdownWithMath(renderer=renderer).render(source)

    def sanitize_markdown(self, source: str, attachments: dict | None = None) -> str:
        return _single_block(self.sanitize_html_tags(self.render_markdown(source, attachments)))

    def preprocess(self, nb: NotebookNode, resources: dict):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type == "markdown":
            cell.source = self.sanitize_markdown(cell.source, cell.get("attachments"))
        elif cell.cell_type == "raw":
            cell.source = self.sanitize_html_tags(cell.source)
        elif cell.cell_type == "code":
            cell.outputs = self.sanitize_code_outputs(cell.get("outputs", []))
        return cell, resources

    def sanitize_code_outputs(self, outputs: list) -> list:
        for output in outputs:
            if output.get("output_type") in ("stream", "error"):
                continue  # the page escapes them
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                if mime in self.safe_output_keys:
                    continue
                if mime in self.sanitized_output_types and isinstance(value, (str, list)):
                    value = "".join(value) if isinstance(value, list) else value
                    if mime == "text/html":
                        data[mime] = self.sanitize_html_tags(value)
                        continue
                    if mime == "text/markdown":
                        data[mime] = self.sanitize_markdown(value)
                        continue
                    if mime == "image/svg+xml" and not _UNSAFE_SVG.search(html.unescape(value)):
                        continue
                self.log.info("Removing %s output from the feedback", mime)
                del data[mime]
            meta = output.get("metadata", {})
            meta.pop("filenames", None)
            for value in meta.values():
                if isinstance(value, dict):
                    value.pop("isolated", None)
        return outputs


def feedback_preprocessors() -> list[type]:
    """The preprocessor list for ``c.GenerateFeedback.preprocessors``, in order:
    grades first; hidden-test tracebacks cut and hidden-test lines redacted
    from outputs while the markers that find them are still there, then the
    hidden tests removed; mark schemes removed; grader paths replaced; active
    HTML made inert (after the paths, although either order is safe: the
    placeholders go into HTML as entities); nbconvert's page CSS last."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from lstm_grader.preprocessors import HideHiddenTestTracebacks

    return [
        GetGrades,
        HideHiddenTestTracebacks,
        ClearFeedbackHiddenTests,
        ClearFeedbackMarkSchemes,
        ScrubGraderPaths,
        SanitizeFeedbackHTML,
        CSSHTMLHeaderPreprocessor,
    ]


# --------------------------------------------------------------------------
# the scan before release
# --------------------------------------------------------------------------

KINDS = ("hidden", "mark scheme", "path", "script")
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".xml")

_ACTIVE_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet",
                              "base", "form", "portal", "template"})
_REMOTE = re.compile(r"([a-z][a-z0-9+.\-]*:(?!image/)|[/\\]{2})")
"""An address that loads from elsewhere: any scheme but ``data:image/``, or ``//host``."""
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href",
                             "background", "poster", "codebase", "cite", "srcset", "ping"})


@dataclass(frozen=True)
class Leak:
    page: Path
    kind: str  # "hidden", "mark scheme", "path", "script"
    excerpt: str

    def __str__(self) -> str:
        return f"{self.kind:<11}  {self.page}  {self.excerpt}"


def _short(text: str, limit: int = 120) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Active(HTMLParser):
    """Everything in a page that can run: script elements, frames and
    plugins, event-handler attributes, javascript:/vbscript: addresses,
    ``data:`` documents, meta refreshes. Each as a ``(signature, excerpt)``:
    the signature identifies the same thing in the template's own page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple, str]] = []
        self.attribute_values: list[str] = []
        self._script: tuple[str, list[tuple[str, str | None]], list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "script" and self._script is not None:
            self.handle_endtag("script")

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = "<" + tag + "".join(f' {k}="{v}"' if v is not None else f" {k}" for k, v in attrs) + ">"
        if tag == "script":
            self._script = (tag, attrs, [])
            return
        if tag in _ACTIVE_ELEMENTS:
            self.found.append((("element", tag, tuple(attrs)), _short(shown)))
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.found.append((("element", tag, tuple(attrs)), _short(shown)))
        for name, value in attrs:
            value = value or ""
            compact = re.sub(r"[\x00-\x20]+", "", value).lower()
            if name.startswith("on") or name == "srcdoc":
                self.found.append((("attribute", tag, name, value), _short(shown)))
            elif "javascript:" in compact or "vbscript:" in compact or "expression(" in compact:
                self.found.append((("address", tag, name, value), _short(shown)))
            elif name in _URL_ATTRIBUTES and compact.startswith("data:") and not compact.startswith("data:image/"):
                self.found.append((("address", tag, name, value), _short(shown)))
            elif tag == "img" and name in ("src", "srcset") and _REMOTE.match(compact):
                self.found.append((("remote image", tag, name, value), _short(shown)))
            if not compact.startswith("data:"):
                self.attribute_values.append(value)

    def handle_data(self, data):
        if self._script is not None:
            self._script[2].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            _, attrs, body = self._script
            code = "".join(body)
            shown = "<script" + "".join(f' {k}="{v}"' for k, v in attrs if v is not None) + ">" + code
            self.found.append((("script", tuple(sorted((k, v or "") for k, v in attrs)),
                                re.sub(r"\s+", " ", code).strip()), _short(shown)))
            self._script = None


def active_content(page: str) -> list[tuple[tuple, str]]:
    parser = _Active()
    parser.feed(page)
    parser.close()
    return parser.found


def feedback_exporter():
    """An HTML exporter set up as ``nbgrader generate_feedback`` sets up its own."""
    import nbgrader.converters.generate_feedback as gf
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config

    base = Path(gf.__file__).resolve().parents[1]
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [str(base / "server_extensions" / "formgrader" / "templates")]
    c.HTMLExporter.extra_template_paths = [
        str(base / "server_extensions" / "formgrader" / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    return HTMLExporter(config=c)


@lru_cache(maxsize=1)
def template_page() -> str:
    """The feedback page of an empty notebook: what the template alone puts in."""
    from nbformat.v4 import new_notebook

    resources = {"nbgrader": {"notebook": "empty", "score": 0, "max_score": 0, "late_penalty": 0}}
    page, _ = feedback_exporter().from_notebook_node(new_notebook(), resources=resources)
    return page


def template_content() -> set[tuple]:
    """Signatures of the template's own scripts (require.js, MathJax and its
    configuration, ...): a page's script that is not one of these came from
    the notebook."""
    return {signature for signature, _ in active_content(template_page())}


def scan_page(page: Path, secret: dict[str, set[str]], paths: PathScrubber,
              template: set[tuple] | None = None) -> list[Leak]:
    """The leaks of one feedback file. An HTML page is checked for hidden
    tests and mark schemes (in the text a reader sees), grader paths (text
    and attribute values) and active content not from the template; any
    other file (copied from the student's folder) for hidden tests and mark
    schemes only."""
    raw = page.read_bytes().decode("utf-8", errors="replace")
    leaks: list[Leak] = []
    is_page = page.suffix.lower() in PAGE_SUFFIXES
    text = html_text(raw) if is_page else raw
    for found in dict.fromkeys(find_leaks(text, secret, kinds=("hidden", "mark scheme"))
                               + (find_leaks(raw, secret, kinds=("hidden", "mark scheme")) if is_page else [])):
        hidden = found.startswith("hidden:") or (found.startswith("marker") and "HIDDEN" in found)
        kind = "hidden" if hidden else "mark scheme"
        leaks.append(Leak(page, kind, _short(found)))
    if not is_page:
        return leaks
    template = template_content() if template is None else template
    parser = _Active()
    parser.feed(raw)
    parser.close()
    for signature, shown in parser.found:
        if signature not in template:
            leaks.append(Leak(page, "script", shown))
    seen = set()
    for chunk in [text, *parser.attribute_values]:
        for m in paths.find(chunk):
            excerpt = _short(chunk[max(0, m.start() - 30): m.end() + 40])
            if (m.group(1), excerpt) not in seen:
                seen.add((m.group(1), excerpt))
                leaks.append(Leak(page, "path", excerpt))
    return leaks


def feedback_files(feedback_dir: Path, assignment: str) -> list[Path]:
    return sorted(p for p in Path(feedback_dir).glob(f"*/{assignment}/**/*") if p.is_file())


def assignment_secrets(source_dir: Path, assignment: str) -> dict[str, set[str]]:
    notebooks = sorted(p for p in (Path(source_dir) / assignment).rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)
    if not notebooks:
        raise FileNotFoundError(f"no source notebooks in {Path(source_dir) / assignment}: "
                                "cannot tell hidden tests and mark schemes")
    secret: dict[str, set[str]] = {"solution": set(), "hidden": set(), "mark scheme": set()}
    for notebook in notebooks:
        for kind, lines in secrets(notebook).items():
            secret[kind] |= lines
    return secret


def scan_feedback(feedback_dir: Path, source_dir: Path, assignment: str,
                  course_root: Path | None = None) -> list[Leak]:
    """Every leak in ``feedback_dir/*/ASSIGNMENT/``: hidden-test lines and
    mark-scheme lines of ``source_dir/ASSIGNMENT``'s notebooks, grader paths
    (:func:`grader_roots` of ``course_root``, default the parent of
    ``feedback_dir``) and active content that did not come from the page
    template. Solution code is not checked: in feedback it is the student's."""
    secret = assignment_secrets(source_dir, assignment)
    paths = PathScrubber(grader_roots(course_root or Path(feedback_dir).resolve().parent))
    template = template_content()
    leaks: list[Leak] = []
    for page in feedback_files(feedback_dir, assignment):
        leaks.extend(scan_page(page, secret, paths, template))
    return leaks


def quarantine(leaks: list[Leak], feedback_dir: Path) -> list[Path]:
    """Move each leaking page out of ``feedback_dir`` into the sibling folder
    ``feedback_quarantine/`` (same relative path), so that ``nbgrader
    release_feedback`` cannot release it. Returns the new paths."""
    feedback_dir = Path(feedback_dir)
    target_root = feedback_dir.parent / f"{feedback_dir.name}_quarantine"
    moved: list[Path] = []
    for page in dict.fromkeys(leak.page for leak in leaks):
        if not page.exists():
            continue
        try:
            relative = page.resolve().relative_to(feedback_dir.resolve())
        except ValueError:
            continue  # not in the feedback folder: nothing to withhold
        target = target_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        shutil.move(str(page), str(target))
        moved.append(target)
    return moved


def main(argv: list[str] | None = None) -> int:
    """``lstm-course scan-feedback ASSIGNMENT``: print every leak in the
    assignment's feedback pages, move the leaking pages to
    ``feedback_quarantine/`` (unless ``--keep``), exit 1 if there was any."""
    parser = argparse.ArgumentParser(
        prog="lstm-course scan-feedback",
        description="Check every feedback page of an assignment before release: hidden tests, "
                    "mark schemes, grader paths, active HTML from student output.")
    parser.add_argument("assignment")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--keep", action="store_true",
                        help="only report: leave leaking pages in feedback/")
    args = parser.parse_args(argv)
    course = Path(args.course).resolve()
    feedback_dir = course / "feedback"
    try:
        leaks = scan_feedback(feedback_dir, course / "source", args.assignment, course_root=course)
    except FileNotFoundError as error:
        print(f"cannot scan: {error}", file=sys.stderr)
        return 2
    pages = feedback_files(feedback_dir, args.assignment)
    for leak in leaks:
        print(leak)
    if not leaks:
        print(f"{len(pages)} feedback file(s) of {args.assignment} checked: no leaks")
        return 0
    bad = len({leak.page for leak in leaks})
    if args.keep:
        print(f"{len(leaks)} leak(s) in {bad} of {len(pages)} file(s): do not release", file=sys.stderr)
    else:
        moved = quarantine(leaks, feedback_dir)
        print(f"{len(leaks)} leak(s) in {bad} of {len(pages)} file(s); moved {len(moved)} to "
              f"{feedback_dir.parent / (feedback_dir.name + '_quarantine')} (not released)",
              file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
