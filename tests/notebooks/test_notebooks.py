"""Static checks of the committed chapter notebooks (nbval checks their outputs)."""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest

import course as C
from pages import display_maths, heading_problems, page_text

CHAPTERS = sorted((C.ROOT / "chapters").glob("*.ipynb"))
sys.path.insert(0, str(C.ROOT / "tools"))
TF_NOISE = re.compile(r"absl|oneDNN|cpu_feature_guard|cudart_stub|I0000|E0000|W0000")


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_was_run_top_to_bottom_without_noise(path):
    nb = load(path)
    counts = [c["execution_count"] for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: re-run with `make execute NB={path.relative_to(C.ROOT)}`")
    for cell in code_cells(nb):
        for out in cell["outputs"]:
            assert out["output_type"] != "error" or "raises-exception" in tags(cell), "stored error"
            if out["output_type"] == "stream" and out["name"] == "stderr":
                assert not TF_NOISE.search("".join(out["text"])), "TensorFlow log noise stored"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_structure(path):
    nb = load(path)
    text = markdown(nb)
    assert "Learning objectives" in text, "start with a 'Learning objectives' admonition"
    assert re.search(r"^## Summary", text, re.M), "end with a '## Summary' section"
    exercises = re.findall(r"```\{exercise\}", text)
    solutions = re.findall(r"```\{solution\}[^\n]*\n:class: dropdown", text)
    assert len(exercises) >= 2, "at least two exercises"
    assert len(solutions) >= len(exercises), "every exercise needs a solution in a dropdown"
    assert "{cite" in text, "cite the sources (references.bib)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_figures_have_captions_and_alt_text(path):
    for cell in code_cells(load(path)):
        if any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            meta = cell["metadata"].get("mystnb", {})
            assert meta.get("figure", {}).get("caption"), f"figure without caption: {''.join(cell['source'])[:80]}"
            assert meta.get("image", {}).get("alt"), f"figure without alt text: {''.join(cell['source'])[:80]}"


def bare_tex_words(caption: str) -> list[str]:
    """Words of three letters or more inside a caption's $...$ that lack their backslash.

    A caption written in a Python string as "\\tanh" without a raw string loses
    "\\t" to a tab, and the figure then reads "o ⊙ anh"; ``\\text{...}`` and
    the like may hold words.
    """
    words = []
    for span in re.findall(r"\$([^$]*)\$", caption):
        span = re.sub(r"\\(?:text|mathrm|textrm|mathit|operatorname)\{[^}]*\}", "", span)
        words += re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}", span)
    return words


def test_bare_tex_words_finds_a_lost_backslash():
    assert bare_tex_words("the use gate ($o \\odot anh$ of it)") == ["anh"]
    assert bare_tex_words("($o \\odot \\tanh$, $x_t$, $\\text{new}$) and anh") == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_caption_maths_keeps_its_commands(path):
    for cell in code_cells(load(path)):
        meta = cell["metadata"].get("mystnb", {})
        for text in (meta.get("figure", {}).get("caption", ""), meta.get("image", {}).get("alt", "")):
            assert not re.search(r"[\x00-\x08\x0b-\x1f]", text), f"control character in {text[:80]!r}"
            assert not bare_tex_words(text), f"TeX command without its backslash in {text[:120]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_summaries_are_compared(path):
    """Model summaries are the outputs nbval must verify: never ignore them."""
    for cell in code_cells(load(path)):
        if ".summary()" in "".join(cell["source"]):
            assert "nbval-ignore-output" not in tags(cell) and "nbval-skip" not in tags(cell)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_ignored_outputs_are_backed_by_assertions(path):
    """A notebook that hides unstable outputs from nbval must assert on its results."""
    cells = code_cells(load(path))
    ignored = [c for c in cells if "nbval-ignore-output" in tags(c)]
    if ignored:
        checked = [c for c in cells if "nbval-ignore-output" not in tags(c)
                   and re.search(r"^\s*assert ", "".join(c["source"]), re.M)]
        assert checked, "tagged nbval-ignore-output but no compared cell asserts on the results"


# --------------------------------------------------------------------------- reading aids

@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_headings_descend_in_order(path):
    """One title, then sections that never skip a level (screen readers list them)."""
    assert not heading_problems(page_text(path))


def test_heading_check_finds_a_skipped_level():
    assert heading_problems("# T\n\n## A\n\n#### B\n") == ["#### 'B' follows a level-2 heading"]
    assert heading_problems("## A\n# T\n")[0].startswith("the first heading")
    assert heading_problems("# T\n```python\n# a comment\n### not a heading\n```\n## A\n") == []


def test_every_display_equation_is_numbered():
    """A $$ equation gets a number, per chapter like the figures ((6.2), Fig. 6.2),
    only with a label; labels must be unique across the book."""
    labels = []
    for path in CHAPTERS:
        for tex, label in display_maths(page_text(path)):
            assert label, f"{path.name}: equation without a label: {tex[:60]!r}"
            labels.append(label)
    assert labels and len(labels) == len(set(labels)), "a label is used twice"
    assert display_maths("$$\nx = 1\n$$ (eq-a)\n\ntext\n\n  $$y = 2$$\n") == [("x = 1", "eq-a"), ("y = 2", None)]


def test_every_chapter_says_how_to_run_it():
    """The collapsed "Running this notebook" note (tools/running_note.py) is in every
    chapter, after the opening cell, and names the wheel the site offers."""
    import running_note

    assert not running_note.stale(), "run tools/running_note.py"
    assert running_note.sb.wheel_name() in running_note.note_text()


def test_running_note_check_finds_a_stale_note(tmp_path):
    """A version bump makes every note stale until the tool rewrites them."""
    import running_note

    (tmp_path / "chapters").mkdir()
    shutil.copyfile(CHAPTERS[0], tmp_path / "chapters" / CHAPTERS[0].name)
    pyproject = (C.ROOT / "pyproject.toml").read_text()
    version = running_note.sb.project_version()
    (tmp_path / "pyproject.toml").write_text(pyproject.replace(f'version = "{version}"', 'version = "99.0"', 1))
    assert running_note.stale(tmp_path) == [f"chapters/{CHAPTERS[0].name}"]
    assert running_note.apply(tmp_path / "chapters" / CHAPTERS[0].name, running_note.note_text(tmp_path))
    assert running_note.stale(tmp_path) == []
