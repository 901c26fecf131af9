"""Where `make test`'s worker time goes: a JUnit report of the suite, summed by pass and by unit.

    make test PYTEST_ARGS="--junitxml=runs/suite.xml"
    .venv/bin/python scripts/suite_time.py runs/suite.xml [--top 12]

prints two Markdown tables (the README keeps the latest): the seconds of each pass (unit tests, nbval, the
other-machine pass, the hub pass, the browser, the smallest budgets, the bad parameters), and the longest units.
A test's seconds are pytest's setup + call + teardown on its worker: the sum over a pass is worker time, not wall
time (two workers share the wall clock).
"""

import argparse
import re
import xml.etree.ElementTree as ET
from collections import defaultdict

PASSES = [  # (pass, what it runs), in the order the table lists them
    ("nbval", "every notebook re-run with seed 0, outputs compared (one kernel per notebook)"),
    ("other machine", "every notebook with seed 1 under other arithmetic, asserts and bands (papermill)"),
    ("hub profile", "every notebook against the hub-shaped stand-ins, short budgets (papermill)"),
    ("smallest budgets", "the notebooks with training budgets, at one step (papermill)"),
    ("bad parameters", "a bad value per notebook, stopped at the parameters check (papermill)"),
    ("browser", "JupyterLab in Chromium: 00 run top to bottom, the playgrounds, a workbook stub"),
    ("unit tests", "helpers, workbook, zoo, scripts, project files"),
]


def pass_of(classname: str, name: str) -> str:
    if classname.startswith("notebooks.") or ".ipynb" in classname:
        return "nbval"
    if classname.endswith("test_other_machine"):
        return "other machine"
    if classname.endswith("test_hub_profile") and name.startswith("test_the_notebook_runs_with_the_hub_profile"):
        return "hub profile"
    if classname.endswith("test_browser"):
        return "browser"
    if name.startswith("test_the_smallest_budgets"):
        return "smallest budgets"
    if name.startswith(("test_a_bad_parameter", "test_a_prompt_too_long")):
        return "bad parameters"
    return "unit tests"


def unit_of(classname: str, name: str) -> str:
    """A notebook's run, an nbval notebook (all its cells), or a test module."""
    kind = pass_of(classname, name)
    notebook = re.search(r"([\w-]+)\.ipynb", f"{classname} {name}")
    if kind == "nbval":
        return f"nbval {notebook.group(1) if notebook else classname}"
    if kind in ("other machine", "hub profile", "smallest budgets") and notebook:
        return f"{kind}: {notebook.group(1)}"
    return f"{kind}: {classname.rsplit('.', 1)[-1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a JUnit XML report of make test (pytest --junitxml)")
    parser.add_argument("--top", type=int, default=12, help="how many of the longest units to list")
    args = parser.parse_args()
    cases = ET.parse(args.report).getroot().iter("testcase")
    by_pass, tests, units = defaultdict(float), defaultdict(int), defaultdict(float)
    for case in cases:
        classname, name, seconds = case.get("classname", ""), case.get("name", ""), float(case.get("time", 0))
        by_pass[pass_of(classname, name)] += seconds
        tests[pass_of(classname, name)] += 1
        units[unit_of(classname, name)] += seconds
    total = sum(by_pass.values())
    print("| pass | what it runs | tests | worker s | share |\n|---|---|---:|---:|---:|")
    for kind, what in PASSES:
        print(f"| {kind} | {what} | {tests[kind]} | {by_pass[kind]:,.0f} | {by_pass[kind] / total:.0%} |")
    print(f"| all | | {sum(tests.values())} | {total:,.0f} | 100% |\n")
    print("| unit | worker s |\n|---|---:|")
    for unit, seconds in sorted(units.items(), key=lambda u: -u[1])[: args.top]:
        print(f"| {unit} | {seconds:,.0f} |")


if __name__ == "__main__":
    main()
