"""Seed sweep: re-run notebooks under other seeds and record what moves.

    python tools/seeds.py                          # chapters + source assignments, seeds 0..4
    python tools/seeds.py --seeds 20 source        # the graded tests, seeds 0..19
    python tools/seeds.py --page-only              # re-render the book page from the report
    python tools/seeds.py --seeds 20 --variants source   # and correct student variants
    python tools/seeds.py --merge other.json       # add the runs of a sweep made elsewhere

``--variants`` also runs, for each assignment in ``source/``, the correct
student submissions written differently from the solution that
``tests/support/partials/<assignment>.py`` holds (``VARIANT_CELLS``, which the
pipeline test grades, and ``SWEEP_VARIANTS``): the source notebook with its
solution cells replaced, reported as ``<notebook>::<variant>``. A correct
student must pass every graded test under every seed too.

Each (notebook, seed) pair runs top to bottom in a fresh kernel with
``LSTM_COURSE_SEED=seed`` in its environment. :mod:`lstm_course.notebook`
shifts the global seed by it, and the task generators, data splits and the
NumPy RNN shift their own seeds with it (see ``lstm_course.notebook.seeded``).
Errors do not stop a run, so every check gets an outcome. Per run the sweep
records

* every code cell that holds an ``assert`` (kind ``assert``) and every
  nbgrader test cell (kind ``graded``): passed or failed, with the error;
* every value glued with myst-nb's ``glue`` (numbers as floats, others as text);
* any other cell that raised (kind ``error``).

The report (``--out``, default ``reference/seeds.json``) merges the runs of
all notebooks; the page (``--page``, default ``reference/stability.md``) shows
each glued number's median and range and each check's pass count. Running a
subset of notebooks replaces only their entries in an existing report.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lstm_course.env import quiet_tensorflow  # noqa: E402
from lstm_course.notebook import SEED_ENV  # noqa: E402

quiet_tensorflow()

DEFAULT_TARGETS = ("chapters", "source")
DEFAULT_REPORT = ROOT / "reference" / "seeds.json"
DEFAULT_PAGE = ROOT / "reference" / "stability.md"


@dataclass
class Check:
    """One cell whose outcome the sweep counts."""

    cell: int
    kind: str  # "assert", "graded" or "error"
    label: str
    ok: bool
    error: str = ""


@dataclass
class Run:
    notebook: str
    seed: int
    seconds: float
    checks: list[Check] = field(default_factory=list)
    glue: dict[str, Any] = field(default_factory=dict)
    stopped: str = ""  # why the run stopped early (a cell timeout, a dead kernel)
    code: str = ""  # hash of the notebook's code cells: runs of different versions do not mix


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def has_assert(source: str) -> bool:
    """True when the cell's code (magics aside) contains an ``assert`` statement."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return "assert " in source
    return any(isinstance(node, ast.Assert) for node in ast.walk(tree))


def _assert_label(source: str) -> str:
    lines = [line.strip() for line in source.splitlines() if line.strip().startswith("assert")]
    first = lines[0] if lines else source.strip().splitlines()[0]
    first = first if len(first) <= 90 else first[:87] + "..."
    return first + (f" (+{len(lines) - 1} more)" if len(lines) > 1 else "")


def glued_value(output: Any) -> tuple[str, Any] | None:
    """``(name, value)`` of a myst-nb ``glue`` output, else None."""
    name = output.get("metadata", {}).get("scrapbook", {}).get("name")
    if output.get("output_type") != "display_data" or not name:
        return None
    data = output.get("data", {})
    prefix = output["metadata"]["scrapbook"].get("mime_prefix", "")
    text = data.get(prefix + "text/plain", data.get("text/plain", ""))
    text = "".join(text) if isinstance(text, list) else text
    try:
        return name, float(text.replace("np.float64(", "").replace("np.int64(", "").rstrip(")"))
    except ValueError:
        return name, text.strip().strip("'\"")


def outcomes(nb: Any) -> tuple[list[Check], dict[str, Any]]:
    """The checks and glued values of an executed notebook."""
    checks: list[Check] = []
    glue: dict[str, Any] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        error = f"{errors[0]['ename']}: {errors[0]['evalue']}"[:300] if errors else ""
        for output in outputs:
            value = glued_value(output)
            if value is not None:
                glue[value[0]] = value[1]
        grading = cell.metadata.get("nbgrader", {})
        tags = cell.metadata.get("tags", [])
        source = _source(cell)
        if grading.get("grade") and not grading.get("solution"):
            label = f"{grading.get('grade_id', f'cell {index}')} ({grading.get('points', 0)} pt)"
            checks.append(Check(index, "graded", label, not errors, error))
        elif has_assert(source):
            checks.append(Check(index, "assert", _assert_label(source), not errors, error))
        elif errors and "raises-exception" not in tags:
            checks.append(Check(index, "error", source.strip().splitlines()[0][:90], False, error))
    return checks, glue


def code_hash(nb: Any) -> str:
    """A short hash of the code cells' sources (outputs and prose do not count)."""
    code = "\n\x00".join(_source(c) for c in nb.cells if c.cell_type == "code")
    return hashlib.sha256(code.encode()).hexdigest()[:12]


VARIANT_SEP = "::"


def partial_module(assignment: str) -> Any | None:
    """``tests/support/partials/<assignment>.py``, the hand-written submissions, loaded by path (None if absent)."""
    import importlib.util

    path = ROOT / "tests" / "support" / "partials" / f"{assignment}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_partial_{assignment}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def variant_cells(assignment: str) -> dict[str, dict[str, str]]:
    """name -> {grade id: source} of the correct variants in ``tests/support/partials/<assignment>.py``."""
    module = partial_module(assignment)
    if module is None:
        return {}
    found = {"variant": getattr(module, "VARIANT_CELLS", None)}
    found.update(getattr(module, "SWEEP_VARIANTS", {}))
    return {name: cells for name, cells in found.items() if cells}


def with_cells(nb: Any, cells: dict[str, str]) -> Any:
    """``nb`` with the sources of the cells of these nbgrader grade ids replaced."""
    seen = set()
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in cells:
            cell.source = cells[gid]
            seen.add(gid)
    if set(cells) - seen:
        raise KeyError(f"no cells with grade ids {sorted(set(cells) - seen)}")
    return nb


def run_one(path: str, seed: int, timeout: int) -> Run:
    """Execute one notebook under one seed in a fresh kernel (errors do not stop it).

    ``path`` may name a variant, ``source/a/a.ipynb::variant`` (see :func:`variant_cells`).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    file, _, variant = path.partition(VARIANT_SEP)
    nb_path = ROOT / file  # an absolute path stays itself
    nb = nbformat.read(nb_path, as_version=4)
    if variant:
        nb = with_cells(nb, variant_cells(nb_path.parent.name)[variant])
    code = code_hash(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=True,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(nb_path.parent)}},
        record_timing=False,
    )
    env = {**os.environ, SEED_ENV: str(seed)}
    stopped = ""
    start = time.perf_counter()
    try:
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except (CellTimeoutError, DeadKernelError) as exc:
        stopped = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    seconds = time.perf_counter() - start
    checks, glue = outcomes(nb)
    return Run(path, seed, round(seconds, 1), checks, glue, stopped, code)


def _shown(path: Path) -> str:
    """A path relative to the repository when it lies inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def notebooks(targets: list[str]) -> list[str]:
    found: list[str] = []
    for target in targets:
        if VARIANT_SEP in target:  # one variant of an assignment, named as in the report
            file, _, name = target.partition(VARIANT_SEP)
            if name not in variant_cells(Path(file).parent.name):
                raise SystemExit(f"no variant {name!r} of {file} in tests/support/partials/")
            found.append(f"{_shown((ROOT / file).resolve())}{VARIANT_SEP}{name}")
            continue
        p = (ROOT / target).resolve()
        paths = [p] if p.is_file() else sorted(p.rglob("*.ipynb"))
        found += [_shown(q) for q in paths if ".ipynb_checkpoints" not in q.parts]
    return found


def sweep(paths: list[str], seeds: list[int], jobs: int, timeout: int) -> list[Run]:
    pairs = [(path, seed) for path in paths for seed in seeds]
    runs: list[Run] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_one, path, seed, timeout): (path, seed) for path, seed in pairs}
        for future in futures:
            run = future.result()
            failed = sum(not c.ok for c in run.checks)
            print(f"{run.seconds:6.1f} s  seed {run.seed:2d}  {run.notebook}"
                  + (f"  {failed} failed" if failed else "") + (f"  {run.stopped}" if run.stopped else ""),
                  flush=True)
            runs.append(run)
    return runs


# -- the report ---------------------------------------------------------------------------


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per notebook: each check's pass count and each glued value's spread."""
    by_nb: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_nb.setdefault(run["notebook"], []).append(run)
    summary: dict[str, Any] = {}
    for nb, nb_runs in sorted(by_nb.items()):
        nb_runs.sort(key=lambda r: r["seed"])
        seeds = [r["seed"] for r in nb_runs]
        checks: dict[tuple[int, str, str], dict[str, Any]] = {}
        for r in nb_runs:
            for c in r["checks"]:
                entry = checks.setdefault(
                    (c["cell"], c["kind"], c["label"]),
                    {"cell": c["cell"], "kind": c["kind"], "label": c["label"], "passed": 0, "failed_seeds": [], "errors": []},
                )
                if c["ok"]:
                    entry["passed"] += 1
                else:
                    entry["failed_seeds"].append(r["seed"])
                    if c["error"] not in entry["errors"]:
                        entry["errors"].append(c["error"])
        values: dict[str, dict[str, Any]] = {}
        names = sorted({name for r in nb_runs for name in r["glue"]})
        for name in names:
            got = [r["glue"][name] for r in nb_runs if name in r["glue"]]
            if all(isinstance(v, float) for v in got):
                values[name] = {"median": statistics.median(got), "min": min(got), "max": max(got), "n": len(got)}
            else:
                values[name] = {"distinct": sorted({str(v) for v in got}), "n": len(got)}
        summary[nb] = {
            "seeds": seeds,
            "code_versions": sorted({r.get("code", "") for r in nb_runs}),
            "seconds": {"median": statistics.median(r["seconds"] for r in nb_runs), "max": max(r["seconds"] for r in nb_runs)},
            "stopped": {str(r["seed"]): r["stopped"] for r in nb_runs if r["stopped"]},
            "checks": sorted(checks.values(), key=lambda e: e["cell"]),
            "glue": values,
        }
    return summary


def spread(value: dict[str, Any]) -> float:
    """Range over |median| (0 for a value that never moves; inf around zero)."""
    if "median" not in value:
        return float(len(value["distinct"]) > 1)
    width = value["max"] - value["min"]
    if width == 0:
        return 0.0
    return width / abs(value["median"]) if value["median"] else float("inf")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("`", "'")


def _number(x: float) -> str:
    if x == int(x) and abs(x) < 1e7:
        return f"{int(x):,}"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def render_page(report: dict[str, Any]) -> str:
    """The book page "How stable are these results?" from a report."""
    summary = report["summary"]
    lines = [
        "# How stable are these results?",
        "",
        "Every number in the chapters is computed when the notebook runs, at seed 0. A number that",
        "holds at one seed only would be a false claim, so `make seeds` runs every chapter and every",
        "assignment (instructor version) again under other seeds. The variable `LSTM_COURSE_SEED`",
        "moves the global seed of Python, NumPy and Keras, and with it the seeds of the task",
        "generators, the data splits and the NumPy RNN. This page is generated from that sweep's",
        "report (`reference/seeds.json`); `python tools/seeds.py --page-only` renders it again.",
        "",
        "- **Checks** are the cells that assert something (kind *assert*) and the nbgrader test",
        "  cells of the assignments (kind *graded*). Each must pass under every seed.",
        "- **Numbers** are the values that the prose quotes through `glue`: their median and",
        "  range over the seeds. Where the range is wide, the chapter states it.",
        "- **Variants**, `<assignment notebook>::<name>`, are correct student submissions written",
        "  differently from the solution (the course's test submissions, `tests/support/partials/`): a",
        "  correct student must pass every graded test under every seed too.",
        "",
    ]
    total = sum(len(s["checks"]) for s in summary.values())
    failing = [(nb, c) for nb, s in summary.items() for c in s["checks"] if c["failed_seeds"]]
    lines += [
        f"Generated {report['generated']} on {report['machine']}.",
        f"{len(summary)} notebooks, {total} checks; {len(failing)} failed under at least one seed.",
        "",
    ]
    if failing:
        lines += ["## Checks that failed under some seed", "",
                  "| notebook | cell | check | failed at seeds | error |", "|---|---|---|---|---|"]
        for nb, c in failing:
            error = _cell(c["errors"][0][:120]) if c["errors"] else ""
            lines.append(f"| `{nb}` | {c['cell']} | {c['kind']}: `{_cell(c['label'])}` "
                         f"| {', '.join(map(str, c['failed_seeds']))} | {error} |")
        lines.append("")
    wide = sorted(
        ((spread(v), nb, name, v) for nb, s in summary.items() for name, v in s["glue"].items() if "median" in v),
        key=lambda t: -t[0],
    )
    lines += ["## The widest spreads", "", "| notebook | number | median | range |", "|---|---|---:|---:|"]
    for _, nb, name, v in wide[:10]:
        lines.append(f"| `{nb}` | `{name}` | {_number(v['median'])} | {_number(v['min'])} – {_number(v['max'])} |")
    lines.append("")
    for nb, s in summary.items():
        seeds = s["seeds"]
        lines += [f"## `{nb}`", "", f"Seeds {seeds[0]}–{seeds[-1]} ({len(seeds)} runs); "
                  f"median run time {s['seconds']['median']:.0f} s."]
        if len(s.get("code_versions", [])) > 1:
            lines.append("**These runs mix versions of the notebook's code; sweep it again.**")
        if s["stopped"]:
            lines.append("Runs stopped early: " + "; ".join(f"seed {k}: {v}" for k, v in s["stopped"].items()) + ".")
        lines.append("")
        if s["checks"]:
            lines += ["| cell | check | passed |", "|---:|---|---:|"]
            for c in s["checks"]:
                lines.append(f"| {c['cell']} | {c['kind']}: `{_cell(c['label'])}` | {c['passed']}/{len(seeds)} |")
            lines.append("")
        numbers = {k: v for k, v in s["glue"].items() if "median" in v}
        texts = {k: v for k, v in s["glue"].items() if "distinct" in v}
        if numbers:
            lines += ["| number | median | range |", "|---|---:|---:|"]
            for name, v in numbers.items():
                rng = "fixed" if v["min"] == v["max"] else f"{_number(v['min'])} – {_number(v['max'])}"
                lines.append(f"| `{name}` | {_number(v['median'])} | {rng} |")
            lines.append("")
        if texts:
            lines += ["| text | values seen |", "|---|---|"]
            for name, v in texts.items():
                seen = ", ".join(f"`{_cell(d[:40])}`" for d in v["distinct"][:6])
                lines.append(f"| `{name}` | {seen} |")
            lines.append("")
    return "\n".join(lines)


def load_report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"runs": []}


def write_report(path: Path, runs: list[Run] | list[dict[str, Any]], previous: dict[str, Any]) -> dict[str, Any]:
    """Merge ``runs`` into ``previous``: a (notebook, seed) run now replaces the old one."""
    new = [r if isinstance(r, dict) else asdict(r) for r in runs]
    swept = {(r["notebook"], r["seed"]) for r in new}
    kept = [r for r in previous.get("runs", []) if (r["notebook"], r["seed"]) not in swept]
    all_runs = kept + new
    report = {
        "generated": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} CPU cores",
        "seed_env": SEED_ENV,
        "summary": summarise(all_runs),
        "runs": sorted(all_runs, key=lambda r: (r["notebook"], r["seed"])),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="notebooks or folders (default: chapters source)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..K-1 (default 5)")
    parser.add_argument("--first", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks run at once")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="the JSON report")
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE, help="the book page")
    parser.add_argument("--page-only", action="store_true", help="render the page from the report; run nothing")
    parser.add_argument("--merge", type=Path, nargs="+", default=[],
                        help="add the runs of these reports (sweeps made elsewhere, e.g. in parallel); run nothing")
    parser.add_argument("--variants", action="store_true",
                        help="also run the correct student variants of each assignment (tests/support/partials/)")
    args = parser.parse_args(argv)

    if args.merge:
        merged = [run for other in args.merge for run in load_report(other)["runs"]]
        report = write_report(args.out, merged, load_report(args.out))
    elif args.page_only:
        report = load_report(args.out)
        report["summary"] = summarise(report.get("runs", []))
    else:
        paths = notebooks(args.targets or list(DEFAULT_TARGETS))
        if args.variants:
            paths += [f"{p}{VARIANT_SEP}{name}" for p in paths if p.startswith("source/")
                      for name in variant_cells(Path(p).parent.name)]
        seeds = list(range(args.first, args.first + args.seeds))
        runs = sweep(paths, seeds, args.jobs, args.timeout)
        report = write_report(args.out, runs, load_report(args.out))
    args.page.parent.mkdir(parents=True, exist_ok=True)
    args.page.write_text(render_page(report) + "\n")
    failed = [c for s in report["summary"].values() for c in s["checks"] if c["failed_seeds"]]
    print(f"{len(failed)} checks failed under some seed; report {args.out}, page {args.page}")
    return 1 if failed and not (args.page_only or args.merge) else 0


if __name__ == "__main__":
    sys.exit(main())
