"""The committed seed sweep (reference/seeds.json, `make seeds`) is of today's code.

Every chapter must have been run under at least 5 seeds, and every assignment's
instructor notebook and each correct variant in tests/support/partials/ under at
least 20, with the same code cells as the committed notebook (``seeds.code_hash``),
and no check may have failed in those runs. A notebook edited without a new sweep
fails here: its stability page would describe code that no longer exists, and
the pipeline test grades the variants at one seed only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import seeds  # noqa: E402

REPORT = json.loads((ROOT / "reference" / "seeds.json").read_text())


def swept() -> list[tuple[str, int]]:
    """(notebook as the report names it, seeds it needs)."""
    found = [(str(p.relative_to(ROOT)), 5) for p in sorted((ROOT / "chapters").glob("*.ipynb"))]
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        name = str(path.relative_to(ROOT))
        found.append((name, 20))
        found += [(f"{name}{seeds.VARIANT_SEP}{variant}", 20) for variant in seeds.variant_cells(path.parent.name)]
    return found


def current_hash(name: str) -> str:
    file, _, variant = name.partition(seeds.VARIANT_SEP)
    nb = nbformat.read(ROOT / file, as_version=4)
    if variant:
        nb = seeds.with_cells(nb, seeds.variant_cells(Path(file).parent.name)[variant])
    return seeds.code_hash(nb)


@pytest.mark.parametrize("name, needed", swept())
def test_sweep_ran_the_current_code(name, needed):
    code = current_hash(name)
    runs = [r for r in REPORT["runs"] if r["notebook"] == name and r["code"] == code]
    assert len({r["seed"] for r in runs}) >= needed, (
        f"{name}: {len(runs)} seeds swept with its current code (need {needed}). Run "
        f"`python tools/seeds.py --seeds {needed} {'--variants ' if needed == 20 else ''}{name.split('::')[0]}` "
        "and commit reference/seeds.json and reference/stability.md")
    failed = [(r["seed"], c["label"], c["error"]) for r in runs for c in r["checks"] if not c["ok"]]
    stopped = [(r["seed"], r["stopped"]) for r in runs if r["stopped"]]
    assert not failed and not stopped, f"{name}: checks failed under some seeds: {(failed + stopped)[:5]}"
