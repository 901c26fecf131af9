"""Check a notebook's parameters (as papermill injects them) before anything runs.

Each known parameter has one rule; a value that breaks it stops the notebook at once with a message
that names the parameter and what it accepts (papermill passes `-p seed ten` as the string "ten").
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16", "float16")

PROFILES_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "profiles"


class ParameterError(ValueError):
    """A notebook parameter with a value it cannot take."""

    def _render_traceback_(self) -> list[str]:      # IPython shows this one line instead of a traceback
        return [f"ParameterError: {self}"]


def _int(minimum: int) -> Callable[[Any], str | None]:
    def rule(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"an integer >= {minimum}"
        return None if value >= minimum else f"an integer >= {minimum}"
    return rule


def _number(low: float, high: float) -> Callable[[Any], str | None]:
    def rule(value: Any) -> str | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"a number between {low} and {high}"
    return rule


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def rule(value: Any) -> str | None:
        return None if isinstance(value, str) and value in options else "one of " + ", ".join(repr(o) for o in options)
    return rule


def device_problem(value: Any) -> str | None:
    """'auto', 'cpu', 'cuda', 'mps', or 'cuda:N' for the N-th GPU (N a whole number): nothing else."""
    if isinstance(value, str) and (value in DEVICES or re.fullmatch(r"cuda:\d+", value)):
        return None
    return "one of " + ", ".join(repr(o) for o in DEVICES) + " or 'cuda:N' (N = 0, 1, ...)"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def _width(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 8 and value % 2 == 0
    return None if ok else "an even integer >= 8"


def _widths(value: Any) -> str | None:
    ok = isinstance(value, list) and value and all(_width(v) is None for v in value)
    return None if ok else "a non-empty list of even integers >= 8"


def _name(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a zoo model name or a hub id (a string)"


def _profile(value: Any) -> str | None:
    names = sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))
    return None if value in names else "one of " + ", ".join(repr(n) for n in names)


# The rule for each parameter of the notebooks, by name; a name with no rule here is no notebook's parameter
# (tests/test_params.py checks that every name here is a parameter of some notebook, and the reverse).
RULES: dict[str, Callable[[Any], str | None]] = {
    "seed": _int(0),
    "device": device_problem,
    "dtype": _choice(DTYPES),
    "profile": _profile,
    "causal_model": _name,
    "masked_model": _name,
    "seq2seq_model": _name,
    "caption_model": _name,
    "chat_model": _name,
    "prompt": _text,
    "sentence": _text,
    "max_new_tokens": _int(1),
    "n_samples": _int(1),
    "n_items": _int(1),
    "finetune_steps": _int(1),
    "compare_steps": _int(1),
    "warmstart_steps": _int(1),
    "head_steps": _int(1),
    "summary_steps": _int(1),
    "sft_steps": _int(1),
    "job_steps": _int(1),
    "learning_rate": _number(1e-7, 1.0),
    "head_lr": _number(1e-7, 1.0),
    "job_width": _width,
    "job_layers": _int(1),
    "sweep_widths": _widths,
}


def rule_for(name: str) -> Callable[[Any], str | None] | None:
    """The rule that checks parameter `name`, or None if no notebook has that parameter."""
    return RULES.get(name)


def check_params(**params: Any) -> None:
    """Check each parameter against its rule; raise ParameterError naming the first bad one.

    In a notebook it also prints a note for a name that an earlier parameters-like cell set (the
    parameters cell, papermill's injected cell: only literal assignments) and that no notebook has as a
    parameter (no rule knows it): `papermill ... -p sead 3` would otherwise run to the end with seed 0 and
    say nothing. A real parameter of another notebook is left to papermill's own warning.
    """
    for name in stray_parameters(set(params)):
        close = difflib.get_close_matches(name, list(params), n=1)
        print(f"note: {name!r} is not a parameter of this notebook, so setting it changes nothing"
              + (f"; did you mean {close[0]!r}?" if close else f"; its parameters: {', '.join(params)}"))
    for name, value in params.items():
        rule = rule_for(name)
        if rule is None:
            raise ParameterError(f"unknown parameter {name!r}: helpers.params has no rule for it")
        expected = rule(value)
        if expected is not None:
            raise ParameterError(f"parameter {name!r} must be {expected}; got {value!r} "
                                 f"({type(value).__name__})")
    if "job_width" in params and "sweep_widths" in params and params["job_width"] not in params["sweep_widths"]:
        raise ParameterError(f"parameter 'job_width' must be one of sweep_widths {params['sweep_widths']} (the second-seed "
                             f"run repeats that width); got {params['job_width']!r}")


def stray_parameters(known: set[str]) -> list[str]:
    """Names set by earlier cells of only literal assignments (IPython's input history) that no parameter has."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = shell.user_ns.get("In", []) if shell is not None else []
    stray: list[str] = []
    for source in history[:-1]:                       # the last entry is the cell running now
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        if body and all(_literal_assignment(node) for node in body):
            stray += [node.targets[0].id for node in body
                      if node.targets[0].id not in known and rule_for(node.targets[0].id) is None]
    return sorted(set(stray))


def _literal_assignment(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
        return False
    try:
        ast.literal_eval(node.value)
    except ValueError:
        return False
    return True


def load_profile(name: str) -> dict[str, Any]:
    """The values of one profile (notebooks/profiles/NAME.yaml)."""
    problem = _profile(name)
    if problem:
        raise ParameterError(f"parameter 'profile' must be {problem}; got {name!r}")
    return yaml.safe_load((PROFILES_DIR / f"{name}.yaml").read_text(encoding="utf-8")) or {}


def check_prompt(tokenizer, prompt: str, max_length: int, reserve: int = 0) -> list[int]:
    """Token ids of a prompt, or a clear error if it is empty or leaves no room in the context window."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ParameterError("the prompt is empty; give the model some text to continue")
    ids = tokenizer(prompt, add_special_tokens=False).input_ids
    if len(ids) + reserve > max_length:
        raise ParameterError(f"the prompt is {len(ids)} tokens long; with {reserve} new tokens it needs "
                             f"{len(ids) + reserve}, more than the model's context of {max_length} tokens; "
                             "shorten it or ask for fewer new tokens")
    return ids
