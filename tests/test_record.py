"""helpers.record: values shown on one line, kept in output metadata, read back from executed notebooks."""

import nbformat
import numpy as np
import pytest
import torch

from helpers.record import KEY, read_records, record_metrics


def test_values_become_plain_json_scalars_with_four_significant_digits(capsys):
    record_metrics(ratio=1.0041234, count=np.int64(3), flag=True, name="x", loss=torch.tensor(0.123456))
    assert capsys.readouterr().out == "recorded: ratio = 1.004, count = 3, flag = True, name = x, loss = 0.1235\n"


@pytest.mark.parametrize("bad, error", [({"x": float("nan")}, ValueError), ({"x": [1, 2]}, TypeError), ({}, ValueError)])
def test_bad_values_are_clear_errors(bad, error):
    with pytest.raises(error, match="record_metrics"):
        record_metrics(**bad)


def test_outside_ipython_it_prints_one_line(capsys):
    record_metrics(a=1, b=0.5)
    assert capsys.readouterr().out == "recorded: a = 1, b = 0.5\n"


def test_read_back_from_an_executed_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x"), nbformat.v4.new_code_cell("y")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "recorded: a = 1"},
                                                  metadata={KEY: {"a": 1, "b": 2}})]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
                           nbformat.v4.new_output("display_data", data={"text/plain": "recorded: b = 3"},
                                                  metadata={KEY: {"b": 3}})]
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    assert read_records(path) == {"a": 1, "b": 3}
