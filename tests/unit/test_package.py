"""The package's shape: small modules, one place for each idea."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import course as C

PACKAGE = C.ROOT / "lstm_course"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
WINDOW = 6  # lines


def code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, stripped text) of the lines that hold code: no blank lines,
    comments or docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    return [(i, line.strip()) for i, line in enumerate(path.read_text().splitlines(), 1)
            if line.strip() and not line.strip().startswith("#") and i not in docstrings]


def test_no_block_of_six_lines_is_repeated():
    """A repeated block of six code lines (even across modules) belongs in one helper."""
    seen = defaultdict(list)
    for path in MODULES:
        lines = code_lines(path)
        for k in range(len(lines) - WINDOW + 1):
            block = tuple(text for _, text in lines[k:k + WINDOW])
            seen[block].append(f"{path.relative_to(C.ROOT)}:{lines[k][0]}")
    repeated = {places[0]: places[1:] for places in seen.values() if len(places) > 1}
    assert not repeated, f"blocks of {WINDOW} lines repeated: {repeated}"


def test_the_repeat_detector_finds_a_repeat(tmp_path):
    """The test above can fail: a copied function is found."""
    body = "def f(x):\n" + "".join(f"    x = x + {i}\n" for i in range(WINDOW)) + "    return x\n"
    path = tmp_path / "m.py"
    path.write_text(body + "\n\n" + body.replace("def f", "def g"))
    lines = [text for _, text in code_lines(path)]
    blocks = [tuple(lines[k:k + WINDOW]) for k in range(len(lines) - WINDOW + 1)]
    assert len(blocks) > len(set(blocks))


def test_modules_stay_small():
    sizes = {p.relative_to(C.ROOT).as_posix(): len(p.read_text().splitlines()) for p in MODULES}
    large = {name: n for name, n in sizes.items() if n > 420}
    assert not large, f"split these modules by concept (about 400 lines at most): {large}"


def test_no_module_is_named_after_a_chapter_or_an_assignment():
    names = {p.stem for p in MODULES} | {p.parent.name for p in MODULES}
    places = {p.stem.split("_", 1)[1] for p in (C.ROOT / "chapters").glob("*.ipynb")}
    places |= {p.name.split("_", 1)[1] for p in (C.ROOT / "source").iterdir() if p.is_dir()}
    named = sorted(n for n in names if any(n.startswith(place) for place in places))
    assert not named, f"modules named after a chapter or an assignment: {named}"
