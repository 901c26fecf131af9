"""Solutions for workbook/ex04b.py, and typical wrong answers."""

import re
from collections import Counter

import torch

PREFIX = "summarize: "


def _words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def _f1(overlap, predicted, reference):
    precision, recall = overlap / max(predicted, 1), overlap / max(reference, 1)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def rouge_n(prediction, reference, n):
    def grams(words):
        return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
    p, r = grams(_words(prediction)), grams(_words(reference))
    return _f1(sum((p & r).values()), sum(p.values()), sum(r.values()))


def _lcs(a, b):
    row = [0] * (len(b) + 1)
    for x in a:
        previous, row = row, [0]
        for j, y in enumerate(b):
            row.append(previous[j] + 1 if x == y else max(previous[j + 1], row[j]))
    return row[-1]


def rouge_l(prediction, reference):
    p, r = _words(prediction), _words(reference)
    return _f1(_lcs(p, r), len(p), len(r))


def t5_summary_batch(tokenizer, stories, summaries):
    enc = tokenizer([PREFIX + s for s in stories], text_target=list(summaries), return_tensors="pt", padding=True)
    enc["labels"] = enc["labels"].masked_fill(enc["labels"] == tokenizer.pad_token_id, -100)
    return dict(enc)


def tldr_labels(tokenizer, story, summary):
    prompt = tokenizer.bos_token + story + " TL;DR:"
    ids = tokenizer(prompt + " " + summary + tokenizer.eos_token, return_tensors="pt").input_ids[0]
    labels = ids.clone()
    labels[:len(tokenizer(prompt).input_ids)] = -100
    return ids, labels


def summarize(model, tokenizer, stories):
    enc = tokenizer([PREFIX + s for s in stories], return_tensors="pt", padding=True)
    with torch.no_grad():
        generated = model.generate(**enc, max_new_tokens=20, do_sample=False)
    return [t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True)]


def _rouge_n_recall(prediction, reference, n):
    def grams(words):
        return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
    p, r = grams(_words(prediction)), grams(_words(reference))
    return sum((p & r).values()) / max(sum(r.values()), 1)


def _rouge_l_as_rouge_1(prediction, reference):
    return rouge_n(prediction, reference, 1)


def _batch_pad_labels(tokenizer, stories, summaries):
    return dict(tokenizer([PREFIX + s for s in stories], text_target=list(summaries), return_tensors="pt", padding=True))


def _tldr_all_labels(tokenizer, story, summary):
    ids, _ = tldr_labels(tokenizer, story, summary)
    return ids, ids.clone()


def _summarize_with_specials(model, tokenizer, stories):
    enc = tokenizer([PREFIX + s for s in stories], return_tensors="pt", padding=True)
    with torch.no_grad():
        generated = model.generate(**enc, max_new_tokens=20, do_sample=False)
    return tokenizer.batch_decode(generated)


WRONG = {
    "rouge_n": [
        (_rouge_n_recall, "that is the recall"),
        (lambda prediction, reference, n: str(rouge_n(prediction, reference, n)), "should be a number"),
    ],
    "rouge_l": [
        (_rouge_l_as_rouge_1, "that is ROUGE-1"),
        (lambda prediction, reference: 0.5, "wrong score"),
    ],
    "t5_summary_batch": [
        (_batch_pad_labels, "must be -100"),
        (lambda tokenizer, stories, summaries: [], "return a dict"),
    ],
    "tldr_labels": [
        (_tldr_all_labels, "put -100 on the prompt"),
        (lambda tokenizer, story, summary: tldr_labels(tokenizer, story, summary)[0], "return two tensors"),
    ],
    "summarize": [
        (_summarize_with_specials, "skip_special_tokens=True"),
        (lambda model, tokenizer, stories: stories, "not what greedy generate gives"),
    ],
}
