"""05_task_heads on "another machine" (see test_other_machine.py): alone, as it takes as long as the rest;
its file name sorts first, so pytest-xdist starts it first and the two workers finish together."""

from tests.test_notebooks import ROOT
from tests.test_other_machine import ALONE, run_on_another_machine


def test_05_with_another_seed_on_another_machine_runs_to_the_end_and_lands_within_the_bands(tmp_path, monkeypatch):
    assert ALONE == {"05_task_heads.ipynb"}
    run_on_another_machine(ROOT / "notebooks" / "05_task_heads.ipynb", tmp_path, monkeypatch)
