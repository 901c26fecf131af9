"""make execute (scripts/execute.py): a summary with key metrics; profiles that cannot run here stop at once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from helpers.params import check_params, load_profile

ROOT = Path(__file__).resolve().parent.parent
EXECUTE = [sys.executable, str(ROOT / "scripts" / "execute.py")]
HANG_SECONDS = 300          # a subprocess that outlives this has hung (each one here takes a few seconds)


def test_every_profile_passes_its_own_parameter_checks():
    for name in ("cpu", "gpu", "hub"):
        profile = load_profile(name)
        assert profile["profile"] == name
        check_params(**profile)


def test_profiles_hold_the_same_keys():
    keys = {name: set(yaml.safe_load((ROOT / "notebooks" / "profiles" / f"{name}.yaml").read_text(encoding="utf-8")))
            for name in ("cpu", "gpu", "hub")}
    assert keys["cpu"] == keys["gpu"] == keys["hub"]


def test_gpu_profile_asks_for_cuda_bf16_where_supported_and_larger_budgets():
    cpu, gpu = load_profile("cpu"), load_profile("gpu")
    assert gpu["device"] == "cuda" and gpu["dtype"] == "auto" and cpu["dtype"] == "float32"
    assert gpu["causal_model"] == cpu["causal_model"]                 # the same zoo: the same assertions apply
    for key in ("finetune_steps", "compare_steps", "head_steps", "job_steps", "n_items"):
        assert gpu[key] > cpu[key], key


def small_notebook(path, *sources):
    """A two-cell notebook (parameters, then `sources`): make execute's logic, without a third run of a real one."""
    cells = [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "seed = 0", "outputs": [],
              "execution_count": None, "id": "p"}]
    cells += [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None,
               "id": f"c{i}"} for i, source in enumerate(sources)]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}), encoding="utf-8")
    return path


def execute_here(monkeypatch, *options) -> int:
    """make execute's main() in this process: its exit code (the command line itself is tested by a subprocess in
    test_cpu_profile_summary_lists_status_seconds_and_recorded_metrics and the refresh test; a second Python that
    imports torch and transformers only to stop at a check costs about 8 s of CPU)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("execute_script", ROOT / "scripts" / "execute.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(sys, "argv", ["execute.py", *options])
    monkeypatch.chdir(ROOT)
    return script.main()


def execute_passing(notebook, out, *options):
    """make execute on one notebook, which must pass; its summary."""
    done = subprocess.run(EXECUTE + [*options, "--out", str(out), str(notebook)], capture_output=True, text=True,
                          check=False, cwd=ROOT, timeout=HANG_SECONDS)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_cpu_profile_summary_lists_status_seconds_and_recorded_metrics(tmp_path):
    notebook = small_notebook(tmp_path / "records.ipynb", "from helpers.record import record_metrics, within\n"
                              "record_metrics(leak=0.0, accuracy=within(0.9512, 0.05), seed_seen=seed)")
    summary = execute_passing(notebook, tmp_path / "out", "--profile", "cpu")
    [row] = summary["notebooks"]
    assert row["notebook"] == notebook.name and row["status"] == "passed" and row["seconds"] > 0
    assert row["metrics"] == {"leak": 0.0, "accuracy": 0.9512, "seed_seen": 0}
    assert summary["device"] == "cpu" and summary["environment"]["torch"] == torch.__version__
    markdown = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "| records.ipynb | passed |" in markdown and "accuracy 0.9512" in markdown


def test_a_failing_notebook_is_listed_and_the_exit_code_is_non_zero(tmp_path, monkeypatch):
    broken = small_notebook(tmp_path / "broken.ipynb", "raise ValueError('boom')")
    fine = small_notebook(tmp_path / "fine.ipynb", "print(seed)")
    assert execute_here(monkeypatch, "--out", str(tmp_path / "out"), str(broken), str(fine)) == 1
    rows = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["notebooks"]
    assert [(r["notebook"], r["status"]) for r in rows] == [("broken.ipynb", "failed"), ("fine.ipynb", "passed")]
    assert rows[0]["error"] == "ValueError: boom"


def test_hub_profile_offline_fails_at_once_with_a_clear_message(tmp_path, monkeypatch):
    # an empty Hugging Face cache of its own: a machine that once downloaded gpt2 would otherwise load it from there
    # (the notebook's kernel, which papermill starts, inherits this environment and imports huggingface_hub afresh)
    cache = tmp_path / "empty-hf-home"
    for name in [k for k in os.environ if k.startswith(("HF_", "HUGGINGFACE_", "TRANSFORMERS_CACHE"))]:
        monkeypatch.delenv(name)
    for name, value in {"HF_HOME": str(cache), "HF_HUB_CACHE": str(cache / "hub"), "HF_HUB_OFFLINE": "1"}.items():
        monkeypatch.setenv(name, value)
    assert execute_here(monkeypatch, "--profile", "hub", "--out", str(tmp_path / "out"),
                        str(ROOT / "notebooks" / "02_causal_lm.ipynb")) == 1
    [row] = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["notebooks"]
    assert row["status"] == "failed" and row["error"].startswith("ZooError: 'gpt2' is not a zoo model and the Hugging Face Hub cannot be reached")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_gpu_profile_without_a_gpu_stops_before_the_first_notebook(tmp_path, monkeypatch, capsys):
    assert execute_here(monkeypatch, "--profile", "gpu", "--out", str(tmp_path)) == 2
    assert "no CUDA device" in capsys.readouterr().err
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["note"].startswith("not run:") and {r["status"] for r in summary["notebooks"]} == {"not run"}


def test_unknown_profile_is_a_clear_error(monkeypatch, capsys):
    assert execute_here(monkeypatch, "--profile", "tpu") == 2
    assert "parameter 'profile' must be one of 'cpu', 'gpu', 'hub'" in capsys.readouterr().err


def test_a_misspelt_parameter_stops_make_execute_before_any_notebook_runs(tmp_path, monkeypatch, capsys):
    assert execute_here(monkeypatch, "-p", "sead=3", "--out", str(tmp_path)) == 2
    assert "unknown parameter 'sead': no notebook takes it; did you mean 'seed'?" in capsys.readouterr().err
    assert not (tmp_path / "summary.json").exists()                 # stopped before any notebook ran


def test_a_parameter_override_reaches_the_notebook(tmp_path, monkeypatch):
    notebook = small_notebook(tmp_path / "records.ipynb", "from helpers.record import record_metrics\n"
                              "record_metrics(seed_seen=seed)")
    assert execute_here(monkeypatch, "-p", "seed=7", "--out", str(tmp_path / "out"), str(notebook)) == 0
    [row] = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["notebooks"]
    assert row["metrics"] == {"seed_seen": 7}


def test_inside_a_notebook_a_misspelt_parameter_is_named_in_the_first_output(tmp_path):
    import papermill

    notebook = small_notebook(tmp_path / "check.ipynb", "from helpers.params import check_params\n"
                              "check_params(seed=seed)\nprint('seed is', seed)")
    papermill.execute_notebook(str(notebook), str(tmp_path / "out.ipynb"), parameters={"sead": 3},
                               kernel_name="python3", progress_bar=False)
    cells = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))["cells"]
    [check] = [c for c in cells if "check_params(seed=seed)" in "".join(c["source"])]
    text = "".join("".join(o.get("text", "")) for o in check["outputs"])
    assert text.startswith("note: 'sead' is not a parameter of this notebook, so setting it changes nothing; "
                           "did you mean 'seed'?") and "seed is 0" in text


def test_inplace_refresh_replaces_outputs_without_injecting_parameters_or_run_metadata(tmp_path, monkeypatch, capsys):
    notebook = small_notebook(tmp_path / "refresh.ipynb", "print(seed + 41)")
    done = subprocess.run(EXECUTE + ["--inplace", str(notebook)], capture_output=True, text=True, check=False, cwd=ROOT,
                          timeout=HANG_SECONDS)
    assert done.returncode == 0, done.stderr[-2000:]
    refreshed = json.loads(notebook.read_text(encoding="utf-8"))
    assert [c["id"] for c in refreshed["cells"]] == ["p", "c0"]                   # no injected-parameters cell
    assert "".join(refreshed["cells"][1]["outputs"][0]["text"]) == "41\n"
    assert "papermill" not in refreshed["metadata"] and all(set(c["metadata"]) <= {"execution"} for c in refreshed["cells"][1:])
    assert execute_here(monkeypatch, "--inplace", "-p", "seed=1", str(notebook)) == 2
    assert "--inplace runs each notebook with its own parameters" in capsys.readouterr().err
