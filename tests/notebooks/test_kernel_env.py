"""TensorFlow's C++ log lines never reach a cell: a fresh kernel that imports
TensorFlow and runs a model stores no stderr output."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook


def test_fresh_kernel_stores_no_tensorflow_noise(tmp_path):
    nb = new_notebook(cells=[
        new_code_cell("import tensorflow as tf\nimport keras"),
        new_code_cell("m = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(2)])\n"
                      "print(m(tf.zeros((1, 3, 2))).shape)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    streams = [o for c in nb.cells for o in c.outputs if o.output_type == "stream"]
    assert [o.name for o in streams] == ["stdout"], [o.get("text") for o in streams]
    assert streams[0].text == "(1, 2)\n"

