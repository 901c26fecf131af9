"""Solutions for workbook/ex01.py, and typical wrong answers."""

import torch


def causal_mask(n):
    return torch.ones(n, n).tril().bool()


def padded_causal_mask(attention_mask):
    n = attention_mask.shape[1]
    return torch.ones(n, n).tril().bool() & attention_mask.bool()[:, None, :]


t5_auto_class = "AutoModelForSeq2SeqLM"


def leak(model, input_ids, j, new_token):
    changed = input_ids.clone()
    changed[0, j] = new_token
    with torch.no_grad():
        before, after = model(input_ids).last_hidden_state, model(changed).last_hidden_state
    return (before[0, :j] - after[0, :j]).abs().max().item()


def causal_lm_loss(logits, input_ids):
    return torch.nn.functional.cross_entropy(logits[0, :-1], input_ids[0, 1:])


def _leak_including_j(model, input_ids, j, new_token):
    changed = input_ids.clone()
    changed[0, j] = new_token
    with torch.no_grad():
        before, after = model(input_ids).last_hidden_state, model(changed).last_hidden_state
    return (before[0, :j + 1] - after[0, :j + 1]).abs().max().item()


def _leak_same_input_twice(model, input_ids, j, new_token):
    with torch.no_grad():
        before, after = model(input_ids).last_hidden_state, model(input_ids).last_hidden_state
    return (before[0, :j] - after[0, :j]).abs().max().item()


WRONG = {
    "causal_mask": [
        (lambda n: torch.ones(n, n).triu().bool(), "see the future"),
        (lambda n: torch.ones(n, n).tril(-1).bool(), "diagonal is missing"),
        (lambda n: torch.ones(n, n + 1).tril().bool(), "shape [1, 2] where [1, 1] was expected"),
        (lambda n: torch.ones(n, n).tril().tolist(), "should be a torch tensor"),
    ],
    "padded_causal_mask": [
        (lambda m: torch.ones(m.shape[1], m.shape[1]).tril().bool().expand(m.shape[0], -1, -1), "padding keys"),
        (lambda m: torch.ones(m.shape[1], m.shape[1]).tril().bool() & m.bool()[:, :, None], "padded *queries*"),
        (lambda m: m.bool()[:, None, :].expand(-1, m.shape[1], -1), "causal triangle is missing"),
    ],
    "t5_auto_class": [
        ("AutoModelForCausalLM", "refuses a T5 config"),
        ("AutoModelForMaskedLM", "no masked-LM class"),
        ("AutoModelForT5", "not a class of transformers"),
    ],
    "leak": [
        (_leak_including_j, "compare only the positions before j"),
        (_leak_same_input_twice, "did the second pass run"),
    ],
    "causal_lm_loss": [
        (lambda logits, ids: torch.nn.functional.cross_entropy(logits[0], ids[0]), "shift the two by one"),
        (lambda logits, ids: torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:], reduction="sum"),
         "the sum over tokens"),
    ],
}
