"""helpers.record: values shown on one line, kept in output metadata, read back from executed notebooks."""

import nbformat
import numpy as np
import pytest
import torch

from helpers.record import BANDS, KEY, out_of_band, read_bands, read_records, record_metrics, within


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


def _notebook_with(tmp_path, name, metadata):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "recorded"}, metadata=metadata)]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_a_band_is_shown_next_to_its_value(capsys):
    record_metrics(accuracy=within(0.9512, 0.05), steps=100)
    assert capsys.readouterr().out == "recorded: accuracy = 0.9512 (+-0.05), steps = 100\n"


@pytest.mark.parametrize("bad", [-0.1, "wide", float("nan")])
def test_a_band_must_be_a_number_at_least_zero(bad):
    with pytest.raises(ValueError, match="band"):
        within(1.0, bad)


def test_runs_are_held_to_the_committed_values_within_their_bands(tmp_path):
    committed = _notebook_with(tmp_path, "committed.ipynb", {KEY: {"acc": 0.9, "loss": 0.5, "steps": 100},
                                                             BANDS: {"acc": 0.05, "loss": 0.1}})
    same = _notebook_with(tmp_path, "same.ipynb", {KEY: {"acc": 0.93, "loss": 0.41, "steps": 100}})
    moved = _notebook_with(tmp_path, "moved.ipynb", {KEY: {"acc": 0.8, "loss": 0.5, "steps": 99}})
    assert read_bands(committed) == {"acc": 0.05, "loss": 0.1, "steps": 0.0}
    assert out_of_band(committed, same) == []
    problems = out_of_band(committed, moved)
    assert len(problems) == 2 and problems[0].startswith("acc: 0.8 is outside 0.9 +- 0.05") and "steps" in problems[1]
    assert out_of_band(committed, _notebook_with(tmp_path, "empty.ipynb", {})) == [
        f"{name}: recorded in the committed notebook, missing from the run" for name in ("acc", "loss", "steps")]


READ_ALL = """
import locale
from helpers.notebooks import shipped
from helpers.record import read_bands, read_records
assert "utf" not in locale.getpreferredencoding(False).lower(), locale.getpreferredencoding(False)
print(sum(len(read_records(p)) + len(read_bands(p)) > 0 for p in shipped()))
"""


def test_the_record_readers_read_every_notebook_where_the_default_encoding_is_not_utf8():
    import os
    import subprocess
    import sys

    from helpers.notebooks import sequence

    # the C locale without Python's UTF-8 mode: open() defaults to ASCII, as a cp1252 Windows console to cp1252;
    # 04 and 06 hold "▁" (T5's word marker) in their outputs
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    done = subprocess.run([sys.executable, "-c", READ_ALL], capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr[-1500:]
    assert int(done.stdout) >= len(sequence())            # every lesson records its key results
