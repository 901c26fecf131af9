"""Record a notebook's key results in its own output, and read them back from executed notebooks.

`record_metrics(nll_ratio=1.004, ...)` prints one line and stores the values in that output's metadata.
papermill keeps outputs, so `make execute` (scripts/execute.py) and 07_scaling_out read the values
back from the executed notebooks with `read_records(path)`: no side files, nothing to keep in step.
nbval compares the printed line and skips the metadata.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

KEY = "lmf_metrics"                   # the output-metadata key that holds the values


def _plain(name: str, value: Any) -> bool | int | float | str:
    """A JSON-ready scalar (numpy and torch scalars included), or a clear error."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"record_metrics: {name} is {value}; record finite numbers only")
        return float(f"{value:.4g}")           # four significant digits: what the text shows, no noise
    raise TypeError(f"record_metrics: {name} must be a number, bool or string, got {type(value).__name__}")


def record_metrics(**metrics: Any) -> None:
    """Show the key results of this notebook on one line and keep them in the output's metadata."""
    if not metrics:
        raise ValueError("record_metrics: give at least one name=value")
    values = {name: _plain(name, value) for name, value in metrics.items()}
    text = "recorded: " + ", ".join(f"{name} = {value}" for name, value in values.items())
    try:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
    except ImportError:                                   # plain Python: print only
        shell = None
    if shell is None:
        print(text)
    else:
        display({"text/plain": text}, raw=True, metadata={KEY: values})


def read_records(notebook: str | Path) -> dict[str, bool | int | float | str]:
    """All values recorded in an executed notebook, in order (a later name wins)."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    found: dict[str, Any] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            found.update(output.get("metadata", {}).get(KEY, {}))
    return found
