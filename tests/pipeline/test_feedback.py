"""Feedback without leaks: the feedback preprocessors, one by one on small
notebooks, then end to end on the fixture assignment (nbgrader autograde and
generate_feedback in a temporary course), and the scan before release."""

from __future__ import annotations

import base64
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import course as C
import fixture_assignment as F
import lstm_course
from lstm_course import checks
from lstm_grader import feedback as FB
from lstm_grader.leaks import html_text
from lstm_grader.preprocessors import HideHiddenTestTracebacks

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2215bc7"
    "0000000049454e44ae426082")).decode()

KERAS_LIKE = (  # what Keras 3's model.summary() displays as text/html
    '<pre style="white-space:pre;overflow-x:auto;line-height:normal;font-family:Menlo,'
    "'DejaVu Sans Mono',consolas,'Courier New',monospace\">┏━━━━━━━━┳━━━━━━━━━┓\n"
    '┃<span style="font-weight: bold"> Layer (type) </span>┃\n'
    '│ lstm (<span style="color: #0087ff; text-decoration-color: #0087ff">LSTM</span>) │\n'
    "</pre>\n"
)
PANDAS_LIKE = (
    "<div>\n<style scoped>\n    .dataframe thead th {\n        text-align: right;\n    }\n</style>\n"
    '<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">\n'
    "      <th></th>\n      <th>loss</th>\n    </tr>\n  </thead>\n  <tbody>\n    <tr>\n"
    "      <th>0</th>\n      <td>0.25</td>\n    </tr>\n  </tbody>\n</table>\n</div>"
)
HOSTILE_HTML = (
    '<script>alert("pwned-html")</script>'
    "<img src=x onerror=\"alert('pwned-img')\">"
    '<iframe src="https://example.org/"></iframe>'
    '<a href="javascript:alert(3)">click</a>'
    '<a href=" jav&#x09;ascript:alert(4)">click</a>'
    '<svg onload="alert(5)"><script>alert(6)</script></svg>'
    '<form action="https://example.org"><button formaction="javascript:alert(7)">go</button></form>'
    '<img src="https://example.org/pixel.png" alt="pixel">'
    '<b>bold stays</b>'
)
HOSTILE_MARKDOWN = (
    "My answer <script>alert('md-script')</script> and [a link](javascript:alert('md-link')),\n"
    "<iframe src=\"https://example.org\"></iframe> <img src=x onerror=alert('md-img')>\n\n"
    "```python\nif a < b and c > d:\n    pass\n```\n\n"
    "![tracker](https://example.org/t.png)\n\n"
    "> a quote with $x < y$\n"
)


def display(data: dict, metadata: dict | None = None):
    return new_output("display_data", data=data, metadata=metadata or {})


def run(preprocessor, nb, resources=None):
    return preprocessor.preprocess(nb, resources or {})[0]


def page_of(nb) -> str:
    """The notebook as a feedback page (nbgrader's feedback template)."""
    resources = {"nbgrader": {"notebook": "t", "score": 0, "max_score": 0, "late_penalty": 0}}
    return FB.feedback_exporter().from_notebook_node(nb, resources=resources)[0]


def student_active(page: str) -> list[str]:
    template = FB.template_content()
    return [shown for signature, shown in FB.active_content(page) if signature not in template]


# --------------------------------------------------------------------------
# hidden tests and mark schemes
# --------------------------------------------------------------------------

def test_hidden_test_tracebacks_are_still_cut():
    cell = new_code_cell("assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 4, 'f squares'\n"
                         "### END HIDDEN TESTS")
    cell.outputs = [new_output("error", ename="AssertionError", evalue="f squares",
                               traceback=["---", "----> 3 assert f(2) == 4, 'f squares'", "AssertionError: f squares"])]
    nb = run(HideHiddenTestTracebacks(), new_notebook(cells=[cell]))
    assert nb.cells[0].outputs[0].traceback == ["AssertionError: f squares"]


def test_hidden_test_lines_printed_by_student_code_are_redacted():
    """Student code runs in the hidden tests' kernel and can print them
    (``In[-1]``, ``inspect``): whole hidden lines go from every output."""
    line = "assert f(2) == 4, 'f squares'"
    test = new_code_cell(f"assert f(1) == 1\n### BEGIN HIDDEN TESTS\n{line}\n### END HIDDEN TESTS")
    test.outputs = [new_output("stream", name="stdout", text=f"peek: {test.source}\n")]
    later = new_code_cell("show()")
    coloured = "\x1b[32m----> 2\x1b[39m \x1b[38;5;28;01massert\x1b[39;00m f(\x1b[32m2\x1b[39m) == 4, 'f squares'"
    later.outputs = [display({"text/html": f"<pre>{line.replace(chr(39), '&#x27;')}</pre>",
                              "text/plain": line}),
                     new_output("error", ename="E", evalue="", traceback=[coloured, "\x1b[31mE\x1b[39m"])]
    nb = run(HideHiddenTestTracebacks(), new_notebook(cells=[test, later]))
    assert nb.cells[0].outputs[0].text == "peek: assert f(1) == 1\n### [hidden test]\n[hidden test]\n### [hidden test]\n"
    assert nb.cells[1].outputs[0].data == {"text/html": "<pre>[hidden test]</pre>", "text/plain": "[hidden test]"}
    assert nb.cells[1].outputs[1].traceback == ["----> 2 [hidden test]", "\x1b[31mE\x1b[39m"]


def _task(source: str, task: bool = True):
    return new_markdown_cell(source, metadata={"nbgrader": {
        "grade": False, "solution": False, "locked": True, "task": task,
        "grade_id": "t1", "schema_version": 3, "points": 1, "score": 0}})


def test_nbgrader_clear_mark_scheme_works_on_task_cells_but_raises_on_student_text():
    """Why there is a subclass: nbgrader's own preprocessor clears the task
    cells of an autograded notebook, but a marker a student types (outside a
    task cell, or without an end) stops their feedback with an error."""
    from nbgrader.preprocessors import ClearMarkScheme

    nb = new_notebook(cells=[_task("Q?\n=== BEGIN MARK SCHEME ===\nsecret\n=== END MARK SCHEME ===")])
    assert run(ClearMarkScheme(), nb).cells[0].source == "Q?"
    student = new_notebook(cells=[new_markdown_cell("I think BEGIN MARK SCHEME is ...")])
    with pytest.raises(RuntimeError):
        run(ClearMarkScheme(), student)


def test_mark_schemes_are_removed_and_student_markers_never_stop_feedback():
    task = _task("Explain.\n\n=== BEGIN MARK SCHEME ===\nModel answer: because.\n"
                 "![fig](attachment:fig.png)\n=== END MARK SCHEME ===\n\nThen this.")
    task.attachments = {"fig.png": {"image/png": PNG}}
    stray = new_markdown_cell("my notes\n=== BEGIN MARK SCHEME ===\nno end marker here")
    nested = _task("a\nBEGIN MARK SCHEME\nx\nBEGIN MARK SCHEME\ny\nEND MARK SCHEME\nb")
    stray_end = new_markdown_cell("c\n=== END MARK SCHEME ===\nd")
    nb = run(FB.ClearFeedbackMarkSchemes(), new_notebook(cells=[task, stray, nested, stray_end]))
    assert nb.cells[0].source == "Explain.\n\n\nThen this."
    assert not nb.cells[0].attachments  # the mark scheme's figure goes with it
    assert nb.cells[1].source == "my notes"  # fails safe: cut to the end
    assert nb.cells[2].source == "a\nb"
    assert nb.cells[3].source == "c\nd"
    assert "MARK SCHEME" not in page_of(nb)


def test_nbgrader_clear_hidden_tests_raises_on_student_text_and_ours_never_does():
    """A student who types the hidden-test marker into their own cell made
    nbgrader's preprocessor raise, and so got no feedback page at all."""
    from nbgrader.preprocessors import ClearHiddenTests

    typed = new_code_cell("# BEGIN HIDDEN TESTS? what are those\nx = 1")
    with pytest.raises(RuntimeError):
        run(ClearHiddenTests(), new_notebook(cells=[typed]))
    test = new_code_cell("assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n"
                         "### END HIDDEN TESTS\nprint('ok')",
                         metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 1,
                                                "solution": False, "locked": True,
                                                "schema_version": 3}})
    nested = new_code_cell("a\n# BEGIN HIDDEN TESTS\nb\n# BEGIN HIDDEN TESTS\nc\n# END HIDDEN TESTS\nd")
    stray_end = new_code_cell("e\n# END HIDDEN TESTS\nf")
    nb = run(FB.ClearFeedbackHiddenTests(),
             new_notebook(cells=[test, new_code_cell(typed.source), nested, stray_end]))
    assert [c.source for c in nb.cells] == ["assert f(1) == 1\nprint('ok')", "", "a\nd", "e\nf"]


# --------------------------------------------------------------------------
# grader paths
# --------------------------------------------------------------------------

def _real_tracebacks() -> list[dict]:
    """Error outputs of a real kernel on this machine: a failure inside
    lstm_course, one inside NumPy, and paths printed by the code."""
    from nbclient import NotebookClient

    nb = new_notebook(cells=[
        new_code_cell("from lstm_course import checks\nimport numpy as np\n"
                      "checks.assert_array(np.zeros(3), (99,), what='x')"),
        new_code_cell("import numpy as np\nnp.linalg.inv(np.zeros((2, 3)))"),
        new_code_cell("import sys, tempfile, pathlib, lstm_course\n"
                      "print(sys.prefix, tempfile.gettempdir(), pathlib.Path.home(), lstm_course.__file__)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3").execute()
    return nb


def test_real_tracebacks_lose_their_paths_and_keep_their_colours(tmp_path):
    nb = _real_tracebacks()
    raw = nbformat.writes(nb)
    package = str(Path(lstm_course.__file__).parent)
    assert package in raw and sys.prefix in raw  # the kernel did show them
    nb = run(FB.ScrubGraderPaths(course_root=str(tmp_path)), nb)
    text = nbformat.writes(nb)
    for root in (package, sys.prefix, os.path.realpath(sys.prefix), tempfile.gettempdir(),
                 str(Path.home()), str(Path(package).parent)):
        assert re.search(re.escape(root) + r"(?![\w.-])", text) is None, root
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert "<course>/lstm_course/checks/structure.py" in "\n".join(errors[0].traceback)
    assert "<env>/numpy/linalg/" in "\n".join(errors[1].traceback)
    assert any("\x1b[" in line for line in errors[0].traceback)  # colours survive
    printed = nb.cells[2].outputs[0].text
    assert printed.split()[:3] == ["<venv>", "<tmp>", "<home>"]
    page = page_of(nb)
    assert "&lt;course&gt;/lstm_course/checks/structure.py" in page
    assert FB.PathScrubber(FB.grader_roots(tmp_path)).find(html_text(page)) == []


def test_paths_split_by_colour_codes_and_course_paths_are_found(tmp_path):
    course = tmp_path / "course"
    cut = len(str(course)) // 2
    split = f"File \x1b[32m{str(course)[:cut]}\x1b[1m{str(course)[cut:]}/autograded/s1/a1/x.py\x1b[39m, line 3"
    clean = f"\x1b[32m{tempfile.gettempdir()}/x\x1b[0m and {tempfile.gettempdir()}foo and nota{sys.prefix}"
    cell = new_code_cell(f"open('{course}/source/a1/a1.ipynb')")
    cell.outputs = [new_output("stream", name="stdout", text=split + "\n" + clean),
                    display({"text/html": f"<b>{sys.prefix}/bin/python</b>",
                             "text/plain": f"{sys.prefix}/bin/python"})]
    md = new_markdown_cell(f"See `{course}/data.csv`")
    nb = run(FB.ScrubGraderPaths(course_root=str(course)), new_notebook(cells=[cell, md]))
    stream = nb.cells[0].outputs[0].text
    assert "File <course>/autograded/s1/a1/x.py, line 3" in stream  # colours dropped here only
    assert f"\x1b[32m<tmp>/x\x1b[0m" in stream  # kept where no path crosses them
    assert f"{tempfile.gettempdir()}foo" in stream  # not a folder of ours: left alone
    assert f"nota{sys.prefix}" in stream  # a relative path that merely ends like one
    assert nb.cells[0].source == "open('<course>/source/a1/a1.ipynb')"
    assert nb.cells[0].outputs[1].data["text/html"] == "<b>&lt;venv&gt;/bin/python</b>"
    assert nb.cells[0].outputs[1].data["text/plain"] == "<venv>/bin/python"
    assert "&lt;course&gt;/data.csv" in nb.cells[1].source


def test_roots_are_found_at_run_time_most_specific_first(tmp_path):
    roots = FB.grader_roots(tmp_path)
    found = dict(roots)
    assert found[str(tmp_path)] == "<course>"
    assert found[sys.prefix] == "<venv>"
    assert found[str(Path(lstm_course.__file__).parent)] == "<course>/lstm_course"
    assert "/" not in found
    lengths = [len(path) for path, _ in roots]
    assert lengths == sorted(lengths, reverse=True)


# --------------------------------------------------------------------------
# active HTML
# --------------------------------------------------------------------------

def _hostile_notebook():
    code = new_code_cell("show()")
    code.outputs = [
        new_output("stream", name="stdout", text='<script>alert("pwned-1234")</script>\n'),
        display({"text/html": HOSTILE_HTML, "text/plain": "<HTML>"}),
        display({"application/javascript": "alert('pwned-js')", "text/plain": "<Javascript>"}),
        display({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(8)</script></svg>',
                 "text/plain": "<SVG with a script>"}),
        display({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><circle r="5"/></svg>',
                 "text/plain": "<SVG>"}),
        display({"text/html": "<p>isolated</p><script>alert(9)</script>", "text/plain": ""},
                {"text/html": {"isolated": True}}),
        display({"text/markdown": "[md](javascript:alert(10)) <script>alert(11)</script> **kept**",
                 "text/plain": ""}),
        display({"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "widget"}),
        display({"text/html": KERAS_LIKE, "text/plain": "summary"}),
        new_output("execute_result", data={"text/html": PANDAS_LIKE, "text/plain": "df"}, execution_count=1),
        display({"image/png": PNG, "text/plain": "<Figure>"}),
    ]
    nb = new_notebook(cells=[new_markdown_cell("# Question\n\nWhy? $a<b$"), code,
                             new_markdown_cell(HOSTILE_MARKDOWN)])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_unsanitised_page_would_run_student_code():
    """The problem: nbconvert puts student HTML, JavaScript and markdown into the page as they are."""
    active = student_active(page_of(_hostile_notebook()))
    assert any("pwned-html" in a for a in active) and any("pwned-js" in a for a in active)
    assert any("onerror" in a for a in active) and any("md-link" in a for a in active)
    assert any("example.org/pixel.png" in a for a in active)
    assert any("example.org/t.png" in a for a in active)


def test_sanitised_page_runs_nothing_and_keeps_rich_output():
    nb = run(FB.SanitizeFeedbackHTML(), _hostile_notebook())
    page = page_of(nb)
    assert student_active(page) == []
    text = html_text(page)
    # hostile markup is shown as text, not run
    assert 'alert("pwned-html")' in text and "alert('md-script')" in text
    assert '<script>alert("pwned-1234")</script>' in text
    assert "pwned-js" not in page  # JavaScript outputs are dropped (text/plain stays)
    assert "<Javascript>" in text and "<SVG with a script>" in text
    assert "widget-state" not in page and "isolated-iframe" not in page
    # rich output survives: Keras summary, pandas table (without its CSS as text), images
    assert '<span style="font-weight: bold;"> Layer (type) </span>' in page
    assert 'text-decoration-color: #0087ff' in page
    assert '<table border="1" class="dataframe">' in page and "<td>0.25</td>" in page
    assert ".dataframe thead th" not in text
    assert f"data:image/png;base64,{PNG}" in page
    assert "data:image/svg+xml;base64," in page  # the clean SVG, shown as an image
    assert "<b>bold stays</b>" in page and "<strong>kept</strong>" in page
    # markdown still renders: headings, code with <, quotes, math
    assert '<h1 id="Question">' in page and "$a&lt;b$" in page
    assert "if a < b and c > d:" in text
    assert "<blockquote>" in page


def test_sanitiser_attribute_rules():
    assert FB.safe_url("a", "href", "https://example.org/x")
    assert FB.safe_url("a", "href", "#section")
    assert FB.safe_url("img", "src", "data:image/png;base64,AAAA")
    assert not FB.safe_url("a", "href", "data:image/png;base64,AAAA")
    assert not FB.safe_url("a", "href", "java\tscript:alert(1)")
    assert not FB.safe_url("a", "href", "&#106;avascript:alert(1)")
    assert not FB.safe_url("img", "src", "data:text/html;base64,AAAA")
    # images load by themselves: none from another server (it would learn the page was opened)
    assert FB.safe_url("img", "src", "figure.png")
    for remote in ("https://example.org/pixel.png", "http://x/p", "//example.org/p.png",
                   "\\\\host\\share\\p.png", " htt&#x70;s://example.org/p.png"):
        assert not FB.safe_url("img", "src", remote), remote
    assert FB.safe_url("a", "href", "//example.org/page")  # a link needs a click
    assert not FB.allow_attribute("img", "onerror", "alert(1)")
    assert not FB.allow_attribute("iframe", "srcdoc", "<script>")


# --------------------------------------------------------------------------
# the scan's detectors
# --------------------------------------------------------------------------

def test_template_page_is_clean_and_its_scripts_are_known():
    page = FB.template_page()
    assert student_active(page) == []
    assert len(FB.template_content()) >= 1  # MathJax at least
    assert FB.PathScrubber(FB.grader_roots()).find(html_text(page)) == []


@pytest.mark.parametrize("markup", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" &#106;avascript:alert(1)">x</a>',
    '<iframe src="https://example.org"></iframe>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
    '<meta http-equiv="refresh" content="0;url=https://example.org">',
    '<object data="data:text/html;base64,PHNjcmlwdD4="></object>',
    '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js"></script>',
    '<img src="https://example.org/pixel.png">',
    '<img alt="x" src="//example.org/pixel.png">',
])
def test_active_content_is_detected(markup):
    page = FB.template_page().replace("</body>", markup + "</body>")
    assert student_active(page)


def test_escaped_markup_is_not_active():
    page = FB.template_page().replace("</body>", "<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre></body>")
    assert student_active(page) == []


# --------------------------------------------------------------------------
# end to end: autograde, generate_feedback, scan
# --------------------------------------------------------------------------

SCRIPTY_MEAN = f'''from IPython.display import HTML, Javascript, display
print('<script>alert("pwned-1234")</script>')
display(HTML("""{HOSTILE_HTML}"""))
display(Javascript('alert("pwned-js")'))
display(HTML("""{KERAS_LIKE}"""))
from IPython.display import Image
import base64
display(Image(data=base64.b64decode("{PNG}"), format="png"))  # as matplotlib shows a figure
def mean(xs):
    print("peek:", get_ipython().user_ns["In"][-1])  # the calling test cell, hidden part included
    return sum(xs) / len(xs)
'''
CRASHY_MEAN = '''import os, sys, tempfile
import numpy as np
from lstm_course import checks
print(os.getcwd(), sys.prefix, tempfile.gettempdir())
def mean(xs):
    checks.assert_array(np.asarray(xs, dtype=float), (99,), what="xs")
    return 0.0
np.linalg.inv(np.zeros((2, 3)))
'''
PREPROCESSORS = """
from lstm_grader.feedback import feedback_preprocessors
c.GenerateFeedback.preprocessors = feedback_preprocessors()
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feedback")
    src = F.write_source(tmp / "src")
    course = C.new_course(tmp, [src], config_extra=PREPROCESSORS)
    student = C.read(C.release(course, F.ASSIGNMENT))
    solution = C.solution_cells(C.read(src / f"{F.NOTEBOOK}.ipynb"))
    scripty = C.with_cells(student, {**solution, "mean": SCRIPTY_MEAN})
    scripty.cells.append(new_markdown_cell(HOSTILE_MARKDOWN))
    # a marker typed by a student, with no end: nbgrader's ClearHiddenTests raised on it
    scripty.cells.append(new_markdown_cell("Question: what runs in ### BEGIN HIDDEN TESTS?"))
    submissions = {
        "solution": C.with_cells(student, solution),
        "scripty": scripty,
        "crashy": C.with_cells(student, {**solution, "mean": CRASHY_MEAN}),
    }
    for student_id, nb in submissions.items():
        C.submit(course, F.ASSIGNMENT, student_id, nb, f"{F.NOTEBOOK}.ipynb")
    C.check(C.autograde(course, F.ASSIGNMENT))
    C.check(C.run_nbgrader(course, "generate_feedback", F.ASSIGNMENT, "--force"))
    pages = {p.parent.parent.name: p for p in (course / "feedback").rglob("*.html")}
    assert set(pages) == set(submissions)
    return {"course": course, "pages": pages}


HIDDEN_LINE = f"assert mean([-1.5, 1.5]) == 0, '{F.HIDDEN_MARKER}'"


@pytest.mark.pipeline
def test_feedback_pages_hold_no_hidden_tests_or_mark_schemes(fed):
    for name, page in fed["pages"].items():
        raw = page.read_text()
        text = html_text(raw)
        assert "HIDDEN TESTS" not in raw and "mean([-1.5, 1.5])" not in text, name
        assert HIDDEN_LINE not in {line.strip() for line in text.splitlines()}, name
        assert F.MARK_SCHEME_MARKER not in raw and "MARK SCHEME" not in raw, name
        assert "why the mean is sensitive to outliers" in text  # the question itself stays
    # the scripty student's mean() prints the test cell that calls it: the hidden part is redacted
    peeky = html_text(fed["pages"]["scripty"].read_text())
    assert "peek: assert mean([1, 2, 3]) == 2" in peeky and "[hidden test]" in peeky


@pytest.mark.pipeline
def test_feedback_pages_hold_no_grader_paths(fed):
    course = fed["course"]
    package = Path(lstm_course.__file__).parent
    for name, page in fed["pages"].items():
        text = html_text(page.read_text())
        for root in {str(course), str(course.resolve()), sys.prefix, os.path.realpath(sys.prefix),
                     str(package), str(package.parent)}:
            assert root not in text, (name, root)
        assert FB.PathScrubber(FB.grader_roots(course)).find(text) == [], name
    crashy = html_text(fed["pages"]["crashy"].read_text())
    # the tracebacks are there, with placeholders
    assert "<course>/lstm_course/checks/structure.py" in crashy
    assert "<env>/numpy/linalg/" in crashy
    # the sandbox shows the working copy at a fixed path, not the grader's folder
    assert "/course/autograded/crashy/fx_stats <venv> <tmp>" in crashy


@pytest.mark.pipeline
def test_feedback_pages_run_no_student_code(fed):
    for name, page in fed["pages"].items():
        assert student_active(page.read_text()) == [], name
    raw = fed["pages"]["scripty"].read_text()
    text = html_text(raw)
    assert '<script>alert("pwned-1234")</script>' in text  # shown, as text
    assert '<script>alert("pwned-1234")' not in raw
    assert "<b>bold stays</b>" in raw
    assert '<span style="font-weight: bold;"> Layer (type) </span>' in raw
    assert f'src="data:image/png;base64,{PNG}' in raw
    assert "alert('md-script')" in text and "md-link" not in raw.replace("alert('md-link')", "")


@pytest.mark.pipeline
def test_scan_passes_clean_feedback(fed):
    course = fed["course"]
    assert FB.scan_feedback(course / "feedback", course / "source", F.ASSIGNMENT) == []
    assert FB.main([F.ASSIGNMENT, "--course", str(course), "--keep"]) == 0


@pytest.mark.pipeline
def test_scan_catches_and_quarantines_planted_leaks(fed, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(fed["course"] / "source", course / "source")
    shutil.copytree(fed["course"] / "feedback", course / "feedback")
    clean = fed["pages"]["solution"].read_text()
    checks_path = Path(checks.__file__)
    planted = {
        "hidden": '<pre><span class="k">assert</span> <span class="n">mean</span>([-1.5, 1.5]) == 0, '
                  f"<span class=\"s1\">'{F.HIDDEN_MARKER}'</span></pre>",
        "mark scheme": f"<p>One extreme value moves the sum without bound ({F.MARK_SCHEME_MARKER}).</p>",
        "path": f"<pre>File {checks_path}:12, in assert_array</pre>",
        "script": "<img src=x onerror=\"alert('planted')\">",
    }
    for kind, markup in planted.items():
        folder = course / "feedback" / f"planted-{kind.replace(' ', '-')}" / F.ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{F.NOTEBOOK}.html").write_text(clean.replace("</body>", markup + "\n</body>", 1))
    leaks = FB.scan_feedback(course / "feedback", course / "source", F.ASSIGNMENT)
    by_page = {}
    for leak in leaks:
        by_page.setdefault(leak.page.parent.parent.name, set()).add(leak.kind)
    assert by_page == {f"planted-{k.replace(' ', '-')}": {k} for k in planted}, leaks

    assert FB.main([F.ASSIGNMENT, "--course", str(course)]) == 1
    quarantined = course / "feedback_quarantine"
    assert sorted(p.parent.parent.name for p in quarantined.rglob("*.html")) == sorted(by_page)
    assert not any(list((course / "feedback" / name).rglob("*.html")) for name in by_page)
    assert sorted(p.parent.parent.name for p in (course / "feedback").rglob("*.html")) == \
        ["crashy", "scripty", "solution"]
    assert FB.main([F.ASSIGNMENT, "--course", str(course)]) == 0


def test_quarantine_moves_each_page_once(tmp_path):
    page = tmp_path / "feedback" / "s1" / "a1" / "nb.html"
    page.parent.mkdir(parents=True)
    page.write_text("<script>x</script>")
    leaks = [FB.Leak(page, "script", "x"), FB.Leak(page, "path", "y")]
    moved = FB.quarantine(leaks, tmp_path / "feedback")
    assert moved == [tmp_path / "feedback_quarantine" / "s1" / "a1" / "nb.html"]
    assert moved[0].read_text() == "<script>x</script>" and not page.exists()


def test_scan_refuses_without_source(tmp_path, capsys):
    (tmp_path / "feedback").mkdir()
    assert FB.main(["nothing", "--course", str(tmp_path)]) == 2
    assert "cannot scan" in capsys.readouterr().err


def test_scan_checks_other_files_copied_into_feedback(tmp_path):
    """generate_feedback copies a submission's other files into feedback/ too:
    an HTML file a student handed in is checked like a page."""
    secret = {"solution": set(), "hidden": {HIDDEN_LINE}, "mark scheme": set()}
    paths = FB.PathScrubber(FB.grader_roots(tmp_path))
    handed_in = tmp_path / "notes.html"
    handed_in.write_text("<p>my notes</p><script>fetch('/api/contents')</script>")
    text_file = tmp_path / "notes.txt"
    text_file.write_text(f"<script>not a page</script>\n{HIDDEN_LINE}\n")
    assert [leak.kind for leak in FB.scan_page(handed_in, secret, paths)] == ["script"]
    assert [leak.kind for leak in FB.scan_page(text_file, secret, paths)] == ["hidden"]


def test_lstm_course_scan_feedback_command_runs_the_scan(tmp_path):
    from lstm_grader.cli import main as cli_main

    (tmp_path / "feedback").mkdir()
    assert cli_main(["scan-feedback", "nothing", "--course", str(tmp_path)]) == 2  # no source: refuses
