"""Time every notebook in one profile, serially and with notebooks in parallel processes (make bench).

    python scripts/bench.py [--profile cpu] [--workers N] [notebooks ...]

Serial: one notebook at a time, as `make execute` runs them. Parallel: N notebooks at once (default: the
number of CPU cores), each in its own kernel process. Writes runs/bench/<profile>.json and .md: seconds per
notebook in each mode and the whole suite's wall time, and in the cpu profile each notebook's serial time against
its budget (helpers.notebooks.BUDGET_SECONDS, for the 2-core machine: over it is reported here, and no test fails on
it, since a slower machine is no bug). Exit code non-zero if any run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.notebooks import budget_seconds, sequence
from helpers.params import load_profile
from helpers.runtime import environment

ROOT = Path(__file__).resolve().parent.parent


def run_one(notebook: Path, profile: str, folder: Path) -> dict:
    """One notebook through scripts/execute.py (the runner of make execute), in a folder of its own."""
    out = folder / notebook.stem
    subprocess.run([sys.executable, str(ROOT / "scripts" / "execute.py"), "--profile", profile, "--out", str(out),
                    str(notebook)], capture_output=True, text=True, check=False)
    summary = out / "summary.json"
    if not summary.exists():
        return {"notebook": notebook.name, "status": "failed", "seconds": 0.0, "error": "no summary written"}
    return json.loads(summary.read_text(encoding="utf-8"))["notebooks"][0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: the sequence, 00 to the last")
    args = parser.parse_args()
    load_profile(args.profile)                    # an unknown profile stops here, with the profiles that exist
    notebooks = [n.resolve() for n in args.notebooks] or sequence()
    out = ROOT / "runs" / "bench"
    modes = {}
    for mode, workers in (("serial", 1), (f"parallel ({args.workers} at a time)", args.workers)):
        folder = out / args.profile / ("serial" if workers == 1 else "parallel")
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{mode}: {len(notebooks)} notebooks", flush=True)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:     # each notebook runs in its own kernel process
            results = list(pool.map(run_one, notebooks, [args.profile] * len(notebooks), [folder] * len(notebooks)))
        wall = time.perf_counter() - start
        for r in results:
            print(f"  {r['status']:>6} {r['seconds']:6.1f} s  {r['notebook']}  {r['error']}", flush=True)
        modes[mode] = {"wall seconds": round(wall, 1), "notebooks": results}
        print(f"  wall time {wall:.1f} s", flush=True)

    env = environment()
    report = {"profile": args.profile, "workers": args.workers,
              "environment": {k: env[k] for k in ("python", "torch", "transformers", "cuda device",
                                                  "cpu threads (torch)", "cpu cores (os)")},
              "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset"), "modes": modes}
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.profile}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    names = [nb.name for nb in notebooks]
    lines = [f"# make bench: profile {args.profile}", "",
             ", ".join(f"{k} {v}" for k, v in report["environment"].items()) + f", OMP_NUM_THREADS {report['OMP_NUM_THREADS']}",
             "", "| notebook | " + " | ".join(f"{m} (s)" for m in modes) + " | budget (s) | serial within budget |",
             "|---|" + "---|" * (len(modes) + 2)]
    budgeted = args.profile == "cpu"              # the budgets are for the cpu profile on a 2-core CPU
    over = []
    for i, (notebook, name) in enumerate(zip(notebooks, names)):
        cells = []
        for m in modes.values():
            r = m["notebooks"][i]
            cells.append(f"{r['seconds']}" + ("" if r["status"] == "passed" else f" ({r['status']})"))
        budget = budget_seconds(notebook)
        serial_seconds = modes["serial"]["notebooks"][i]["seconds"]
        if budgeted and serial_seconds > budget:
            over.append(f"{name} ({serial_seconds} s, budget {budget} s)")
        verdict = ("yes" if serial_seconds <= budget else "**no**") if budgeted else "-"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {budget if budgeted else '-'} | {verdict} |")
    lines.append("| **whole suite, wall time** | " + " | ".join(f"**{m['wall seconds']}**" for m in modes.values())
                 + " | | |")
    serial, parallel = (m["wall seconds"] for m in modes.values())
    lines += ["", f"parallel / serial wall time: {parallel / serial:.2f}"]
    if budgeted:
        lines.append(f"over budget: {', '.join(over)}" if over else f"every notebook within its budget ({len(names)})")
    (out / f"{args.profile}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    failed = [r for m in modes.values() for r in m["notebooks"] if r["status"] != "passed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
