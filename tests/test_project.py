"""The project's promises: one set of pins in both specs, the Makefile targets, CI calling `make test`."""

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def requirements(lines) -> dict[str, str]:
    """name -> specifier of requirement strings (comments and pip options left out)."""
    from packaging.requirements import Requirement

    parsed = [Requirement(line.split("#")[0].strip()) for line in lines
              if line.split("#")[0].strip() and not line.startswith("-")]
    return {canonicalize_name(r.name): str(r.specifier) for r in parsed}


def canonicalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_pinned_set_lies_inside_the_supported_ranges_and_environment_yml_installs_it():
    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ranges = requirements(project["dependencies"] + project["optional-dependencies"]["dev"])
    pins = requirements((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines())
    oldest = requirements((ROOT / "compat" / "oldest.txt").read_text(encoding="utf-8").splitlines())
    assert "torch" not in pins                   # TORCH_SPEC chooses torch's build (Makefile)
    for name, spec in {**pins, **oldest}.items():
        assert spec.startswith("==") and spec.count("==") == 1, (name, spec)
        if name in ranges:                       # the pinned set and the oldest leg: inside pyproject's ranges
            assert SpecifierSet(ranges[name]).contains(spec[2:]), (name, spec, ranges[name])
    assert oldest["transformers"] == "==5.1.0"   # the lower end the README's version table names
    # the Makefile installs the pinned set: pip gets constraints.txt wherever it installs the project into .venv
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines() if '-e ".[' in line and "$(PY)" in line]
    assert installs and all(line.rstrip().endswith("-c constraints.txt") for line in installs), installs

    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip      # the CPU build of torch (its comment)
    listed = requirements(pip)
    torch_pin = re.search(r"TORCH_SPEC\s*\?=\s*(\S+)", makefile).group(1)
    assert ranges["torch"] == ">=2.13.0" and listed["torch"] == "==2.13.0" and torch_pin == "torch==2.13.0"
    # the conda route: every package of pyproject, at the pinned version where constraints.txt has one
    assert set(ranges) <= set(listed), set(ranges) - set(listed)
    for name, spec in listed.items():
        if name != "torch":
            assert spec == pins.get(name, ranges.get(name)), (name, spec)


def test_makefile_targets_all_build_the_environment_first():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("lab", "execute", "test", "zoo", "refresh", "bench", "lint"):
        assert re.search(rf"^{target}: \$\(STAMP\)", makefile, re.MULTILINE), target
    assert re.search(r"^clean:", makefile, re.MULTILINE)


def test_ci_runs_make_lint_and_make_test_and_every_make_command_the_readme_shows_is_a_target():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make lint", "make test"]
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    shown = {match for block in blocks for match in re.findall(r"^make ([\w-]+)", block, re.MULTILINE)}
    assert {"lab", "test", "execute"} <= shown <= targets, shown - targets


def test_workflows_run_the_cpu_path_and_the_gpu_profile_on_a_self_hosted_gpu_runner():
    cpu = yaml.safe_load((ROOT / ".github" / "workflows" / "notebooks-cpu.yml").read_text(encoding="utf-8"))
    gpu = yaml.safe_load((ROOT / ".github" / "workflows" / "notebooks-gpu.yml").read_text(encoding="utf-8"))
    cpu_steps = [step.get("run", "") for step in cpu["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in cpu_steps and "make execute PROFILE=cpu" in cpu_steps
    job = gpu["jobs"]["execute"]
    assert "self-hosted" in job["runs-on"] and "gpu" in job["runs-on"]
    assert any("make execute PROFILE=gpu" in step.get("run", "") for step in job["steps"])
    uploads = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and "runs/gpu/" in uploads[0]["with"]["path"]


def test_the_project_notebooks_lie_under_notebooks_and_the_sequence_is_numbered_without_a_gap():

    from helpers.notebooks import sequence, shipped

    assert shipped() and all(p.is_relative_to(ROOT / "notebooks") for p in shipped())
    # 00, 01, ... with no gap; a notebook inserted after NN takes NN plus a letter (01b_inside_a_block follows 01)
    names = [p.name for p in sequence()]
    assert all(re.match(r"\d\d[a-z]?_", name) for name in names), names
    numbers = sorted({int(name[:2]) for name in names})
    assert numbers == list(range(len(numbers))), names
    assert all(name[2] == "_" or f"{name[:2]}_" in "".join(names) for name in names), names   # 01b needs an 01


def test_shipped_reads_git_and_leaves_untracked_notebooks_out(tmp_path):
    import subprocess

    from helpers.notebooks import sequence, shipped

    (tmp_path / "notebooks" / "jobs").mkdir(parents=True)
    for name in ("notebooks/00_a.ipynb", "notebooks/jobs/job.ipynb", "notebooks/Untitled.ipynb"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in shipped(tmp_path)] == ["00_a.ipynb", "Untitled.ipynb", "job.ipynb"]   # no git: all
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(git + ["add", "notebooks/00_a.ipynb", "notebooks/jobs/job.ipynb"], cwd=tmp_path, check=True)
    assert [p.name for p in shipped(tmp_path)] == ["00_a.ipynb", "job.ipynb"]
    assert [p.name for p in sequence(tmp_path)] == ["00_a.ipynb"]


def test_torch_comes_as_the_cpu_build_on_the_cpu_path_and_as_asked_elsewhere():
    sys.path.insert(0, str(ROOT / "scripts"))
    from torch_source import CPU_INDEX, plan

    spec = "torch==2.13.0"
    linux = {"system": "Linux", "machine": "x86_64"}
    assert plan(spec, **linux, gpu=False, local=False)[0] == ["--index-url", CPU_INDEX, spec]   # a user's laptop
    assert plan(spec, **linux, gpu=False, local=True)[0] == [spec]          # a local wheel folder (the machines here)
    assert plan(spec, **linux, gpu=True)[0] == [spec]                       # a GPU runner: PyPI's CUDA build
    assert plan(spec, system="Darwin", machine="arm64")[0] == [spec]        # PyPI's macOS wheel is a CPU build
    assert plan(spec, system="Linux", machine="aarch64")[0] == [spec]       # so is Linux ARM's
    cuda = "https://download.pytorch.org/whl/cu128"
    assert plan("torch==2.14.1", cuda, **linux, gpu=True)[0] == ["--index-url", cuda, "torch==2.14.1"]
    # and this machine: where pip finds the pinned wheel without an index, the Makefile asks for nothing more
    arguments, reason = plan(spec)
    assert arguments in ([spec], ["--index-url", CPU_INDEX, spec]) and reason


def test_make_compat_runs_both_ends_of_the_ranges_weekly_and_names_a_wrong_leg():
    import subprocess

    compat = yaml.safe_load((ROOT / ".github" / "workflows" / "compat.yml").read_text(encoding="utf-8"))
    job = compat["jobs"]["compat"]
    assert job["strategy"]["matrix"]["leg"] == ["oldest", "newest"] and "schedule" in compat[True]   # yaml: on -> True
    assert any(step.get("run", "") == "make compat LEG=${{ matrix.leg }}" for step in job["steps"])
    assert {p.stem for p in (ROOT / "compat").glob("*.txt")} == {"oldest", "newest"}
    done = subprocess.run(["make", "--no-print-directory", "compat", "LEG=latest"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2 and "LEG=oldest or LEG=newest" in done.stdout, done.stdout + done.stderr
