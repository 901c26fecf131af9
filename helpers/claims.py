"""Claims about what the zoo models learned from TinyWorld, stated in one line each inside the lesson.

A notebook asserts two kinds of things. What holds for any model (an equality, a shape, a mask) is a plain
`assert`. What the zoo models learned (an accuracy, a loss against the grammar's floor) holds for them, in the
profiles' budgets, and not for a Hub checkpoint with other numbers or a one-step budget: those are claims, made
once per notebook with the condition under which they apply,

    zoo_claims = Claims(applies=on_zoo)

and then checked where the lesson shows them, without an `if` in the reader's way:

    zoo_claims.check(gap > 0.5, "only the bidirectional model uses the right context")
"""

from __future__ import annotations


class ClaimFailed(AssertionError):
    """A claim that should hold did not (raised even under python -O)."""


class Claims:
    """Claims asserted where `applies` is true, and skipped silently where it is not."""

    def __init__(self, applies: bool) -> None:
        if not isinstance(applies, bool):
            raise TypeError(f"Claims(applies=...) takes a bool, got {type(applies).__name__}")
        self.applies = applies
        self.checked: list[str] = []          # the claims asserted so far, in order

    def check(self, holds: bool, claim: str) -> None:
        """Assert `holds` when the claims apply; `claim` says in words what it is, and is the error if it fails."""
        if not self.applies:
            return
        if not bool(holds):
            raise ClaimFailed(f"claim does not hold: {claim}")
        self.checked.append(claim)

    def __repr__(self) -> str:
        state = "asserted" if self.applies else "not asserted here"
        return f"Claims({state}; {len(self.checked)} checked)"
