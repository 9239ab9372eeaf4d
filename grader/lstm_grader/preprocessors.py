"""nbgrader helpers used by ``nbgrader_config.py``."""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"


class HideHiddenTestTracebacks(Preprocessor):
    """Shorten error tracebacks of test cells that contain hidden tests.

    IPython tracebacks quote the failing cell's source lines, so a failing
    hidden test would show its own code in the feedback a student receives.
    For such cells the traceback is cut to ``ErrorName: message``; the
    message (which the instructor writes to explain the failure) stays.
    Run it before ``ClearHiddenTests``, which removes the markers it looks for.
    """

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        if cell.cell_type == "code" and HIDDEN_BEGIN in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
