"""Exercises for 03_masked_lm: 80-10-10 masking, fill-mask by hand, pseudo-log-likelihood, segment pairs,
and what GPT-2 can do with the left context only."""

from __future__ import annotations

import torch

from . import _cases
from .checks import Exercise, Wrong, exercises


def _bert():
    return _cases.model("tiny-bert", "masked-lm")


def check_mask_tokens(answer) -> str:
    tokenizer, _ = _bert()
    generator = torch.Generator().manual_seed(_cases.HIDDEN_SEED)
    input_ids = torch.randint(5, len(tokenizer), (64, 40), generator=generator)
    input_ids[:, 0], input_ids[:, -1] = tokenizer.cls_token_id, tokenizer.sep_token_id
    special = torch.zeros_like(input_ids, dtype=torch.bool)
    special[:, 0] = special[:, -1] = True
    result = answer(input_ids.clone(), special, tokenizer.mask_token_id, len(tokenizer),
                    torch.Generator().manual_seed(1))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Wrong("return two tensors: (the model's inputs, the labels)")
    inputs, labels = result
    if inputs.shape != input_ids.shape or labels.shape != input_ids.shape:
        raise Wrong(f"inputs and labels must keep the shape {list(input_ids.shape)}")
    chosen = labels != -100
    if chosen.all() or (~chosen & (labels != -100)).any():
        raise Wrong("labels must be -100 wherever no token was chosen: the loss is computed at the chosen ones only")
    if (chosen & special).any():
        raise Wrong("special tokens ([CLS], [SEP]) must never be chosen")
    if not torch.equal(labels[chosen], input_ids[chosen]):
        raise Wrong("a chosen position's label is the original token")
    share = chosen.float().mean().item() / (1 - special.float().mean().item())
    if not 0.12 < share < 0.18:
        raise Wrong("about 15 % of the ordinary tokens should be chosen; your share is far from that")
    masked = (inputs == tokenizer.mask_token_id) & chosen
    kept = (inputs == input_ids) & chosen
    random = chosen & ~masked & ~kept
    n = chosen.sum().item()
    if masked.sum() == n:
        raise Wrong("every chosen token became [MASK]: 10 % must stay as they are and 10 % get a random token")
    if not (0.74 < masked.sum() / n < 0.86 and 0.06 < kept.sum() / n < 0.15 and 0.06 < random.sum() / n < 0.15):
        raise Wrong("of the chosen tokens, about 80 % should become [MASK], 10 % a random token, 10 % stay")
    if not torch.equal(inputs[~chosen], input_ids[~chosen]):
        raise Wrong("tokens that were not chosen must reach the model unchanged")
    return "15 % chosen, 80-10-10 among them, labels only where chosen, specials never touched"


def check_fill_mask(answer) -> str:
    tokenizer, model = _bert()
    for sentence in _cases.sentences(3):
        words = sentence.split()
        text = " ".join(words[:2] + [tokenizer.mask_token] + words[3:])
        got = answer(model, tokenizer, text)
        ids = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            logits = model(**ids).logits[0]
        position = ids.input_ids[0].tolist().index(tokenizer.mask_token_id)
        expected = tokenizer.convert_ids_to_tokens(logits[position].argmax().item())
        if got == expected:
            continue
        if not isinstance(got, str):
            raise Wrong("return the predicted token as a string (tokenizer.convert_ids_to_tokens)")
        if got == tokenizer.convert_ids_to_tokens(logits[0].argmax().item()):
            raise Wrong("you read position 0 ([CLS]); read the position of [MASK]")
        raise Wrong("on a hidden sentence your token is not the model's top guess at the mask")
    return "the model's top token at [MASK] on hidden sentences"


def _pll(model, tokenizer, text) -> float:
    """The oracle: the model's own masked-LM loss, one row per ordinary token with that token masked and labelled."""
    ids = tokenizer(text, return_tensors="pt").input_ids
    positions = torch.arange(1, ids.shape[1] - 1)                  # not [CLS], not [SEP]
    rows = torch.arange(len(positions))
    masked = ids.repeat(len(positions), 1)
    masked[rows, positions] = tokenizer.mask_token_id
    labels = torch.full_like(masked, -100)
    labels[rows, positions] = ids[0, positions]
    with torch.no_grad():
        loss = model(masked, labels=labels).loss                   # the mean of -log p(true token) over the rows
    return -loss.item() * len(positions)


def check_pseudo_log_likelihood(answer) -> str:
    tokenizer, model = _bert()
    for sentence in _cases.sentences(2):
        got, expected = float(answer(model, tokenizer, sentence)), _pll(model, tokenizer, sentence)
        if abs(got - expected) < 1e-3 * max(1.0, abs(expected)):
            continue
        ids = tokenizer(sentence, return_tensors="pt").input_ids
        with torch.no_grad():
            visible = model(ids).logits[0].log_softmax(-1)[1:-1].gather(-1, ids[0, 1:-1, None]).sum().item()
        if abs(got - visible) < 1e-3 * max(1.0, abs(visible)):
            raise Wrong("you scored each token while the model could see it: mask it first, one token at a time")
        raise Wrong("on a hidden sentence your PLL differs: mask one ordinary token at a time ([CLS] and [SEP] are "
                    "not part of the text) and add the log-probabilities of the true tokens")
    return "the pseudo-log-likelihood, one masked token at a time, on hidden sentences"


def check_pair_inputs(answer) -> str:
    tokenizer, _ = _bert()
    first, second = _cases.sentences(2)
    got = answer(tokenizer, first, second)
    expected = tokenizer(first, second)
    ids = list(got["input_ids"])
    if ids == expected["input_ids"] and list(got.get("token_type_ids", [])) == expected["token_type_ids"]:
        return "[CLS] a [SEP] b [SEP], segment 0 then 1"
    if ids[:len(expected["input_ids"]) - 1] == expected["input_ids"][:-1] and len(ids) == len(expected["input_ids"]) - 1:
        raise Wrong("the pair ends with [SEP] too: [CLS] a [SEP] b [SEP]")
    if ids == expected["input_ids"]:
        raise Wrong("token_type_ids must be 0 for [CLS] a [SEP] and 1 for b [SEP]")
    raise Wrong("the ids differ from [CLS] a [SEP] b [SEP]")


def _first_token_loss(model, tokenizer, left: str, candidate: str) -> float:
    """The oracle: the model's own loss (-log p) of the candidate's first token, with its leading space, after bos + left."""
    prefix = tokenizer(tokenizer.bos_token + left).input_ids
    ids = torch.tensor([prefix + tokenizer(" " + candidate).input_ids[:1]])
    labels = torch.full_like(ids, -100)
    labels[0, -1] = ids[0, -1]
    with torch.no_grad():
        return model(ids, labels=labels).loss.item()


def check_gpt2_pick(answer) -> str:
    tokenizer, model = _cases.model("tiny-gpt2", "causal-lm")
    for sentence in _cases.sentences(3):
        words = sentence.split()
        left, candidates = " ".join(words[:2]), ["red", "blue", "green", "yellow", "white", "black"]
        got = answer(model, tokenizer, left, candidates)
        expected = min(candidates, key=lambda c: _first_token_loss(model, tokenizer, left, c))
        if got == expected:
            continue
        if got not in candidates:
            raise Wrong("return one of the candidates")
        raise Wrong("on a hidden left context your pick is not the candidate GPT-2 finds most likely: score each "
                    "candidate's first token after tokenizer.bos_token + left, with its leading space")
    return "GPT-2's most likely candidate from the left context, on hidden sentences"


ex03 = exercises(
    Exercise("mask_tokens", check_mask_tokens, [
        "Draw one random number per position with the generator; positions under 0.15 are chosen (never specials).",
        "Labels: the original id where chosen, -100 elsewhere. Then draw again to split chosen ones 80 / 10 / 10.",
        "torch.rand(shape, generator=generator) and torch.randint(vocab_size, shape, generator=generator) do it.",
    ], _cases.solution("ex03", "mask_tokens")),
    Exercise("fill_mask", check_fill_mask, [
        "Find the index of tokenizer.mask_token_id in the input ids.",
        "argmax of the logits at that index, then convert_ids_to_tokens.",
    ], _cases.solution("ex03", "fill_mask")),
    Exercise("pseudo_log_likelihood", check_pseudo_log_likelihood, [
        "For each position of the text (not [CLS], not [SEP]), replace it by [MASK] and run the model.",
        "Add log_softmax(logits at that position)[true id] over all positions.",
    ], _cases.solution("ex03", "pseudo_log_likelihood")),
    Exercise("pair_inputs", check_pair_inputs, [
        "BERT's tokenizer takes two texts: tokenizer(first, second).",
        "Look at token_type_ids: which segment each token belongs to.",
    ], _cases.solution("ex03", "pair_inputs")),
    Exercise("gpt2_pick", check_gpt2_pick, [
        "GPT-2 only sees the left: the next-token distribution after bos + left scores each candidate.",
        "A candidate after a word starts with a space: tokenize ' ' + candidate and take its first id.",
    ], _cases.solution("ex03", "gpt2_pick")),
)
mask_tokens, fill_mask, pseudo_log_likelihood, pair_inputs, gpt2_pick = ex03
