"""The workbook: every check passes on its solution, names each recorded wrong answer, says "not attempted"
for an untouched stub, and never prints a hidden case's expected value."""

import importlib
import re

import pytest

from workbook.checks import Exercise

SETS = ["ex01", "ex01b", "ex02", "ex02b", "ex03", "ex04", "ex04b", "ex04c", "ex05"]


def exercise_sets():
    return {name: importlib.import_module(f"workbook.{name}") for name in SETS}


def solutions(name):
    return importlib.import_module(f"workbook.solutions.{name}")


CASES = [(s, e.name) for s, module in exercise_sets().items() for e in getattr(module, s)]


def exercise(set_name, name) -> Exercise:
    return getattr(getattr(exercise_sets()[set_name], set_name), name)


def test_at_least_25_exercises_each_with_two_hints_and_two_recorded_wrong_answers():
    assert len(CASES) >= 25
    for set_name, name in CASES:
        assert len(exercise(set_name, name).hints) >= 2, name
        assert len(solutions(set_name).WRONG[name]) >= 2, name


@pytest.mark.parametrize("set_name, name", CASES, ids=[f"{s}.{n}" for s, n in CASES])
def test_the_solution_is_correct_and_a_stub_is_not_attempted(set_name, name):
    item = exercise(set_name, name)
    solution = getattr(solutions(set_name), name)
    verdict = item.verdict(solution)
    assert verdict.status == "correct", verdict.message

    def stub(*args):
        ...

    def raises(*args):
        raise NotImplementedError

    for untouched in (..., None, *((stub, raises) if callable(solution) else ())):
        assert item.verdict(untouched).status == "not attempted"


NUMBER = re.compile(r"\d+\.\d+|\d{3,}")        # a measured value would show as a decimal or a long number


@pytest.mark.parametrize("set_name, name", CASES, ids=[f"{s}.{n}" for s, n in CASES])
def test_each_recorded_wrong_answer_is_named_without_a_hidden_value(set_name, name):
    item = exercise(set_name, name)
    for answer, phrase in solutions(set_name).WRONG[name]:
        verdict = item.verdict(answer)
        assert verdict.status == "wrong" and phrase in verdict.message, (phrase, verdict.message)
        shown = re.sub(r"\b(p|k|n) = [\d.]+|-100", "", verdict.message)      # the case's own inputs, the ignore index
        assert not NUMBER.search(shown), verdict.message


def test_check_prints_one_line_hints_come_in_stages_and_the_solution_only_on_request(capsys):
    from workbook import ex02

    item = ex02.greedy
    item.check(...)
    assert capsys.readouterr().out.startswith("· not attempted")
    item._hints_shown = 0
    item.hint()
    first = capsys.readouterr().out
    item.hint()
    second = capsys.readouterr().out
    assert first.startswith("hint 1 of") and second.startswith("hint 2 of") and "no more hints" in second
    item.solution()
    assert "def greedy" in capsys.readouterr().out


def test_each_notebook_01_to_05_ends_by_pointing_to_its_exercises():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "notebooks"
    for exercises in sorted((root / "exercises").glob("*_exercises.ipynb")):
        main = root / exercises.name.replace("_exercises", "")
        cells = json.loads(main.read_text(encoding="utf-8"))["cells"]
        text = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
        # the lesson ends before the closing "## Checks" section (validation a reader can skip), if there is one
        lesson = text[:next((i for i, t in enumerate(text) if t.startswith("## Checks")), len(text))]
        assert f"(exercises/{exercises.name})" in lesson[-1], main.name


def test_a_stub_with_a_long_docstring_is_not_attempted_and_a_real_answer_with_one_is_graded():
    from workbook import ex01

    def stub(n):
        """Return the causal mask.

        It is lower-triangular: row i may read column j when j <= i.
        """
        ...                      # noqa: PIE790 - a learner's stub keeps it

    def answer(n):
        """Return the causal mask.

        It is lower-triangular.
        """
        import torch

        return torch.ones(n, n).triu()           # the wrong triangle, on purpose

    assert ex01.causal_mask.verdict(stub).status == "not attempted"
    assert ex01.causal_mask.verdict(answer).status == "wrong"


def test_no_check_takes_its_expected_values_from_the_solutions():
    """A check that imports the solution compares the solution with itself: its oracle must be independent."""
    import ast
    from pathlib import Path

    for name in SETS:
        source = (Path(__file__).resolve().parent.parent / "workbook" / f"{name}.py").read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom):
                assert "solutions" not in (node.module or ""), f"workbook/{name}.py imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any("solutions" in alias.name for alias in node.names), f"workbook/{name}.py"
