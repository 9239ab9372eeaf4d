"""The seed sweep (tools/seeds.py, `make seeds`) on a small notebook with two seeds.

The notebook draws a number from a seeded generator, glues it and a word, has
an assert that fails at seed 1 only, an nbgrader test cell that always
passes, and a cell tagged ``raises-exception`` that must not count.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import seeds  # noqa: E402


def small_notebook(path: Path) -> None:
    cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nfrom myst_nb import glue\nfrom lstm_course.notebook import seeded"
        ),
        nbformat.v4.new_code_cell(
            'value = np.random.default_rng(seeded(0)).uniform()\nglue("value", float(value), display=False)'
        ),
        nbformat.v4.new_code_cell('assert seeded(0) != 1, "fails at seed 1 only"'),
        nbformat.v4.new_code_cell(
            "assert seeded(0) >= 0",
            metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "test_seed", "points": 2}},
        ),
        nbformat.v4.new_code_cell('raise ValueError("shown on purpose")', metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell('glue("word", "ab"[seeded(0)], display=False)'),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_sweep_counts_checks_and_spreads_over_two_seeds(tmp_path):
    nb = tmp_path / "small.ipynb"
    small_notebook(nb)
    report_path, page = tmp_path / "seeds.json", tmp_path / "stability.md"
    code = seeds.main([str(nb), "--seeds", "2", "--jobs", "2", "--out", str(report_path), "--page", str(page)])
    assert code == 1  # a check failed under some seed

    report = json.loads(report_path.read_text())
    assert [(r["seed"], r["stopped"]) for r in report["runs"]] == [(0, ""), (1, "")]
    summary = report["summary"][str(nb)]
    checks = {c["kind"]: c for c in summary["checks"]}
    assert set(checks) == {"assert", "graded"}  # the raises-exception cell is not a check
    assert checks["assert"]["passed"] == 1 and checks["assert"]["failed_seeds"] == [1]
    assert "fails at seed 1 only" in checks["assert"]["errors"][0]
    assert checks["graded"]["label"] == "test_seed (2 pt)" and checks["graded"]["passed"] == 2

    drawn = [np.random.default_rng(s).uniform() for s in (0, 1)]
    value = summary["glue"]["value"]
    assert (value["min"], value["max"]) == (min(drawn), max(drawn))
    assert value["median"] == np.median(drawn)
    assert summary["glue"]["word"]["distinct"] == ["a", "b"]

    text = page.read_text()
    assert "1/2" in text and "2/2" in text and "failed at seeds" in text
    # The page is a function of the report alone.
    assert seeds.main(["--page-only", "--out", str(report_path), "--page", str(tmp_path / "again.md")]) == 0
    assert (tmp_path / "again.md").read_text() == text


def test_committed_page_is_rendered_from_the_committed_report():
    report = json.loads(seeds.DEFAULT_REPORT.read_text())
    assert seeds.DEFAULT_PAGE.read_text() == seeds.render_page(report) + "\n"


def test_variants_are_the_partials_correct_submissions():
    found = seeds.variant_cells("a4_sentiment")
    assert "variant" in found and "build_baseline" in found["variant"]
    assert seeds.variant_cells("no_such_assignment") == {}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.cells[0].metadata["nbgrader"] = {"grade_id": "answer", "solution": True}
    assert seeds.with_cells(nb, {"answer": "x = 2"}).cells[0].source == "x = 2"
    with pytest.raises(KeyError):
        seeds.with_cells(nb, {"missing": ""})


def test_merge_adds_the_runs_of_another_report(tmp_path):
    def run(notebook, seed, value, ok=True):
        return {"notebook": notebook, "seed": seed, "seconds": 1.0, "stopped": "", "code": "c0de",
                "checks": [{"cell": 1, "kind": "assert", "label": "assert x", "ok": ok, "error": ""}],
                "glue": {"value": value}}

    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    seeds.write_report(ours, [run("a.ipynb", 0, 1.0), run("b.ipynb", 0, 5.0, ok=False)], {})
    seeds.write_report(theirs, [run("b.ipynb", 0, 6.0), run("b.ipynb", 1, 7.0)], {})
    page = tmp_path / "page.md"
    assert seeds.main(["--merge", str(theirs), "--out", str(ours), "--page", str(page)]) == 0
    merged = json.loads(ours.read_text())
    assert [(r["notebook"], r["seed"]) for r in merged["runs"]] == [("a.ipynb", 0), ("b.ipynb", 0), ("b.ipynb", 1)]
    assert merged["summary"]["b.ipynb"]["glue"]["value"]["median"] == 6.5  # their runs replaced ours
    assert not merged["summary"]["b.ipynb"]["checks"][0]["failed_seeds"]
    assert "`b.ipynb`" in page.read_text()
