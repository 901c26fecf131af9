"""Every notebook: committed executed, one `parameters` cell, and a papermill run with its defaults.

Notebooks are discovered, not listed: a new notebook under notebooks/ joins these tests (and the
`pytest --nbval` run of `make test`) by existing.
"""

import json
import time
from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
BUDGET_SECONDS = {"05_task_heads.ipynb": 120}        # on a 2-core CPU; every other notebook: 60 s
IDS = [str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS]


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_notebooks_exist():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_executed_top_to_bottom_without_errors(path):
    cells = code_cells(path)
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"not run once top to bottom: {counts}"
    assert not [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged 'parameters'"
    assert cells.index(tagged[0]) < 3, "the parameters cell sits near the top"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_papermill_runs_with_default_parameters_within_budget(path, tmp_path):
    start = time.perf_counter()
    papermill.execute_notebook(str(path), str(tmp_path / path.name), kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False)
    seconds = time.perf_counter() - start
    budget = BUDGET_SECONDS.get(path.name, 60)
    assert seconds < budget, f"{path.name} took {seconds:.0f} s (budget {budget} s)"


BAD_PARAMETERS = [({"seed": "not_a_number"}, "parameter 'seed' must be an integer"),
                  ({"device": "tpu"}, "parameter 'device' must be one of 'auto', 'cpu', 'cuda', 'mps'")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
@pytest.mark.parametrize("bad, message", BAD_PARAMETERS, ids=["seed", "device"])
def test_a_bad_parameter_stops_the_run_at_once_naming_the_parameter(path, bad, message, tmp_path):
    start = time.perf_counter()
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), kernel_name="python3",
                                   cwd=str(path.parent), progress_bar=False, parameters=bad)
    assert message in str(caught.value)
    assert caught.value.exec_count <= 3, "parameters, injected parameters, then the check: it stops there"
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_equals_the_cpu_profile(path):
    import ast

    import yaml

    profile = yaml.safe_load((ROOT / "notebooks" / "profiles" / "cpu.yaml").read_text())
    cell = next(c for c in code_cells(path) if "parameters" in c.get("metadata", {}).get("tags", []))
    values = {node.targets[0].id: ast.literal_eval(node.value)
              for node in ast.parse("".join(cell["source"])).body if isinstance(node, ast.Assign)}
    assert values, "the parameters cell assigns nothing"
    for name, value in values.items():
        assert name in profile, f"{name} is not in cpu.yaml"
        assert value == profile[name], f"{name}: notebook {value!r}, cpu.yaml {profile[name]!r}"
