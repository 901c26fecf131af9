"""The project's promises: one set of pins in both specs, the Makefile targets, CI calling `make test`."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_lists_the_same_packages_and_pins_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = [p for p in pip if not p.startswith("-e")]
    torch_pin = re.search(r'TORCH_SPEC\s*\?=\s*(\S+)', (ROOT / "Makefile").read_text()).group(1)
    assert "torch>=2.13.0" in wanted and "torch==2.13.0" in listed and torch_pin == "torch==2.13.0"
    assert sorted(p for p in wanted if not p.startswith("torch")) == sorted(
        p for p in listed if not p.startswith("torch"))


def test_makefile_targets_all_build_the_environment_first():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "execute", "test", "zoo", "refresh", "bench", "lint"):
        assert re.search(rf"^{target}: \$\(STAMP\)", makefile, re.MULTILINE), target
    assert re.search(r"^clean:", makefile, re.MULTILINE)


def test_ci_runs_exactly_make_test_and_every_make_command_the_readme_shows_is_a_target():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    shown = {match for block in blocks for match in re.findall(r"^make (\w+)", block, re.MULTILINE)}
    assert {"lab", "test", "execute"} <= shown <= targets, shown - targets


def test_workflows_run_the_cpu_path_and_the_gpu_profile_on_a_self_hosted_gpu_runner():
    cpu = yaml.safe_load((ROOT / ".github" / "workflows" / "notebooks-cpu.yml").read_text())
    gpu = yaml.safe_load((ROOT / ".github" / "workflows" / "notebooks-gpu.yml").read_text())
    cpu_steps = [step.get("run", "") for step in cpu["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in cpu_steps and "make execute PROFILE=cpu" in cpu_steps
    job = gpu["jobs"]["execute"]
    assert "self-hosted" in job["runs-on"] and "gpu" in job["runs-on"]
    assert any("make execute PROFILE=gpu" in step.get("run", "") for step in job["steps"])
    uploads = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and "runs/gpu/" in uploads[0]["with"]["path"]
