"""Solutions for workbook/ex02.py, and typical wrong answers."""

import torch


def next_token_probs(model, tokenizer, prompt):
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt")
    with torch.no_grad():
        return model(**ids).logits[0, -1].softmax(-1)


def greedy(model, tokenizer, prompt, n):
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt").input_ids
    new = []
    for _ in range(n):
        with torch.no_grad():
            next_id = model(ids).logits[0, -1].argmax()
        new.append(next_id.item())
        ids = torch.cat([ids, next_id.view(1, 1)], dim=1)
    return new


def top_k_filter(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits, p):
    probs, order = logits.softmax(-1).sort(dim=-1, descending=True)
    before = probs.cumsum(-1) - probs                 # the total of the more likely tokens
    keep_sorted = before < p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return logits.masked_fill(~keep, float("-inf"))


def story_nll(model, tokenizer, story):
    ids = tokenizer(tokenizer.bos_token + story + tokenizer.eos_token, return_tensors="pt").input_ids
    with torch.no_grad():
        logprobs = model(ids).logits[0, :-1].log_softmax(-1)
    return -logprobs.gather(-1, ids[0, 1:, None]).sum().item()


def _probs_without_bos(model, tokenizer, prompt):
    with torch.no_grad():
        return model(**tokenizer(prompt, return_tensors="pt")).logits[0, -1].softmax(-1)


def _logits_not_probs(model, tokenizer, prompt):
    with torch.no_grad():
        return model(**tokenizer(tokenizer.bos_token + prompt, return_tensors="pt")).logits[0, -1]


def _greedy_with_prompt(model, tokenizer, prompt, n):
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt").input_ids
    for _ in range(n):
        with torch.no_grad():
            ids = torch.cat([ids, model(ids).logits[0, -1].argmax().view(1, 1)], dim=1)
    return ids[0].tolist()


def _greedy_one_short(model, tokenizer, prompt, n):
    return greedy(model, tokenizer, prompt, n - 1)


def _top_p_drops_the_crossing_token(logits, p):
    probs, order = logits.softmax(-1).sort(dim=-1, descending=True)
    keep_sorted = probs.cumsum(-1) <= p
    keep_sorted[..., 0] = True
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return logits.masked_fill(~keep, float("-inf"))


def _nll_mean(model, tokenizer, story):
    ids = tokenizer(tokenizer.bos_token + story + tokenizer.eos_token, return_tensors="pt").input_ids
    with torch.no_grad():
        return model(ids, labels=ids).loss.item()


def _nll_without_eos(model, tokenizer, story):
    ids = tokenizer(tokenizer.bos_token + story, return_tensors="pt").input_ids
    with torch.no_grad():
        return model(ids, labels=ids).loss.item() * (ids.shape[1] - 1)


WRONG = {
    "next_token_probs": [
        (_probs_without_bos, "begin-of-text"),
        (_logits_not_probs, "do not sum to 1"),
    ],
    "greedy": [
        (_greedy_with_prompt, "only the new tokens"),
        (_greedy_one_short, "new tokens where n = 3 were asked"),
    ],
    "top_k_filter": [
        (lambda logits, k: logits.masked_fill(logits < logits.topk(k, dim=-1).values[..., -1:], 0.0), "not 0"),
        (lambda logits, k: top_k_filter(logits, min(k + 1, logits.shape[-1])), "k + 1 tokens"),
    ],
    "top_p_filter": [
        (_top_p_drops_the_crossing_token, "takes the total past p"),
        (lambda logits, p: logits, "differs from the nucleus"),
    ],
    "story_nll": [
        (_nll_mean, "the mean per token"),
        (_nll_without_eos, "end-of-text token is part of the story"),
    ],
}
