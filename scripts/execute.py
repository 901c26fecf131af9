"""Run the notebooks headless with papermill under one profile (make execute PROFILE=cpu).

    python scripts/execute.py --profile cpu [notebooks/01_three_families.ipynb ...]
    python scripts/execute.py --inplace [notebooks/...]        # make refresh: re-execute the committed notebooks

Each notebook runs with the profile's values (only the keys its `parameters` cell has) into
runs/<profile>/; a failing notebook does not stop the others. runs/<profile>/summary.json and
summary.md list, per notebook, its status, seconds and the key metrics it recorded
(helpers.record.record_metrics), with the device and library versions. The exit code is non-zero when
any notebook failed. A profile whose device this machine lacks (gpu on a laptop) stops before the first
notebook with one clear message.

With --inplace (make refresh) each notebook runs with its own parameters cell (nothing injected) and its
outputs replace the committed ones, papermill's run metadata left out; the first failure stops the refresh.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

import nbformat
import papermill
import yaml

from helpers.notebooks import sequence, shipped
from helpers.params import ParameterError, load_profile
from helpers.record import read_records
from helpers.runtime import environment, pick_device, pick_dtype

ROOT = Path(__file__).resolve().parent.parent


def parameter_names(notebook: Path) -> set[str]:
    """The names a notebook's `parameters` cell assigns."""
    return set(papermill.inspect_notebook(str(notebook)))


def overrides(pairs: list[str]) -> dict:
    """-p NAME=VALUE pairs as a dict, each value read as YAML (1 -> int, 0.5 -> float, text -> str)."""
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise ParameterError(f"-p takes NAME=VALUE, got {pair!r}")
        values[name.strip()] = yaml.safe_load(value) if value.strip() else ""
    return values


def check_names(values: dict) -> None:
    """A name that no notebook takes is a typo: stop before running anything, naming the closest parameter."""
    known = {"profile"} | {name for notebook in shipped() for name in parameter_names(notebook)}
    for name in values:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            raise ParameterError(f"unknown parameter {name!r}: no notebook takes it"
                                 + (f"; did you mean {close[0]!r}?" if close else ""))


def run_one(notebook: Path, profile: dict, out_dir: Path) -> dict:
    """Execute one notebook with the profile's values for its parameters; never raises."""
    output = out_dir / notebook.name
    start = time.perf_counter()
    status, error = "passed", ""
    try:
        names = parameter_names(notebook)
        parameters = {k: v for k, v in profile.items() if k in names}
        papermill.execute_notebook(str(notebook), str(output), parameters=parameters, kernel_name="python3",
                                   cwd=str(notebook.parent), progress_bar=False)
    except papermill.PapermillExecutionError as failure:
        status, error = "failed", f"{failure.ename}: {failure.evalue}".strip()
    except Exception as failure:                     # noqa: BLE001 - a summary line, then go on
        status, error = "failed", f"{type(failure).__name__}: {failure}"
    seconds = time.perf_counter() - start
    metrics = read_records(output) if output.exists() else {}
    return {"notebook": notebook.name, "status": status, "seconds": round(seconds, 1),
            "error": error.splitlines()[0][:300] if error else "", "metrics": metrics}


def shown(path: Path) -> Path:
    """A path relative to the project where it lies inside it."""
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path


def refresh(notebook: Path) -> float:
    """Re-execute a notebook in place with its own parameters; its outputs become the committed ones."""
    start = time.perf_counter()
    papermill.execute_notebook(str(notebook), str(notebook), kernel_name="python3", cwd=str(notebook.parent),
                               progress_bar=False)
    strip_run_metadata(notebook)
    return time.perf_counter() - start


def strip_run_metadata(notebook: Path) -> None:
    """Leave out what is not content: papermill's run times and paths, empty tag lists, unused widget state."""
    executed = nbformat.read(notebook, as_version=4)
    executed.metadata.pop("papermill", None)
    views = [o for c in executed.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if not views:              # widget state that no output shows: JupyterLab would flag the file as changed on open
        executed.metadata.pop("widgets", None)
    for cell in executed.cells:
        cell.metadata.pop("papermill", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
    nbformat.write(executed, notebook)


def write_summary(out_dir: Path, profile_name: str, profile: dict, results: list[dict], note: str = "") -> None:
    env = environment()
    device = profile.get("device", "cpu")
    try:
        torch_device = pick_device(device)
        dtype = str(pick_dtype(profile.get("dtype", "float32"), torch_device)).removeprefix("torch.")
    except (RuntimeError, ValueError):
        torch_device, dtype = "unavailable", profile.get("dtype", "float32")
    summary = {
        "profile": profile_name,
        "device": str(torch_device),
        "training dtype": dtype,
        "environment": {k: env[k] for k in ("python", "torch", "transformers", "cuda device", "cpu threads (torch)",
                                            "cpu cores (os)")},
        "total seconds": round(sum(r["seconds"] for r in results), 1),
        "note": note,
        "notebooks": results,
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    lines = [f"# runs/{profile_name}", "",
             f"device {summary['device']} ({env['cuda device']}), training dtype {dtype}; "
             + ", ".join(f"{k} {v}" for k, v in summary["environment"].items() if k != "cuda device"), ""]
    if note:
        lines += [note, ""]
    lines += ["| notebook | status | seconds | key metrics | error |", "|---|---|---|---|---|"]
    for r in results:
        shown = ", ".join(f"{k} {v}" for k, v in r["metrics"].items())
        lines.append(f"| {r['notebook']} | {r['status']} | {r['seconds']} | {shown} | {r['error']} |")
    passed = sum(r["status"] == "passed" for r in results)
    lines += ["", f"{passed} of {len(results)} passed in {summary['total seconds']} s"]
    (out_dir / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="cpu", help="cpu, gpu or hub (notebooks/profiles/NAME.yaml)")
    parser.add_argument("--out", type=Path, help="output folder (default runs/<profile>)")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override one parameter (repeatable), e.g. -p seed=1; the value is read as YAML")
    parser.add_argument("--inplace", action="store_true",
                        help="re-execute the notebooks in place with their own parameters (make refresh)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    if args.inplace:
        if args.param or args.out or args.profile != "cpu":
            print("--inplace runs each notebook with its own parameters cell: drop --profile, -p and --out",
                  file=sys.stderr)
            return 2
        notebooks = [n.resolve() for n in args.notebooks] or shipped()
        for notebook in notebooks:
            try:
                seconds = refresh(notebook)
            except papermill.PapermillExecutionError as failure:
                print(f"failed  {shown(notebook)}: {failure.ename}: {failure.evalue}", file=sys.stderr)
                return 1
            print(f"refreshed {seconds:6.1f} s  {shown(notebook)}", flush=True)
        return 0
    try:
        profile = {**load_profile(args.profile), **overrides(args.param)}
        check_names(profile)
    except ParameterError as error:
        print(error, file=sys.stderr)
        return 2
    notebooks = [n.resolve() for n in args.notebooks] or sequence()
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    out_dir = args.out or ROOT / "runs" / args.profile
    out_dir.mkdir(parents=True, exist_ok=True)

    try:                                           # a missing device fails once, not once per notebook
        pick_device(profile.get("device", "cpu"))
    except RuntimeError as error:
        note = f"not run: {error}"
        write_summary(out_dir, args.profile, profile,
                      [{"notebook": n.name, "status": "not run", "seconds": 0.0, "error": "", "metrics": {}}
                       for n in notebooks], note)
        print(f"profile {args.profile!r}: {error}", file=sys.stderr)
        return 2

    results = []
    for notebook in notebooks:
        result = run_one(notebook, profile, out_dir)
        results.append(result)
        print(f"{result['status']:>6}  {result['seconds']:6.1f} s  {notebook.name}"
              + (f"  ({result['error']})" if result["error"] else ""), flush=True)
        write_summary(out_dir, args.profile, profile, results)      # after each notebook: a stopped run keeps its part
    failed = [r["notebook"] for r in results if r["status"] != "passed"]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed; summary in {shown(out_dir)}/summary.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
