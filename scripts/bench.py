"""Time every notebook in one profile, serially and with notebooks in parallel processes (make bench).

    python scripts/bench.py [--profile cpu] [--workers N]

Serial: one notebook at a time, as `make execute` runs them. Parallel: N notebooks at once (default: the
number of CPU cores), each in its own kernel process. Writes runs/bench/<profile>.json and .md: seconds per
notebook in each mode and the whole suite's wall time. Exit code non-zero if any run failed.
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
    return json.loads(summary.read_text())["notebooks"][0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    load_profile(args.profile)                    # an unknown profile stops here, with the profiles that exist
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
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
    (out / f"{args.profile}.json").write_text(json.dumps(report, indent=2) + "\n")
    names = [nb.name for nb in notebooks]
    lines = [f"# make bench: profile {args.profile}", "",
             ", ".join(f"{k} {v}" for k, v in report["environment"].items()) + f", OMP_NUM_THREADS {report['OMP_NUM_THREADS']}",
             "", "| notebook | " + " | ".join(f"{m} (s)" for m in modes) + " |", "|---|" + "---|" * len(modes)]
    for i, name in enumerate(names):
        cells = []
        for m in modes.values():
            r = m["notebooks"][i]
            cells.append(f"{r['seconds']}" + ("" if r["status"] == "passed" else f" ({r['status']})"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **whole suite, wall time** | " + " | ".join(f"**{m['wall seconds']}**" for m in modes.values()) + " |")
    serial, parallel = (m["wall seconds"] for m in modes.values())
    lines += ["", f"parallel / serial wall time: {parallel / serial:.2f}"]
    (out / f"{args.profile}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    failed = [r for m in modes.values() for r in m["notebooks"] if r["status"] != "passed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
