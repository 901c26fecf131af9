"""The workbook's checks: one verdict per answer (not attempted / correct / wrong, and why), staged hints,
a solution only on request.

    from workbook.ex02 import ex02                # the exercises of one notebook (workbook/ex02.py)
    def greedy(model, tokenizer, prompt, n): ...  # the learner's answer
    ex02.greedy.check(greedy)                     # prints one line: the verdict
    ex02.greedy.hint()                            # the next hint, one more per call
    ex02.greedy.solution()                        # the worked solution (workbook/solutions/ex02.py)

An exercise's checker runs the answer on cases the learner does not see (built inside the checker) and
raises `Wrong("what is wrong, in terms the learner can act on")`; it never puts a hidden case's expected
value in that message (tests/test_workbook.py checks every recorded wrong answer for that). An answer that
still is the stub (`...`, None, or a function that raises NotImplementedError) is "not attempted yet".

Why not otter-grader or nbgrader: both are built around an instructor who assigns and collects; a checker
there prints a failing test's source and its expected value, which here would give the answer away, and they
bring their own notebook format. A self-study workbook needs one small module and plain functions.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Wrong(AssertionError):
    """Raised by a checker: the answer is wrong, and the message says how (never with a hidden expected value)."""


class _Stub(Exception):
    pass


@dataclass
class Verdict:
    status: str          # "not attempted", "correct" or "wrong"
    message: str

    def __str__(self) -> str:
        mark = {"not attempted": "·", "correct": "✓", "wrong": "✗"}[self.status]
        return f"{mark} {self.status}: {self.message}"



@dataclass
class Exercise:
    """One exercise: its checker, its hints in order, and where its solution lives."""

    name: str
    checker: Callable[[Any], str | None]          # raises Wrong, or returns what was checked (said on success)
    hints: list[str]
    solution_of: Callable[[], Any] | None = None  # returns the solution object (function or value)
    _hints_shown: int = field(default=0, repr=False)

    def check(self, answer: Any = ...) -> None:
        """Print the verdict on the answer: one line (returns nothing, so a notebook shows it once)."""
        print(self.verdict(answer))

    def verdict(self, answer: Any = ...) -> Verdict:
        """The verdict without printing it (the tests use this)."""
        if _is_stub(answer):
            return Verdict("not attempted", f"fill in the stub above, then run this cell again ({self.name})")
        try:
            checked = self.checker(_guard(answer))
        except _Stub:
            return Verdict("not attempted", f"your function still raises NotImplementedError ({self.name})")
        except Wrong as wrong:
            return Verdict("wrong", str(wrong) + " (ask for a hint with .hint())")
        except Exception as error:  # noqa: BLE001 - the learner's code may raise anything on a hidden case
            return Verdict("wrong", f"your answer raised {type(error).__name__}: {str(error).splitlines()[0][:160]}"
                                    if str(error) else f"your answer raised {type(error).__name__}")
        return Verdict("correct", checked or "every hidden case passes")

    def hint(self) -> None:
        if self._hints_shown < len(self.hints):
            self._hints_shown += 1
        shown = self._hints_shown
        print(f"hint {shown} of {len(self.hints)}: {self.hints[shown - 1]}")
        if shown == len(self.hints):
            print("(no more hints; .solution() shows a worked solution)")

    def solution(self) -> None:
        if self.solution_of is None:
            print("no solution recorded")
            return
        solution = self.solution_of()
        if callable(solution):
            print(inspect.getsource(solution))
        else:
            print(f"{self.name} = {solution!r}")


STUB_STATEMENTS = ("...", "pass", "return None", "return ...", "return")


def _is_stub(answer: Any) -> bool:
    """Whether the answer is still the stub: `...`, None, or a function whose body (docstring aside) does nothing."""
    if answer is ... or answer is None:
        return True
    if not callable(answer) or isinstance(answer, type) or getattr(answer, "__name__", "") == "<lambda>":
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(answer)))
    except (OSError, TypeError, SyntaxError):
        return False
    function = tree.body[0]
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]                                      # the docstring, however many lines it has
    return all(ast.unparse(statement) in STUB_STATEMENTS for statement in body)


def _guard(answer: Any) -> Any:
    """The answer, with NotImplementedError turned into 'not attempted' wherever the checker calls it."""
    if not callable(answer) or isinstance(answer, type):
        return answer

    def guarded(*args, **kwargs):
        try:
            return answer(*args, **kwargs)
        except NotImplementedError:
            raise _Stub from None
    guarded.__name__ = getattr(answer, "__name__", "answer")
    return guarded


def exercises(*items: Exercise):
    """A namespace of exercises (ex02.greedy, ex02.top_k ...), in the order given."""
    class Set:
        def __iter__(self):
            return iter(items)

        def __repr__(self) -> str:
            return "exercises: " + ", ".join(e.name for e in items)
    namespace = Set()
    for item in items:
        setattr(namespace, item.name, item)
    return namespace
