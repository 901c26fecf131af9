"""One kernel for many papermill runs: the passes of `make test` that need no fresh process share one per worker.

Starting a kernel and importing torch and transformers in it costs about 9 s of CPU on the 2-core machine, and
the papermill passes (another machine, the hub profile, the smallest budgets, the bad parameters) started about
fifty of them. nbval still runs every notebook in a fresh kernel of its own, so a notebook that leans on something
an earlier one left behind fails there; here, between two notebooks, the kernel forgets what the last one made:
its variables (`%reset -f`), its figures, which warnings it has shown (a warning shows again; the filters stay), its working folder,
and its execution count (papermill's errors report a cell's count). What it keeps is what importing left: the
modules, and the environment the kernel started with, which is why each environment gets its own kernel (torch
reads ATEN_CPU_CAPABILITY and huggingface_hub reads HF_HUB_CACHE once, at import).
"""

import os
from pathlib import Path

import papermill
from jupyter_client.manager import KernelManager

RESET = """
get_ipython().run_line_magic("reset", "-f")
import gc as _gc, os as _os, sys as _sys, warnings as _warnings
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
_warnings._filters_mutated()
_os.chdir({folder!r})
get_ipython().execution_count = 1
_gc.collect()
del _gc, _os, _sys, _warnings
"""


class SharedKernel:
    """A kernel started once with `env`, reset before each notebook that `execute` runs in it."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.km: KernelManager | None = None
        self.runs = 0

    def _ready(self, folder: Path) -> None:
        if self.km is None or not self.km.is_alive():
            if self.km is not None:
                self.km.cleanup_resources()
            self.km = KernelManager(kernel_name="python3")
            self.km.start_kernel(env=self.env, cwd=str(folder))
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            reply = client.execute_interactive(RESET.format(folder=str(folder)), store_history=False, timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            client.stop_channels()

    def execute(self, path: Path, output: Path, **options):
        """papermill.execute_notebook(path, output, **options) in this kernel, from the notebook's folder."""
        self._ready(path.parent)
        self.runs += 1
        return papermill.execute_notebook(str(path), str(output), kernel_name="python3", km=self.km,
                                          cwd=str(path.parent), progress_bar=False, **options)

    def shutdown(self) -> None:
        if self.km is not None and self.km.is_alive():
            self.km.shutdown_kernel(now=True)


class Kernels:
    """The shared kernels of one pytest worker, one per environment (os.environ with `changes`)."""

    def __init__(self):
        self.kernels: dict[tuple, SharedKernel] = {}

    def __call__(self, **changes: str) -> SharedKernel:
        # pytest names the running test in PYTEST_CURRENT_TEST: not part of the environment a kernel is for
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} | changes
        key = tuple(sorted(env.items()))
        if key not in self.kernels:
            self.kernels[key] = SharedKernel(env)
        return self.kernels[key]

    def shutdown(self) -> None:
        for kernel in self.kernels.values():
            kernel.shutdown()
