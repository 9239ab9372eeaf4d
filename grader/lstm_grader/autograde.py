"""nbgrader preprocessors for ``nbgrader autograde``: sandboxed execution, a
batch that always finishes, and scores that only code decides.

``nbgrader_config.py`` puts them into nbgrader's two autograde phases:

* sanitising: :class:`DropEmptyGradeMetadata` after ``DeduplicateIds``
  (a copy-pasted test cell no longer stops the batch, nbgrader issue #1083),
  :class:`QuietOverwriteCells` instead of ``OverwriteCells`` (a warning means
  a student really changed a read-only cell);
* executing: :class:`SandboxedExecute` instead of ``Execute`` (every kernel in
  the bubblewrap sandbox, verified; a dead or hung kernel costs the cells it
  did not run, with the reason), :class:`StderrIsNotFailure` (a warning never
  costs points), :class:`CapOutput` (no output floods the gradebook) and
  :class:`SanitizeStudentOutput` (nothing a submission displays can run in
  formgrader).

Each writes what it did into the student's report (:mod:`lstm_grader.report`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from nbgrader.preprocessors.clearhiddentests import ClearHiddenTests
from nbgrader.preprocessors.clearmarkingscheme import ClearMarkScheme
from traitlets import Bool, Integer

from lstm_grader import report, sandbox
from lstm_grader.feedback import SanitizeFeedbackHTML


def _ids(resources: dict) -> tuple[str, str, str]:
    nbg = resources.get("nbgrader", {})
    return nbg.get("assignment", "?"), nbg.get("student", "?"), nbg.get("notebook", "?")


def _record(resources: dict, kind: str, message: str, flag: bool = False) -> None:
    assignment, student, notebook = _ids(resources)
    report.record(assignment, student, kind, message, flag=flag, notebook=notebook)


# --------------------------------------------------------------------------
# sanitising
# --------------------------------------------------------------------------

class DropEmptyGradeMetadata(NbGraderPreprocessor):
    """Finish what ``DeduplicateIds`` starts.

    When a grade id appears twice (a student copy-pasted a test cell),
    ``DeduplicateIds`` keeps the last copy and empties the others' nbgrader
    metadata. An empty ``nbgrader`` dict has no schema version, so
    ``CheckCellMetadata`` then raises ``SchemaTooOldError`` and nbgrader stops
    the whole batch (nbgrader issue #1083). Removing the empty dict turns the
    extra copy into an ordinary cell, which is what it is.
    """

    enabled = Bool(True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        dropped = 0
        for cell in nb.cells:
            if "nbgrader" in cell.metadata and not cell.metadata["nbgrader"]:
                del cell.metadata["nbgrader"]
                dropped += 1
        if dropped:
            _record(resources, "duplicate-cells",
                    f"{dropped} duplicated graded cell(s) found; the last copy of each was graded "
                    "and the earlier copies were run as ordinary cells")
        return nb, resources


def release_version(source: str, cell_type: str, metadata: dict) -> str:
    """The text of a source cell as ``generate_assignment`` releases it
    (hidden tests and mark schemes removed)."""
    cell = NotebookNode({"cell_type": cell_type, "source": source,
                         "metadata": NotebookNode({"nbgrader": NotebookNode(metadata)})})
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    for pp in (ClearHiddenTests(), ClearMarkScheme()):
        cell, _ = pp.preprocess_cell(cell, {}, 0)
    return cell.source


class QuietOverwriteCells(OverwriteCells):
    """``OverwriteCells`` that warns only about real changes.

    The stock preprocessor compares a submitted read-only cell with the
    instructor's version, which for test cells with hidden tests and for task
    cells with mark schemes differs from the released one by design: every
    submission logged "checksum has changed", untouched ones included, so the
    warning meant nothing. Here a cell equal to its released text is restored
    silently; one that differs is restored, logged and reported.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and utils.is_locked(cell):
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                              self.assignment_id)
            except Exception:  # unknown cell: the parent class reports it
                source_cell = None
            if source_cell is not None and source_cell.locked:
                meta = dict(cell.metadata.get("nbgrader", {}))
                released = release_version(source_cell.source, source_cell.cell_type, meta)
                if cell.source.strip() == released.strip():
                    cell.source = source_cell.source  # untouched: no warning
                elif cell.source != source_cell.source:
                    _record(resources, "restored-cell",
                            f"read-only cell '{grade_id}' was edited; the original was restored "
                            "before grading")
        return super().preprocess_cell(cell, resources, cell_index)


# --------------------------------------------------------------------------
# executing
# --------------------------------------------------------------------------

NOT_RUN = "NotRun"


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode({"output_type": "error", "ename": ename, "evalue": evalue,
                         "traceback": [f"{ename}: {evalue}"]})


class SandboxedExecute(Execute):
    """nbgrader's ``Execute``, with every kernel in the course sandbox.

    * The kernel is always :data:`lstm_grader.sandbox.KERNEL_NAME`: neither the
      notebook's metadata nor a missing setting can choose a plain kernel.
    * Before any student code runs, the kernel proves it is sandboxed (marker,
      no network, the course's secrets invisible). If it cannot, grading of
      this notebook stops with :class:`~lstm_grader.sandbox.SandboxUnavailable`:
      it fails closed. ``LSTM_COURSE_NO_SANDBOX=1`` grades without the
      sandbox, and every report then says so.
    * A kernel that dies (``exit()``, ``os._exit()``, out of memory, the wall
      limit) or a cell that does not stop at its timeout ends the run: the
      cells not run get an error output that says why, so their tests score
      0, the tests already run keep their scores, and the report names the cause.
    * A cell interrupted at its timeout (nbgrader's ``interrupt_on_timeout``)
      is reported too; the cells after it run as usual.
    """

    _timed_out = False

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None):
        self._timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):
        from nbclient import NotebookClient

        sandboxed = not sandbox.sandbox_disabled()
        if sandboxed:
            self.kernel_name = sandbox.KERNEL_NAME
        else:
            # the kernel inherits this process's environment: nothing in it may move a grade
            sandbox.clear_course_env(os.environ)
            if resources is not None:
                _record(resources, "no-sandbox",
                        "graded WITHOUT the sandbox (LSTM_COURSE_NO_SANDBOX=1)", flag=False)
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        stopped: str | None = None
        with self.setup_kernel():
            assert self.kc
            info = self.wait_for_reply(self.kc.kernel_info())
            assert info
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            if sandboxed:
                self._verify_sandbox()
            for index, cell in enumerate(self.nb.cells):
                if stopped is not None:
                    if cell.cell_type == "code":
                        cell.outputs = [_error(NOT_RUN, f"this cell was not run: {stopped}")]
                    continue
                self._timed_out = False
                try:
                    self.preprocess_cell(cell, resources, index)
                    if self._timed_out:
                        _record(resources, "timeout",
                                f"code cell {index} ran past the {self.timeout} s limit and was "
                                "interrupted; the cells after it were run")
                except DeadKernelError:
                    cause = "exit(), os._exit(), a crash, or a memory or time limit of the sandbox"
                    stopped = f"the kernel died in an earlier cell ({cause})"
                    # whether the kernel announced the cell before it died is
                    # a race: the stored notebook must not depend on it
                    cell.execution_count = None
                    cell.outputs.append(_error("DeadKernelError",
                                               f"the kernel died while running this cell ({cause})"))
                    _record(resources, "kernel-died",
                            f"the kernel died in code cell {index}; later cells were not run "
                            "and their tests score 0")
                except CellTimeoutError:
                    stopped = f"an earlier cell did not stop within the {self.timeout} s limit"
                    cell.outputs.append(_error("CellTimeoutError",
                                               f"this cell did not stop within {self.timeout} s"))
                    _record(resources, "timeout",
                            f"code cell {index} ran past the {self.timeout} s limit and could not be "
                            "interrupted; later cells were not run and their tests score 0")
            if stopped is None and resources is not None:
                self._runtime_screen(resources)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _run_silently(self, code: str, timeout: int = 60) -> str:
        """Run ``code`` in the kernel outside the notebook; return its stdout."""
        chunks: list[str] = []

        def hook(msg: dict) -> None:
            if msg.get("msg_type") == "stream" and msg["content"].get("name") == "stdout":
                chunks.append(msg["content"]["text"])

        run_sync(self.kc.execute_interactive)(code, silent=False, store_history=False,
                                              output_hook=hook, timeout=timeout)
        return "".join(chunks)

    def _runtime_screen(self, resources: dict) -> None:
        """After the last cell, ask the kernel what was hooked or patched
        (:data:`lstm_grader.screen.RUNTIME_PROBE`); findings go to the report.
        Student code ran before this, so a missing or garbled answer is a
        finding too."""
        from lstm_grader.screen import RUNTIME_PROBE, parse_probe

        try:
            text = self._run_silently(RUNTIME_PROBE, timeout=60)
        except Exception:  # the kernel no longer answers: parse_probe flags the silence
            text = ""
        for finding in parse_probe(text):
            _record(resources, f"probe:{finding.kind}", f"{finding.where}: {finding.reason}",
                    flag=finding.severity == "flag")

    def _verify_sandbox(self) -> None:
        course_root = Path(os.getcwd())
        answer = self._run_silently(sandbox.verify_code(sandbox.secret_paths(course_root))).strip()
        if answer != "SANDBOX-OK":
            raise sandbox.SandboxUnavailable(
                f"the grading kernel is not sandboxed ({answer or 'no answer'}); refusing to grade. "
                "Run `lstm-course sandbox-check`, or set LSTM_COURSE_NO_SANDBOX=1 to grade unsafely.")


class StderrIsNotFailure(NbGraderPreprocessor):
    """nbgrader scores a test cell 0 for any stderr output, a harmless warning
    (Keras' ``input_shape=`` advice, a NumPy divide warning) included. A test
    fails by raising; what reached stderr stays visible to the student but
    is shown as ordinary output."""

    enabled = Bool(True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources


_TAG = re.compile(r"<\s*[a-zA-Z!/?]")


class SanitizeStudentOutput(SanitizeFeedbackHTML):
    """Make what a submission displays inert before anyone opens it.

    formgrader renders the autograded notebook in a frame that allows scripts,
    in the instructor's own Jupyter session: a ``<script>`` or an ``onerror``
    displayed by student code would run with the instructor's rights. Outputs
    of every code cell go through the feedback sanitiser (Keras tables and
    images survive); a student's own markdown cell only if it holds a tag (an
    untouched answer cell must keep its text, or nbgrader would count it as
    answered).
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type == "code":
            cell.outputs = self.sanitize_code_outputs(cell.get("outputs", []))
        elif (cell.cell_type in ("markdown", "raw") and not utils.is_locked(cell)
              and _TAG.search(cell.source)):
            return super().preprocess_cell(cell, resources, index)
        return cell, resources


class CapOutput(NbGraderPreprocessor):
    """Cap what one cell and one notebook may output.

    nbgrader's ``LimitOutput`` counts lines, so a single 30 MB line passes.
    This caps characters per text output, bytes per rich output and the total
    per notebook; an error output keeps its name (so a failing test still
    fails) with its text shortened.
    """

    enabled = Bool(True)
    max_chars = Integer(20_000, help="characters per text output").tag(config=True)
    max_rich_bytes = Integer(2_000_000, help="bytes per image or HTML output").tag(config=True)
    max_total = Integer(10_000_000, help="bytes of outputs per notebook").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        self._total = 0
        self._capped = 0
        nb, resources = super().preprocess(nb, resources)
        if self._capped:
            _record(resources, "output-capped",
                    f"{self._capped} output(s) were too large and were shortened")
        return nb, resources

    def _cut(self, text: str, limit: int) -> str:
        self._capped += 1
        return text[:limit] + f"\n... [output cut: {len(text):,} characters, limit {limit:,}]\n"

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code":
            return cell, resources
        kept = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                text = output.get("text", "")
                if len(text) > self.max_chars:
                    output["text"] = self._cut(text, self.max_chars)
            elif kind == "error":
                tb = "\n".join(output.get("traceback", []))
                if len(tb) > self.max_chars:
                    output["traceback"] = [self._cut(tb, self.max_chars)]
                if len(output.get("evalue", "")) > self.max_chars:
                    output["evalue"] = self._cut(output["evalue"], self.max_chars)
            else:
                data = output.get("data", {})
                for mime in list(data):
                    value = data[mime]
                    size = len(value) if isinstance(value, str) else len(str(value))
                    limit = self.max_chars if mime == "text/plain" else self.max_rich_bytes
                    if size > limit:
                        self._capped += 1
                        data[mime] = (self._cut(value, limit) if mime == "text/plain" else None)
                        if data[mime] is None:
                            del data[mime]
                            data.setdefault("text/plain", f"[{mime} output of {size:,} bytes removed]")
            size = len(str(output))
            if self._total + size > self.max_total and kind != "error":
                self._capped += 1
                continue
            self._total += size
            kept.append(output)
        cell.outputs = kept
        return cell, resources
