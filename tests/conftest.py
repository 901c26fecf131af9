"""Shared by the test modules: the hub-shaped stand-ins in a temporary Hugging Face cache, the shared kernels of the
papermill passes (tests/kernels.py), and the order in which
`make test`'s two pytest-xdist workers take the work (longest first, so that both finish together)."""

import os
import re

import pytest

# what the Makefile exports, for a plain `pytest` too (the kernels papermill starts inherit it): one thread per
# process (two workers with two threads each on two cores spin and slow each other down many times over),
# no progress bars in the executed notebooks, a fixed hash seed
for name, value in {"OMP_NUM_THREADS": "1", "LMF_PROGRESS": "0", "PYTHONHASHSEED": "0"}.items():
    os.environ.setdefault(name, value)

from tests.hub_standins import write_cache
from tests.kernels import Kernels


@pytest.fixture(scope="session")
def hub_cache(tmp_path_factory):
    return write_cache(tmp_path_factory.mktemp("hf-cache"))


@pytest.fixture(scope="session")
def kernels():
    """This worker's shared kernels (tests/kernels.py): `kernels(NAME=value, ...)` is the one for that environment."""
    pool = Kernels()
    yield pool
    pool.shutdown()


@pytest.fixture
def offline_hub(hub_cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(hub_cache))       # the kernels papermill starts inherit both
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return hub_cache


# Work units: a notebook's nbval cells share one kernel and the browser tests one JupyterLab, so a file is one unit;
# in these modules each test runs a notebook of its own and is a unit by itself.
ONE_RUN_PER_TEST = {"tests/test_other_machine.py", "tests/test_hub_profile.py", "tests/test_notebooks.py"}
# Seconds a unit took on the 2-core machine (make test --durations, 2026-11-24). They set only the order in which
# the units are handed out (longest first); anything not listed counts as short. A stale figure costs minutes of
# waiting at the end of the run, never a result.
NOTEBOOK_SECONDS = {"05_task_heads": 78, "04_seq2seq": 40, "07_scaling_out": 34, "02_causal_lm": 27, "02b_modern_decoder": 40, "03_masked_lm": 10}
SLOWER_ON_ANOTHER_MACHINE = 1.25          # ATEN_CPU_CAPABILITY=default
FILE_SECONDS = {"tests/test_browser.py": 165, "tests/test_execute.py": 40, "tests/test_build_zoo.py": 15,
                "tests/test_train_ddp.py": 11}
HUB_SECONDS = {"07_scaling_out": 60, "02_causal_lm": 33}   # the others ~5-13 s: one-step budgets, a shared kernel


def expected_seconds(unit: str) -> float:
    path, _, test = unit.partition("::")
    named = re.search(r"([\w-]+)\.ipynb", unit)
    notebook = named.group(1) if named else None
    if path.startswith("notebooks/"):
        return NOTEBOOK_SECONDS.get(notebook, 5)
    if path == "tests/test_other_machine.py" and notebook:
        return NOTEBOOK_SECONDS.get(notebook, 5) * SLOWER_ON_ANOTHER_MACHINE
    if path == "tests/test_hub_profile.py" and "[" in test:
        return HUB_SECONDS.get(notebook, 10)
    if "smallest_budgets" in test:
        return 12
    return FILE_SECONDS.get(path, 3)


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the units above handed out longest first (xdist's own order: most tests first)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return nodeid if path in ONE_RUN_PER_TEST else path

        def _assign_work_unit(self, node):
            if not getattr(self, "ordered", False):
                units = sorted(self.workqueue.items(), key=lambda unit: -expected_seconds(unit[0]))
                self.workqueue.clear()
                self.workqueue.update(units)
                self.ordered = True
            super()._assign_work_unit(node)

    return LongestFirst(config, log)
