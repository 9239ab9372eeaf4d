"""No solution code, hidden test or mark scheme in assignments/; no hidden test in solutions/."""

from __future__ import annotations

import pytest

import course as C
from leaks import find_leaks, secrets


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_student_versions_hold_no_secrets(assignment):
    for source in (C.ROOT / "source" / assignment).glob("*.ipynb"):
        secret = secrets(source)
        assert secret["solution"], f"{source}: found no solution code to check for"
        for released in (C.ROOT / "assignments" / assignment).rglob("*"):
            if released.is_file():
                leaks = find_leaks(released.read_text(errors="replace"), secret)
                assert not leaks, f"{released} leaks: {leaks[:5]}"


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_solutions_hold_no_hidden_tests(assignment):
    for source in (C.ROOT / "source" / assignment).glob("*.ipynb"):
        secret = secrets(source)
        assert secret["hidden"], f"{source}: every assignment should have hidden tests"
        for path in (C.ROOT / "solutions" / assignment).rglob("*.ipynb"):
            text = path.read_text()
            assert "HIDDEN TESTS" not in text
            leaks = find_leaks(text, secret, kinds=("hidden",))
            assert not leaks, f"{path} leaks hidden tests: {leaks[:5]}"


def test_leak_detector_finds_a_planted_leak():
    """The check above must be able to fail: plant a solution line and a hidden test."""
    source = C.ROOT / "source" / C.ASSIGNMENTS[0]
    (nb,) = source.glob("*.ipynb")
    secret = secrets(nb)
    planted = next(iter(secret["solution"])) + "\n" + next(iter(secret["hidden"]))
    assert len(find_leaks(planted, secret)) == 2


def test_leak_detector_reads_notebook_files():
    """A solution line hidden inside a released notebook's JSON is found too."""
    import json

    assignment = C.ASSIGNMENTS[0]
    (source,) = (C.ROOT / "source" / assignment).glob("*.ipynb")
    (released,) = (C.ROOT / "assignments" / assignment).glob("*.ipynb")
    secret = secrets(source)
    nb = json.loads(released.read_text())
    assert not find_leaks(json.dumps(nb), secret)
    nb["cells"][-1]["source"] = ["print('hi')\n", "    " + sorted(secret["solution"])[0] + "\n"]
    assert find_leaks(json.dumps(nb), secret)
