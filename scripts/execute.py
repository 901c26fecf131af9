"""Run the notebooks headless with papermill under one profile (make execute PROFILE=cpu).

    python scripts/execute.py --profile cpu [notebooks/01_three_families.ipynb ...]

Each notebook runs with the profile's values (only the keys its `parameters` cell has) into
runs/<profile>/; a failing notebook does not stop the others. A summary of status and seconds per
notebook is written as runs/<profile>/summary.json and summary.md; the exit code is non-zero when any
notebook failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import papermill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.params import ParameterError, load_profile
from helpers.runtime import environment


def parameter_names(notebook: Path) -> set[str]:
    """The names a notebook's `parameters` cell assigns."""
    return set(papermill.inspect_notebook(str(notebook)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    try:
        profile = load_profile(args.profile)
    except ParameterError as error:
        print(error, file=sys.stderr)
        return 2
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    out_dir = ROOT / "runs" / args.profile
    out_dir.mkdir(parents=True, exist_ok=True)

    results = []
    for notebook in notebooks:
        notebook = notebook.resolve()
        names = parameter_names(notebook)
        parameters = {k: v for k, v in profile.items() if k in names}
        start = time.perf_counter()
        status, error = "passed", ""
        try:
            papermill.execute_notebook(str(notebook), str(out_dir / notebook.name), parameters=parameters,
                                       kernel_name="python3", cwd=str(notebook.parent), progress_bar=False)
        except papermill.PapermillExecutionError as failure:
            status, error = "failed", f"{failure.ename}: {failure.evalue}".strip()
        except Exception as failure:                     # noqa: BLE001 - a summary line, then go on
            status, error = "failed", f"{type(failure).__name__}: {failure}"
        seconds = time.perf_counter() - start
        results.append({"notebook": notebook.name, "status": status, "seconds": round(seconds, 1),
                        "error": error.splitlines()[0][:300] if error else ""})
        print(f"{status:>6}  {seconds:6.1f} s  {notebook.name}" + (f"  ({results[-1]['error']})" if error else ""),
              flush=True)

    env = environment()
    summary = {"profile": args.profile, "environment": {k: env[k] for k in
               ("python", "torch", "transformers", "cuda device", "cpu threads (torch)")}, "notebooks": results}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [f"# runs/{args.profile}", "", ", ".join(f"{k} {v}" for k, v in summary["environment"].items()), "",
             "| notebook | status | seconds | error |", "|---|---|---|---|"]
    lines += [f"| {r['notebook']} | {r['status']} | {r['seconds']} | {r['error']} |" for r in results]
    (out_dir / "summary.md").write_text("\n".join(lines) + "\n")
    failed = [r["notebook"] for r in results if r["status"] != "passed"]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed; summary in {out_dir.relative_to(ROOT)}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
