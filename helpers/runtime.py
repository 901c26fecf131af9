"""Runtime plumbing: device and dtype choice, one seeding call, quieting the libraries, an environment report."""

from __future__ import annotations

import logging
import os
import platform
import random
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

# the names live with the parameter checks, which import no torch
from .params import DEVICES, DTYPES, device_problem


def pick_device(device: str = "auto", fallback: bool = False) -> torch.device:
    """Resolve 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps' to a torch.device that exists here.

    An explicit accelerator that is missing raises a clear error, or with `fallback=True` falls back
    to the CPU and says so in the output (never silently).
    """
    if not isinstance(device, str):
        raise TypeError(f"device must be a string such as 'cpu', 'cuda' or 'auto', got {type(device).__name__}")
    name = device.strip().lower()
    if device_problem(name):
        raise ValueError(f"unknown device {device!r}; use one of {', '.join(DEVICES)} (or 'cuda:N', N = 0, 1, ...)")
    kind = name.split(":", 1)[0]
    if kind == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if not available[kind]:
        message = (f"device={device!r} was asked for, but this machine has no {kind.upper()} device "
                   f"visible to torch {torch.__version__}; use device='cpu' or device='auto'")
        if fallback:
            print(f"NOTE: {message}. Falling back to the CPU.")
            return torch.device("cpu")
        raise RuntimeError(message)
    if kind == "cuda" and ":" in name:
        index = int(name.split(":", 1)[1])
        if index >= torch.cuda.device_count():
            raise RuntimeError(f"device={device!r}: only {torch.cuda.device_count()} CUDA device(s) here")
    return torch.device(name)


def pick_dtype(dtype: str = "auto", device: torch.device | str = "cpu") -> torch.dtype:
    """Resolve a dtype name; 'auto' is bfloat16 on a CUDA GPU that supports it, float32 otherwise."""
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    device = torch.device(device)
    if dtype == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return getattr(torch, dtype)


def seed_everything(seed: int) -> int:
    """Seed python, numpy and torch (all devices) once, so that a notebook re-runs identically."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {seed!r} ({type(seed).__name__})")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed


def environment() -> dict[str, str]:
    """The facts a reader needs to compare their run with ours: versions, device, threads."""
    import transformers

    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "cuda device": cuda,
        "mps": str(torch.backends.mps.is_available()),
        "cpu threads (torch)": str(torch.get_num_threads()),
        "cpu cores (os)": str(os.cpu_count()),
        "executable": sys.executable,
    }


def environment_report() -> str:
    """The environment as an aligned text table, for the top of every notebook."""
    env = environment()
    width = max(map(len, env))
    return "\n".join(f"{key:<{width}}  {value}" for key, value in env.items())


class _NotLossTypeNone(logging.Filter):
    """transformers 5.23 says "`loss_type=None` was set in the config but it is unrecognized. Using the default
    loss: `ForCausalLMLoss`" for every GPT-2 whose config predates loss_type: a false alarm (it is the right
    loss) that would sit in the output of every training cell. This one message is dropped; nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`loss_type=None` was set in the config but it is unrecognized" not in record.getMessage()


def quiet_loading() -> None:
    """For the rest of the session: no "Loading weights" bars, and no `loss_type=None` false alarm from transformers.

    transformers draws a bar for every model it loads; in a notebook each one stays behind as a finished widget
    (five in one cell of 05), and loading a checkpoint from disk takes no time worth a bar. The Hub's download
    bars (the hub profile) stay on in an interactive session. Each notebook calls this once, at the top.
    """
    from huggingface_hub.utils import enable_progress_bars
    from transformers.utils import logging as hf_logging

    from . import progress_enabled

    hf_logging.disable_progress_bar()                  # it switches the Hub's bars off too: on again where they show
    if progress_enabled() and "HF_HUB_DISABLE_PROGRESS_BARS" not in os.environ:
        enable_progress_bars()
    source = logging.getLogger("transformers.modeling_utils")       # the one logger that says it
    if not any(isinstance(f, _NotLossTypeNone) for f in source.filters):
        source.addFilter(_NotLossTypeNone())


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """For one block: transformers' and accelerate's log messages below ERROR, and Python warnings, are not shown.

    Use it only where the cell shows the point another way (a load report whose rows come in a different
    order each run, printed sorted instead; a warning the cell measures), and say so in the cell.
    """
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    accelerate = logging.getLogger("accelerate")
    accelerate_level = accelerate.level
    hf_logging.set_verbosity_error()
    accelerate.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)
        accelerate.setLevel(accelerate_level)
