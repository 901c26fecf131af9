"""What a `make compat` leg installed and how its tests went, for the README's version table.

    python scripts/compat_report.py versions LEG    # the versions in this environment -> runs/compat/LEG-versions.json
    python scripts/compat_report.py results LEG     # passed / failed / skipped from runs/compat/LEG.xml, one line
"""

import argparse
import json
import xml.etree.ElementTree as ET
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "runs" / "compat"
PACKAGES = ["transformers", "tokenizers", "huggingface-hub", "safetensors", "accelerate", "peft", "torch", "numpy",
            "pillow", "matplotlib", "jupyterlab", "ipywidgets", "papermill"]


def installed() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def results(report: Path) -> dict:
    """Counts and the failed tests' ids, from a JUnit report (pytest --junitxml)."""
    cases = ET.parse(report).getroot().iter("testcase")
    counts, failed = {"passed": 0, "failed": 0, "skipped": 0}, []
    for case in cases:
        outcome = {child.tag for child in case} & {"failure", "error", "skipped"}
        if outcome & {"failure", "error"}:
            counts["failed"] += 1
            failed.append(f"{case.get('classname')}::{case.get('name')}")
        elif outcome:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return {**counts, "failed tests": failed}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["versions", "results"])
    parser.add_argument("leg")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.what == "versions":
        found = installed()
        (OUT / f"{args.leg}-versions.json").write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
        print(f"compat {args.leg}:", ", ".join(f"{name} {v}" for name, v in found.items()))
        return 0
    report = OUT / f"{args.leg}.xml"
    if not report.exists():
        print(f"compat {args.leg}: no test report at {report} (pytest did not get as far as writing one)")
        return 1
    summary = results(report)
    (OUT / f"{args.leg}-results.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"compat {args.leg}: {summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped")
    for test in summary["failed tests"]:
        print("  failed:", test)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
