"""tests/support/stored_outputs.py compares outputs as nbval does (it stands in for
nbval on solutions/, inside the pipeline test)."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

import stored_outputs


def notebook(*cells):
    return new_notebook(cells=list(cells))


def cell(*outputs, source="x", tags=None):
    c = new_code_cell(source, outputs=list(outputs))
    if tags:
        c.metadata["tags"] = tags
    return c


def stream(text, name="stdout"):
    return new_output("stream", name=name, text=text)


def display(data, count=None):
    if count is None:
        return new_output("display_data", data=data)
    return new_output("execute_result", data=data, execution_count=count)


def test_equal_outputs_have_no_differences():
    nb = notebook(cell(stream("a\n")), cell(display({"text/plain": "3"}, 1)))
    assert stored_outputs.differences(nb, nbformat.from_dict(nb)) == []


def test_a_changed_number_is_found():
    found = stored_outputs.differences(notebook(cell(stream("loss 0.31\n"))),
                                       notebook(cell(stream("loss 0.32\n"))))
    assert len(found) == 1 and "Cell 0 (stdout)" in found[0]


def test_streams_are_joined_and_counts_images_ignored_like_nbval():
    stored = notebook(cell(stream("a\nb\n"), display({"text/plain": "<Figure>", "image/png": "AAAA"}, 3)))
    fresh = notebook(cell(stream("a\n"), stream("b\n"), display({"text/plain": "<Figure>", "image/png": "BBBB"}, 7)))
    assert stored_outputs.differences(stored, fresh) == []


def test_ignored_and_skipped_cells_are_not_compared():
    stored = notebook(cell(stream("12.1 s\n"), tags=["nbval-ignore-output"]),
                      cell(stream("1\n"), source="# NBVAL_IGNORE_OUTPUT\nx"),
                      cell(stream("2\n"), tags=["nbval-skip"]))
    fresh = notebook(cell(stream("9.8 s\n")), cell(stream("7\n")), cell())
    assert stored_outputs.differences(stored, fresh) == []


def test_an_error_where_none_was_stored_is_a_difference():
    error = new_output("error", ename="ValueError", evalue="bad", traceback=[])
    found = stored_outputs.differences(notebook(cell()), notebook(cell(error)))
    assert found and "ename" in " ".join(found)


def test_missing_cells_are_reported():
    assert stored_outputs.differences(notebook(cell(), cell()), notebook(cell())) == [
        "2 code cells stored, 1 run"]
