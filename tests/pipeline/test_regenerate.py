"""assignments/ and solutions/ are nbgrader's output for source/: regenerate them
in a temporary course directory and compare with the committed copies."""

from __future__ import annotations

import json

import pytest

import course as C

pytestmark = pytest.mark.pipeline

# Executing the solutions again would only repeat what test_pipeline.py checks
# on the committed solutions/ (their outputs); here the cells themselves are compared.
NO_EXECUTE = """
c.GenerateSolution.preprocessors = [
    p for p in c.GenerateSolution.preprocessors if p.__name__ != "Execute"
]
"""


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("regen")
    course = C.new_course(tmp, [C.ROOT / "source" / a for a in C.ASSIGNMENTS], NO_EXECUTE)
    for assignment in C.ASSIGNMENTS:
        C.check(C.run_nbgrader(course, "generate_assignment", assignment, "--force"))
        C.check(C.run_nbgrader(course, "generate_solution", assignment, "--force"))
    return course


def files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and ".ipynb_checkpoints" not in p.parts)


def cells(path):
    """What nbgrader decides: cell types, sources and metadata (not outputs)."""
    nb = json.loads(path.read_text())
    return [(c["cell_type"], c["source"], c["metadata"]) for c in nb["cells"]]


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_assignments_match_regeneration(regenerated, assignment):
    new, old = regenerated / "assignments" / assignment, C.ROOT / "assignments" / assignment
    assert files(new) == files(old), "files differ: run `make assignments` and commit the result"
    for rel in files(new):
        if rel.suffix == ".ipynb":
            assert json.loads((new / rel).read_text()) == json.loads((old / rel).read_text()), (
                f"assignments/{assignment}/{rel} is stale: run `make assignments` and commit it")
        else:
            assert (new / rel).read_bytes() == (old / rel).read_bytes(), rel


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_solutions_match_regeneration(regenerated, assignment):
    new, old = regenerated / "solutions" / assignment, C.ROOT / "solutions" / assignment
    assert files(new) == files(old), "files differ: run `make assignments` and commit the result"
    for rel in files(new):
        if rel.suffix == ".ipynb":
            assert cells(new / rel) == cells(old / rel), (
                f"solutions/{assignment}/{rel} is stale: run `make assignments` and commit it")


@pytest.mark.parametrize("assignment", C.ASSIGNMENTS)
def test_committed_solutions_were_executed_top_to_bottom(assignment):
    for path in (C.ROOT / "solutions" / assignment).glob("*.ipynb"):
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), path
        errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
        assert not errors, f"{path} has stored errors: {[e['ename'] for e in errors]}"


def test_every_source_assignment_is_released():
    released = sorted(p.name for p in (C.ROOT / "assignments").iterdir() if p.is_dir())
    assert released == C.ASSIGNMENTS
