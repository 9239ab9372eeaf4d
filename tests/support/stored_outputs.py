"""Compare a notebook's fresh outputs with the outputs stored in a committed copy,
by nbval's rules.

nbval checks a notebook by running it; the pipeline test already runs each
assignment's solution (autograde of the solution submission), so it compares
that run with the committed ``solutions/`` notebook instead of running the
same code a second time. The rules are nbval's own (``nbval.plugin``):

* streams of one name are joined (carriage returns and backspaces applied);
* outputs are compared key by key: the output type, metadata, execution
  counts, tracebacks and images are not compared (nbval without ``--nbdime``);
* a cell tagged ``nbval-ignore-output`` (or marked ``# NBVAL_IGNORE_OUTPUT``)
  is not compared, nor a skipped one; an error output is compared like any
  other, so a cell that raises where the stored copy did not is a difference.
"""

from __future__ import annotations

from collections import defaultdict

import nbformat
from nbformat import NotebookNode
from nbval.plugin import (
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    transform_streams_for_comparison,
)

NOT_COMPARED = frozenset({
    "metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
    "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg",
})


def nbval_options(cell: NotebookNode) -> dict:
    """nbval's options of a code cell: tags first, comment markers win."""
    return {**dict(find_metadata_tags(cell.get("metadata", {}))), **dict(find_comment_markers(cell.source))}


def comparable(outputs: list) -> dict[str, list]:
    """``{key: [values]}`` of a cell's outputs, as nbval compares them."""
    copies = [nbformat.from_dict(dict(output)) for output in outputs]
    flat: dict[str, list] = defaultdict(list)
    for output in transform_streams_for_comparison(coalesce_streams(copies)):
        for key, value in output.items():
            if key in NOT_COMPARED:
                continue
            if key == "data":
                for mime, content in value.items():
                    if mime not in NOT_COMPARED:
                        flat[mime].append(content)
            else:
                flat[key].append(value)
    return dict(flat)


def differences(stored: NotebookNode, fresh: NotebookNode) -> list[str]:
    """What nbval would report if ``fresh`` were a run of ``stored``: one line per
    code cell whose outputs differ (cells are paired in order)."""
    stored_code = [c for c in stored.cells if c.cell_type == "code"]
    fresh_code = [c for c in fresh.cells if c.cell_type == "code"]
    if len(stored_code) != len(fresh_code):
        return [f"{len(stored_code)} code cells stored, {len(fresh_code)} run"]
    found = []
    for number, (ref, new) in enumerate(zip(stored_code, fresh_code)):
        options = nbval_options(ref)
        if options.get("skip") or options.get("check") is False:
            continue
        want, got = comparable(ref.get("outputs", [])), comparable(new.get("outputs", []))
        for key in sorted(set(want) | set(got)):
            if want.get(key) != got.get(key):
                found.append(f"Cell {number} ({key}): stored {str(want.get(key))[:400]!r}, "
                             f"ran {str(got.get(key))[:400]!r}")
    return found
