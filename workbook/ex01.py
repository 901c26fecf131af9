"""Exercises for 01_three_families: masks, the Auto classes, the leak test, what GPT-2's logits predict."""

from __future__ import annotations

import torch
import transformers

from . import _cases
from .checks import Exercise, Wrong, exercises


def _tensor(value, what: str) -> torch.Tensor:
    if not torch.is_tensor(value):
        raise Wrong(f"{what} should be a torch tensor, got {type(value).__name__}")
    return value


def check_causal_mask(answer) -> str:
    for n in (1, 4, 9):
        mask = _tensor(answer(n), "the mask")
        if tuple(mask.shape) != (n, n):
            raise Wrong(f"shape {list(mask.shape)} where [{n}, {n}] was expected for n = {n}")
        allowed = mask.bool()
        causal = torch.ones(n, n).tril().bool()
        if torch.equal(allowed, causal):
            continue
        if torch.equal(allowed, causal.T):
            raise Wrong("your mask lets each position see the future instead of the past: row i is the query, "
                        "column j the key, and i may read j only when j <= i")
        if torch.equal(allowed, causal & ~torch.eye(n, dtype=torch.bool)):
            raise Wrong("the diagonal is missing: a position may attend to itself")
        raise Wrong(f"{int((allowed != causal).sum())} of {n * n} entries are wrong for n = {n}")
    return "lower-triangular, diagonal included, for every size tried"


def check_padded_causal_mask(answer) -> str:
    attention_masks = [torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]), torch.tensor([[0, 0, 1, 1], [0, 1, 1, 1]])]
    for attention_mask in attention_masks:
        batch, n = attention_mask.shape
        allowed = _tensor(answer(attention_mask), "the mask")
        if tuple(allowed.shape) != (batch, n, n):
            raise Wrong(f"shape {list(allowed.shape)} where [{batch}, {n}, {n}] was expected for an attention mask of "
                        f"shape [{batch}, {n}]")
        allowed = allowed.bool()
        causal = torch.ones(n, n).tril().bool()
        keys = attention_mask.bool()[:, None, :]
        if torch.equal(allowed, (causal & keys)):
            continue
        if torch.equal(allowed, causal.expand(batch, n, n)):
            raise Wrong("padding keys are still visible: combine the causal mask with the attention mask")
        if torch.equal(allowed, keys.expand(batch, n, n)):
            raise Wrong("future positions are visible: the causal triangle is missing")
        if torch.equal(allowed, causal & attention_mask.bool()[:, :, None]):
            raise Wrong("you masked the padded *queries* (rows); it is the padded *keys* (columns) that no one may read")
        raise Wrong("wrong entries" + (" on a left-padded batch" if attention_mask[0, 0] == 0 else ""))
    return "causal and padding combined, on right- and left-padded batches"


def check_t5_auto_class(answer) -> str:
    name = answer if isinstance(answer, str) else getattr(answer, "__name__", repr(answer))
    if name == "AutoModelForSeq2SeqLM":
        return "T5's config maps to T5ForConditionalGeneration there"
    if name == "AutoModelForCausalLM":
        raise Wrong("AutoModelForCausalLM refuses a T5 config: T5 has an encoder and a decoder")
    if name == "AutoModelForMaskedLM":
        raise Wrong("T5 has no masked-LM class: its span corruption trains the encoder-decoder as a whole")
    if not hasattr(transformers, name):
        raise Wrong(f"{name!r} is not a class of transformers")
    raise Wrong(f"{name} is not the Auto class that generates text from text with T5")


def check_leak(answer) -> str:
    for name in ("tiny-gpt2", "tiny-bert"):
        tokenizer, model = _cases.model(name)
        for sentence in _cases.sentences(2):
            ids = tokenizer(sentence, return_tensors="pt").input_ids
            j = ids.shape[1] // 2
            new_token = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(" dog" if name == "tiny-gpt2" else "dog"))[0]
            value = answer(model, ids.clone(), j, new_token)
            value = float(value)
            changed = ids.clone()
            changed[0, j] = new_token
            with torch.no_grad():
                before, after = model(ids).last_hidden_state, model(changed).last_hidden_state
            expected = (before[0, :j] - after[0, :j]).abs().max().item()
            if name == "tiny-gpt2" and value > 1e-3:
                raise Wrong("for GPT-2 your leak is far above 0: compare only the positions before j "
                            "(position j itself changed, and the ones after it read it)")
            if name == "tiny-bert" and value < 1e-3 < expected:
                raise Wrong("for BERT your leak is 0: did the second pass run on the sentence with token j replaced?")
            if abs(value - expected) > 1e-4 * max(1.0, expected):
                raise Wrong(f"on a hidden sentence your {name} value is not the largest absolute change of "
                            "last_hidden_state at the positions before j")
    return "the same leak as measured by hand, for GPT-2 (none) and BERT (some), on hidden sentences"


def check_causal_lm_loss(answer) -> str:
    tokenizer, model = _cases.model("tiny-gpt2", "causal-lm")
    for sentence in _cases.sentences(3):
        ids = tokenizer(tokenizer.bos_token + sentence + tokenizer.eos_token, return_tensors="pt").input_ids
        with torch.no_grad():
            out = model(ids, labels=ids)
        value = answer(out.logits, ids)
        if not torch.is_tensor(value) or value.numel() != 1:
            raise Wrong("return the loss as a one-element tensor (a mean over the predicted tokens)")
        shifted = torch.nn.functional.cross_entropy(out.logits[0, :-1], ids[0, 1:])
        if abs(value.item() - out.loss.item()) < 1e-4:
            continue
        unshifted = torch.nn.functional.cross_entropy(out.logits[0], ids[0])
        if abs(value.item() - unshifted.item()) < 1e-4:
            raise Wrong("your loss compares the logits at t with token t; GPT-2's logits at t predict token t + 1: "
                        "shift the two by one")
        if abs(value.item() - shifted.item() * (ids.shape[1] - 1)) < 1e-3:
            raise Wrong("your loss is the sum over tokens; transformers reports the mean")
        raise Wrong("on a hidden sentence your loss differs from the model's own (labels=input_ids)")
    return "equal to the model's own loss with labels=input_ids, on hidden sentences"


ex01 = exercises(
    Exercise("causal_mask", check_causal_mask, [
        "Row i is the query position, column j the key position; GPT-2 allows j <= i.",
        "torch.ones(n, n) and one of torch.tril / torch.triu gives the triangle; keep the diagonal.",
    ], _cases.solution("ex01", "causal_mask")),
    Exercise("padded_causal_mask", check_padded_causal_mask, [
        "Two conditions must both hold: j <= i (causal) and key j is not padding (attention_mask[b, j] == 1).",
        "Broadcast: the causal [n, n] triangle against attention_mask[:, None, :] (the key axis) gives [batch, n, n].",
    ], _cases.solution("ex01", "padded_causal_mask")),
    Exercise("t5_auto_class", check_t5_auto_class, [
        "01 prints a table of which Auto class maps each config to which model class.",
        "T5 reads a text with its encoder and writes a text with its decoder: sequence to sequence.",
    ], _cases.solution("ex01", "t5_auto_class")),
    Exercise("leak", check_leak, [
        "Run the model twice: on input_ids, and on a copy with input_ids[0, j] = new_token.",
        "Compare last_hidden_state at positions [:j] only, and return the largest absolute difference as a float.",
    ], _cases.solution("ex01", "leak")),
    Exercise("causal_lm_loss", check_causal_lm_loss, [
        "The logits at position t are GPT-2's guess of the token at t + 1.",
        "cross_entropy(logits[0, :-1], input_ids[0, 1:]) is the mean over the predicted tokens.",
    ], _cases.solution("ex01", "causal_lm_loss")),
)
causal_mask, padded_causal_mask, t5_auto_class, leak, causal_lm_loss = ex01
