"""A short, readable training loop with a progress bar and a loss history.

It is the plain PyTorch loop that `Trainer` wraps: forward, loss, backward, clip, step, schedule.
The notebooks call it where training is plumbing; where training is the lesson, they write it out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from . import progress_enabled  # one switch for every bar (notebooks import it from here too)


@dataclass
class TrainResult:
    """What a training run measured: the loss at each step and how long it took."""

    losses: list[float] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    examples: int = 0

    @property
    def final_loss(self) -> float:
        """The mean loss over the last tenth of the steps (less noisy than the last step)."""
        tail = self.losses[-max(1, len(self.losses) // 10):]
        return sum(tail) / len(tail)


def default_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """The loss the model computes itself from `labels` in the batch."""
    return model(**batch).loss


def train(
    model: torch.nn.Module,
    batches: Iterable[dict[str, torch.Tensor]],
    *,
    steps: int,
    lr: float = 3e-3,
    warmup_steps: int | None = None,
    weight_decay: float = 0.01,
    max_grad_norm: float = 1.0,
    loss_fn: Callable[[torch.nn.Module, dict[str, torch.Tensor]], torch.Tensor] = default_loss,
    device: torch.device | str | None = None,
    max_seconds: float | None = None,
    progress: bool | None = None,
    desc: str = "training",
    dtype: torch.dtype | str = torch.float32,
) -> TrainResult:
    """Train `model` for `steps` optimizer steps on `batches` (cycled if shorter) with AdamW.

    The learning rate warms up linearly, then follows a cosine to zero. `max_seconds` stops early
    on a wall-clock budget. `dtype` bfloat16 or float16 runs the forward pass under autocast (mixed
    precision: the weights and optimizer stay float32). Returns the loss history; the model is left in
    eval mode.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device).train()
    dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
    if dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise ValueError(f"dtype must be float32, bfloat16 or float16, got {dtype!r}")
    warmup = warmup_steps if warmup_steps is not None else max(1, steps // 20)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: _lr_factor(s, warmup, steps))

    result = TrainResult()
    show = progress_enabled() if progress is None else progress
    bar = tqdm(total=steps, desc=desc, disable=not show, leave=False)
    start = time.perf_counter()
    for step, batch in zip(range(steps), _cycle(batches)):
        batch = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
        with autocast(device, dtype):
            loss = loss_fn(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        schedule.step()
        result.losses.append(loss.item())
        result.steps = step + 1
        result.examples += _batch_size(batch)
        if step % 10 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}")
        bar.update(1)
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            break
    bar.close()
    result.seconds = time.perf_counter() - start
    model.eval()
    return result


def autocast(device: torch.device | str, dtype: torch.dtype):
    """Mixed precision for the forward pass in `dtype`; float32 turns it off (the exact CPU path)."""
    device = torch.device(device)
    return torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32)


def _lr_factor(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def _cycle(batches: Iterable[dict[str, torch.Tensor]]) -> Iterator[dict[str, torch.Tensor]]:
    if isinstance(batches, Iterator):          # a generator: take it as it comes
        yield from batches
        return
    while True:                                # a list or DataLoader: go round again
        empty = True
        for batch in batches:
            empty = False
            yield batch
        if empty:
            raise ValueError("no batches to train on")


def _batch_size(batch: dict[str, torch.Tensor]) -> int:
    for value in batch.values():
        if isinstance(value, torch.Tensor) and value.dim() > 0:
            return int(value.shape[0])
    return 0
