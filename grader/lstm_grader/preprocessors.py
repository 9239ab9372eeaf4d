"""nbgrader helpers used by ``nbgrader_config.py``."""

from __future__ import annotations

import html
import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer, Unicode

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def hidden_lines(nb: Any, min_len: int = 12) -> list[str]:
    """The lines between the hidden-test markers of a notebook's code cells
    (stripped; shorter ones than ``min_len`` are too generic to redact), longest first."""
    found: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or HIDDEN_BEGIN not in cell.source:
            continue
        inside = False
        for line in cell.source.splitlines():
            if HIDDEN_BEGIN in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and len(line.strip()) >= min_len:
                found.add(line.strip())
    return sorted(found, key=len, reverse=True)


class HideHiddenTestTracebacks(Preprocessor):
    """Shorten error tracebacks of test cells that contain hidden tests, and
    redact hidden-test lines from every output.

    IPython tracebacks quote the failing cell's source lines, so a failing
    hidden test would show its own code in the feedback a student receives.
    For such cells the traceback is cut to ``ErrorName: message``; the
    message (which the instructor writes to explain the failure) stays.

    Student code runs in the same kernel as the hidden tests and can read
    them (``In[-1]`` while a test calls it, ``inspect`` on the calling
    frame) and print them, in that cell or a later one: every output's text
    that contains a whole hidden-test line (or a marker) gets ``redaction``
    instead of it.
    (A transformed copy, say base64, cannot be recognised; the feedback scan
    checks the pages again before release.)

    Run it before ``ClearHiddenTests``, which removes the markers it looks for.
    """

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled
    redaction = Unicode("[hidden test]", help="What replaces a hidden-test line in outputs").tag(config=True)
    min_len = Integer(12, help="Hidden-test lines shorter than this are not redacted").tag(config=True)

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        self._secret = hidden_lines(nb, self.min_len)
        return super().preprocess(nb, resources)

    def _redact(self, text: str, markup: bool = False) -> str:
        for marker in (HIDDEN_BEGIN, HIDDEN_END):
            text = text.replace(marker, self.redaction)
        for line in getattr(self, "_secret", ()):
            variants = {line, html.escape(line, quote=False), html.escape(line)} if markup else {line}
            for variant in variants:
                if variant in text:
                    text = text.replace(variant, self.redaction)
        return text

    def _redact_coloured(self, text: str) -> str:
        """A traceback line: IPython colours the code it quotes token by
        token, so look at it without the colour codes."""
        plain = _ANSI.sub("", text)
        redacted = self._redact(plain)
        return redacted if redacted != plain else text

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                if HIDDEN_BEGIN in cell.source:
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
                output["evalue"] = self._redact(output.get("evalue", ""))
                output["traceback"] = [self._redact_coloured(line) for line in output.get("traceback", [])]
            elif kind == "stream":
                output["text"] = self._redact_coloured(output.get("text", ""))
            else:
                data = output.get("data", {})
                for mime, value in data.items():
                    if isinstance(value, str) and (mime.startswith("text/") or mime == "image/svg+xml"):
                        data[mime] = (self._redact_coloured(value) if mime == "text/plain"
                                      else self._redact(value, markup=True))
        return cell, resources
