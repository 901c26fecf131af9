"""Hidden cases the checkers share: zoo models (loaded once) and TinyWorld sentences the notebooks do not show."""

from __future__ import annotations

import importlib
from functools import cache

import torch

from helpers import zoo
from helpers.runtime import quiet_loading
from helpers.world import TinyWorld

HIDDEN_SEED = 9173          # a world of its own: none of its sentences is printed by a notebook


@cache
def model(name: str, task: str = "base"):
    quiet_loading()                     # a check cell shows its verdict, not a "Loading weights" bar
    tokenizer, loaded = zoo.load(name, task=task)
    return tokenizer, loaded.eval()


@cache
def sentences(n: int = 4) -> tuple[str, ...]:
    return tuple(TinyWorld(seed=HIDDEN_SEED, n_stories=200).texts("test")[:n])


def same(a, b, tolerance: float = 1e-4) -> bool:
    a, b = torch.as_tensor(a, dtype=torch.float32), torch.as_tensor(b, dtype=torch.float32)
    return a.shape == b.shape and torch.allclose(a, b, atol=tolerance, rtol=tolerance)


def solution(set_name: str, name: str):
    """What Exercise.solution shows: the worked solution, looked up only when the learner asks."""
    return lambda: getattr(importlib.import_module(f"workbook.solutions.{set_name}"), name)
