"""The notebooks the project ships: the ones git tracks under notebooks/.

A notebook a learner makes in `make lab` (notebooks/Untitled.ipynb, a copy, a checkpoint) is theirs: the tests,
`make execute`, `make refresh` and `make bench` leave it alone. A new notebook of the project joins them all once
it is added to git. Outside a git checkout (an unpacked archive) every notebook under notebooks/ counts.

    python -m helpers.notebooks      # the shipped notebooks, one path a line (the Makefile hands them to nbval)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shipped(root: Path = ROOT) -> list[Path]:
    """The project's notebooks, sorted: tracked by git, or every one under notebooks/ where git cannot tell."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", "notebooks"], cwd=root, capture_output=True,
                                check=True, text=True, encoding="utf-8").stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        return sorted(p for p in (root / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return sorted(root / name for name in listed if name.endswith(".ipynb") and (root / name).is_file())


# Each notebook's runtime budget in the cpu profile on a 2-core CPU, kernel start included (DEVELOPERS.md rule 4).
# `make bench` reports every notebook against it; no test asserts it (a slower or busier machine is not a bug).
BUDGET_SECONDS = {"05_task_heads.ipynb": 120}
DEFAULT_BUDGET_SECONDS = 60
EXERCISE_BUDGET_SECONDS = 30


def budget_seconds(notebook: Path) -> int:
    """The cpu-profile runtime budget of one notebook, in seconds."""
    if notebook.parent.name == "exercises":
        return EXERCISE_BUDGET_SECONDS
    return BUDGET_SECONDS.get(notebook.name, DEFAULT_BUDGET_SECONDS)


def sequence(root: Path = ROOT) -> list[Path]:
    """The numbered lessons, 00_start_here to the last (notebooks/NN_*.ipynb): what `make execute` runs."""
    return [p for p in shipped(root) if p.parent == root / "notebooks" and p.name[:2].isdigit()]


if __name__ == "__main__":
    print("\n".join(str(p.relative_to(ROOT)) for p in shipped()))
