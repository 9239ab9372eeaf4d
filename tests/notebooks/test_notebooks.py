"""Static checks of the committed chapter notebooks (nbval checks their outputs)."""

from __future__ import annotations

import json
import re

import pytest

import course as C

CHAPTERS = sorted((C.ROOT / "chapters").glob("*.ipynb"))
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
