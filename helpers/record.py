"""Record a notebook's key results in its own output, and read them back from executed notebooks.

`record_metrics(nll_ratio=within(1.004, 0.02), steps=150)` prints one line and stores the values in
that output's metadata. papermill keeps outputs, so `make execute` (scripts/execute.py) and 07_scaling_out
read the values back from the executed notebooks with `read_records(path)`: no side files, nothing to keep
in step.

A value that comes out of training moves with the seed and with the machine's arithmetic, so it is
recorded `within(value, band)`: the band, written next to the metric in the notebook and justified by
measurement there, is how far another run (another seed, another CPU) may land from the committed value.
A plain value has band 0: it must come out the same everywhere. `tests/test_notebooks.py` runs every
notebook with another seed under other arithmetic and holds each recorded value to its band
(`out_of_band`); the cell that records is tagged `nbval-ignore-output`, since its line shows raw values.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY = "lmf_metrics"                   # the output-metadata key that holds the values
BANDS = "lmf_bands"                   # ... and the one that holds each value's band


@dataclass(frozen=True)
class Within:
    """A recorded value and how far another seed or machine may move it (absolute)."""

    value: Any
    band: float


def within(value: Any, band: float) -> Within:
    """Record `value` with a tolerance band: another run must land within +-band of it."""
    if not isinstance(band, (int, float)) or isinstance(band, bool) or not band >= 0:
        raise ValueError(f"within: band must be a number >= 0, got {band!r}")
    return Within(value, float(band))


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
    bands = {name: value.band for name, value in metrics.items() if isinstance(value, Within)}
    values = {name: _plain(name, value.value if isinstance(value, Within) else value)
              for name, value in metrics.items()}
    for name in bands:
        if not isinstance(values[name], (int, float)) or isinstance(values[name], bool):
            raise TypeError(f"record_metrics: {name} has a band, so it must be a number")
    text = "recorded: " + ", ".join(f"{name} = {value}" + (f" (+-{bands[name]:g})" if name in bands else "")
                                    for name, value in values.items())
    try:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
    except ImportError:                                   # plain Python: print only
        shell = None
    if shell is None:
        print(text)
    else:
        display({"text/plain": text}, raw=True, metadata={KEY: values, BANDS: bands})


def _output_metadata(notebook: str | Path):
    """The metadata of every output of an executed notebook, in order."""
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            yield output.get("metadata", {})


def read_records(notebook: str | Path) -> dict[str, bool | int | float | str]:
    """All values recorded in an executed notebook, in order (a later name wins)."""
    found: dict[str, Any] = {}
    for metadata in _output_metadata(notebook):
        found.update(metadata.get(KEY, {}))
    return found


def read_bands(notebook: str | Path) -> dict[str, float]:
    """The band of each recorded value of an executed notebook (0 where none was given)."""
    found: dict[str, float] = {}
    for metadata in _output_metadata(notebook):
        found.update({name: 0.0 for name in metadata.get(KEY, {})})
        found.update(metadata.get(BANDS, {}))
    return found


def out_of_band(committed: str | Path, run: str | Path) -> list[str]:
    """Each recorded value of `run` that lies outside its band around the `committed` notebook's value."""
    expected, got, bands = read_records(committed), read_records(run), read_bands(committed)
    problems = []
    for name, value in expected.items():
        if name not in got:
            problems.append(f"{name}: recorded in the committed notebook, missing from the run")
        elif name in bands and bands[name] > 0:
            if abs(got[name] - value) > bands[name] + 1e-9:
                problems.append(f"{name}: {got[name]} is outside {value} +- {bands[name]}")
        elif got[name] != value:
            problems.append(f"{name}: {got[name]!r}, committed {value!r} (no band: must be equal)")
    return problems
