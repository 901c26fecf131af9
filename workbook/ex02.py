"""Exercises for 02_causal_lm: the next-token distribution, greedy decoding, top-k and top-p, a story's NLL."""

from __future__ import annotations

import torch
from transformers import TopKLogitsWarper, TopPLogitsWarper

from . import _cases
from .checks import Exercise, Wrong, exercises


def _lm():
    return _cases.model("tiny-gpt2", "causal-lm")


def check_next_token_probs(answer) -> str:
    tokenizer, model = _lm()
    for sentence in _cases.sentences(3):
        prompt = " ".join(sentence.split()[:5])
        probs = answer(model, tokenizer, prompt)
        if not torch.is_tensor(probs) or probs.dim() != 1:
            raise Wrong("return a 1-D tensor: one probability per vocabulary entry")
        if probs.shape[0] != model.config.vocab_size:
            raise Wrong(f"{probs.shape[0]} values where one per vocabulary entry ({model.config.vocab_size}) was expected")
        if abs(probs.sum().item() - 1) > 1e-3:
            raise Wrong("your values do not sum to 1: apply softmax to the logits")
        with torch.no_grad():
            logits = model(**tokenizer(tokenizer.bos_token + prompt, return_tensors="pt")).logits[0]
            no_bos = model(**tokenizer(prompt, return_tensors="pt")).logits[0, -1].softmax(-1)
        if _cases.same(probs, logits[-1].softmax(-1)):
            continue
        if _cases.same(probs, no_bos):
            raise Wrong("the text must start with the begin-of-text token, as in training (tokenizer.bos_token + prompt)")
        if _cases.same(probs, logits[0].softmax(-1)):
            raise Wrong("you read the first position; the next token's distribution is at the last one")
        raise Wrong("on a hidden prompt your distribution is not the model's")
    return "the model's next-token distribution on hidden prompts"


def check_greedy(answer) -> str:
    tokenizer, model = _lm()
    for sentence, n in zip(_cases.sentences(3), (3, 6, 9)):
        prompt = " ".join(sentence.split()[:4])
        ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt")
        with torch.no_grad():
            expected = model.generate(**ids, max_new_tokens=n, min_new_tokens=n, do_sample=False,
                                      pad_token_id=tokenizer.pad_token_id)[0, ids.input_ids.shape[1]:].tolist()
        got = answer(model, tokenizer, prompt, n)
        got = got.tolist() if torch.is_tensor(got) else list(got)
        if got == expected:
            continue
        if len(got) == n + ids.input_ids.shape[1] or len(got) == n + ids.input_ids.shape[1] - 1:
            raise Wrong("return only the new tokens, not the prompt")
        if len(got) != n:
            raise Wrong(f"{len(got)} new tokens where n = {n} were asked")
        raise Wrong("your tokens differ from generate(do_sample=False): take the argmax at the last position, "
                    "append it, and run again")
    return "the same tokens as generate(do_sample=False) on hidden prompts"


def _logits(seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(3, 50, generator=generator) * 3


def check_top_k_filter(answer) -> str:
    for seed, k in ((1, 1), (2, 5), (3, 20)):
        logits = _logits(seed)
        got = answer(logits.clone(), k)
        expected = TopKLogitsWarper(k)(None, logits.clone())
        if torch.is_tensor(got) and got.shape == logits.shape and torch.equal(torch.isinf(got), torch.isinf(expected)) \
                and torch.allclose(got[~torch.isinf(got)], expected[~torch.isinf(expected)]):
            continue
        if not torch.is_tensor(got) or got.shape != logits.shape:
            raise Wrong("return logits of the same shape as the input")
        if (got == 0).sum() > (logits == 0).sum() and not torch.isinf(got).any():
            raise Wrong("removed tokens must get probability 0 after softmax: set their logits to -inf, not 0")
        kept = (~torch.isinf(got)).sum(-1)
        if (kept == k + 1).all():
            raise Wrong(f"you keep k + 1 tokens per row (k = {k})")
        raise Wrong(f"the kept tokens are not the k most likely of each row (k = {k})")
    return "the same logits as transformers' TopKLogitsWarper"


def check_top_p_filter(answer) -> str:
    for seed, p in ((4, 0.5), (5, 0.9), (6, 0.99)):
        logits = _logits(seed)
        got = answer(logits.clone(), p)
        expected = TopPLogitsWarper(p)(None, logits.clone())
        if not torch.is_tensor(got) or got.shape != logits.shape:
            raise Wrong("return logits of the same shape as the input")
        kept, should = ~torch.isinf(got), ~torch.isinf(expected)
        if torch.equal(kept, should) and torch.allclose(got[kept], expected[should]):
            continue
        if (kept.sum(-1) <= should.sum(-1)).all() and (kept.sum(-1) == should.sum(-1) - 1).any():
            raise Wrong(f"you removed the token that takes the total past p (p = {p}): keep the smallest set of most "
                        "likely tokens whose probabilities reach p")
        raise Wrong(f"your kept set differs from the nucleus for p = {p}: sort by probability, most likely first, "
                    "and add them up")
    return "the same logits as transformers' TopPLogitsWarper"


def check_story_nll(answer) -> str:
    tokenizer, model = _lm()
    for sentence in _cases.sentences(3):
        got = float(answer(model, tokenizer, sentence))
        ids = tokenizer(tokenizer.bos_token + sentence + tokenizer.eos_token, return_tensors="pt").input_ids
        with torch.no_grad():        # the oracle: the model's own loss (a mean over the ids[1:] it predicts)
            expected = model(ids, labels=ids).loss.item() * (ids.shape[1] - 1)
        if abs(got - expected) < 1e-3 * max(1.0, expected):
            continue
        if abs(got - expected / (ids.shape[1] - 1)) < 1e-3:
            raise Wrong("that is the mean per token; a story's NLL is the sum over its tokens")
        with torch.no_grad():
            short = tokenizer(tokenizer.bos_token + sentence, return_tensors="pt").input_ids
            without_eos = model(short, labels=short).loss.item() * (short.shape[1] - 1)
        if abs(got - without_eos) < 1e-3 * max(1.0, without_eos):
            raise Wrong("the end-of-text token is part of the story: it is predicted too")
        raise Wrong("on a hidden story your NLL is not the model's (in nats, bos ... eos, each token from the ones before)")
    return "the story's total NLL in nats, end-of-text included, on hidden stories"


ex02 = exercises(
    Exercise("next_token_probs", check_next_token_probs, [
        "Tokenize tokenizer.bos_token + prompt, run the model, and look at the logits of the last position.",
        "softmax over the vocabulary axis turns those logits into probabilities.",
    ], _cases.solution("ex02", "next_token_probs")),
    Exercise("greedy", check_greedy, [
        "A loop of n steps: run the model on the ids so far, take the argmax at the last position, append it.",
        "Start from tokenizer(tokenizer.bos_token + prompt); return only the n new ids.",
    ], _cases.solution("ex02", "greedy")),
    Exercise("top_k_filter", check_top_k_filter, [
        "logits.topk(k) gives, per row, the k largest values; everything below the k-th must go.",
        "Set the logits you remove to float('-inf'): softmax then gives them probability 0.",
    ], _cases.solution("ex02", "top_k_filter")),
    Exercise("top_p_filter", check_top_p_filter, [
        "Sort each row's probabilities, most likely first, and add them up (cumsum).",
        "Keep a token if the total *before* it is still below p: the token that crosses p stays.",
        "Map the decision back from sorted order to vocabulary order (scatter), then set the rest to -inf.",
    ], _cases.solution("ex02", "top_p_filter")),
    Exercise("story_nll", check_story_nll, [
        "The text the model sees is bos + story + eos; every token after bos is predicted from the ones before.",
        "log_softmax of logits[:-1], gather the ids [1:], sum, and negate.",
    ], _cases.solution("ex02", "story_nll")),
)
next_token_probs, greedy, top_k_filter, top_p_filter, story_nll = ex02
