"""Batches for each family and head: padded, with the loss kept off padding and prompts, and reproducible.

The notebooks build each kind once by hand where they teach it, then use these. Labels use -100, the index
that every loss in transformers ignores.

A tokenizer without a pad token (gpt2 on the Hub has none; bos = eos = unk = <|endoftext|>) cannot pad a
batch. `padding_ready` gives it end-of-text as pad: padded positions are masked by `attention_mask` and
their labels are -100, so which id fills them changes nothing, except where a model *finds* padding by
comparing ids with `pad_token_id` (GPT2ForSequenceClassification: a trailing end-of-text then counts as
padding; 05_task_heads measures it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch

IGNORE = -100          # the label that cross-entropy in transformers skips


def padding_ready(tokenizer):
    """The tokenizer, with pad = eos when it has no pad token (in place; a no-op when it has one)."""
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ValueError(f"{type(tokenizer).__name__} has neither a pad nor an end-of-text token to pad with")
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def ignore_padding(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Labels equal to the inputs, with IGNORE where the attention mask says padding."""
    return input_ids.masked_fill(attention_mask == 0, IGNORE)


def causal_lm(tokenizer, texts: Sequence[str], prompts: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
    """One text per row, right-padded; labels = inputs, no loss on padding nor on each row's prompt.

    `prompts[i]` must be the start of `texts[i]`; the model is then trained on the rest only.
    """
    padding_ready(tokenizer)
    if tokenizer.padding_side != "right":
        raise ValueError("causal_lm batches pad on the right (labels line up with the text); "
                         "set tokenizer.padding_side = 'right'")
    enc = tokenizer(list(texts), return_tensors="pt", padding=True)
    labels = ignore_padding(enc.input_ids, enc.attention_mask)
    for row, prompt in enumerate(prompts or []):
        if not texts[row].startswith(prompt):
            raise ValueError(f"row {row}: the prompt {prompt!r} is not the start of its text")
        labels[row, :len(tokenizer(prompt).input_ids)] = IGNORE
    return {"input_ids": enc.input_ids, "attention_mask": enc.attention_mask, "labels": labels}


def seq2seq(tokenizer, sources: Sequence[str], targets: Sequence[str],
            target_tokenizer=None) -> dict[str, torch.Tensor]:
    """Encoder inputs from `sources`, labels from `targets` (the model shifts them right itself)."""
    target_tokenizer = padding_ready(target_tokenizer or tokenizer)
    enc = padding_ready(tokenizer)(list(sources), return_tensors="pt", padding=True)
    target = target_tokenizer(list(targets), return_tensors="pt", padding=True)
    return {"input_ids": enc.input_ids, "attention_mask": enc.attention_mask,
            "labels": ignore_padding(target.input_ids, target.attention_mask)}


def random_rows(n_rows: int, batch_size: int, seed: int) -> Iterator[list[int]]:
    """Endless batches of row indices drawn with replacement, the same for the same seed."""
    if n_rows < 1 or batch_size < 1:
        raise ValueError("need at least one row and a batch size of at least one")
    generator = torch.Generator().manual_seed(seed)
    while True:
        yield torch.randint(n_rows, (batch_size,), generator=generator).tolist()


def endless(data: Sequence[Any], make_batch: Callable[[list[Any]], dict], batch_size: int,
            seed: int) -> Iterator[dict]:
    """Endless reproducible batches: `make_batch` applied to random draws from `data`."""
    for rows in random_rows(len(data), batch_size, seed):
        yield make_batch([data[i] for i in rows])


def shuffled(data: Sequence[Any], make_batch: Callable[[list[Any]], dict], batch_size: int,
             seed: int) -> Iterator[dict]:
    """Endless epochs over `data` in a fresh seeded order each time, full batches only (the zoo build's way)."""
    if len(data) < batch_size:
        raise ValueError(f"{len(data)} rows cannot fill a batch of {batch_size}")
    generator = torch.Generator().manual_seed(seed)
    while True:
        order = torch.randperm(len(data), generator=generator).tolist()
        for i in range(0, len(order) - batch_size + 1, batch_size):
            yield make_batch([data[j] for j in order[i:i + batch_size]])
