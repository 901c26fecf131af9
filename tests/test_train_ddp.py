"""scripts/train_ddp.py: one process without a launcher, two with torchrun; bad arguments stop it at once."""

import json
import os
import subprocess
import sys

from tests.test_notebooks import ROOT

SCRIPT = ROOT / "scripts" / "train_ddp.py"
# two CPU processes whatever the machine has: on a one-GPU runner rank 1 would otherwise look for a second GPU
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}


def test_two_processes_see_disjoint_rows_and_end_with_identical_weights(tmp_path):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", str(SCRIPT),
               "--steps", "4", "--width", "8", "--out", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=ENV, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text(encoding="utf-8")) for r in (0, 1)]
    assert [r["processes"] for r in ranks] == [2, 2] and [r["steps"] for r in ranks] == [4, 4]
    assert [r["device"] for r in ranks] == ["cpu:0", "cpu:0"] and ranks[0]["distributed"] == "MULTI_CPU"
    assert ranks[0]["weights_sha1"] == ranks[1]["weights_sha1"]
    assert not set(ranks[0]["rows_seen"]) & set(ranks[1]["rows_seen"])


def test_one_process_without_a_launcher_trains_and_reports(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--steps", "3", "--width", "8", "--out", str(tmp_path)],
                          capture_output=True, text=True, check=False, env=ENV, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "rank0.json").read_text(encoding="utf-8"))
    assert report["processes"] == 1 and report["steps"] == 3 and len(report["rows_seen"]) == 3 * 16


def test_an_odd_width_stops_with_the_argument_named(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--width", "7", "--out", str(tmp_path)],
                          capture_output=True, text=True, check=False, env=ENV, cwd=ROOT, timeout=180)
    assert done.returncode == 2 and "--width an even number" in done.stderr
