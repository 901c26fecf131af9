"""Exercises for 04b_summarization: ROUGE-N and ROUGE-L, T5's summary batch, GPT-2's TL;DR labels, summaries by generate.

The oracles are others' code: the rouge-score package, transformers' DataCollatorForSeq2Seq and generate, and the
project's helpers.batches (none of them the solutions).
"""

from __future__ import annotations

import itertools
import random

import torch

from . import _cases
from .checks import Exercise, Wrong, exercises

PREFIX = "summarize: "


def _pairs():
    from helpers.world import TinyWorld

    world = TinyWorld(seed=_cases.HIDDEN_SEED, n_stories=200)
    summaries = [s for _, s in world.summaries("test")]
    rng = random.Random(_cases.HIDDEN_SEED)
    words = ["the", "cat", "dog", "fears", "helps", "in", "attic", "a"]
    pairs = list(itertools.pairwise(summaries))[:20] + [(s, s) for s in summaries[:3]]
    pairs += [(" ".join(rng.choices(words, k=rng.randint(1, 9))), " ".join(rng.choices(words, k=rng.randint(1, 9))))
              for _ in range(60)]
    return pairs


def _scorer(*types):
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(types), use_stemmer=False)


def _number(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Wrong(f"{what} should be a number, got {type(value).__name__}")
    return float(value)


def check_rouge_n(answer) -> str:
    for n in (1, 2, 3):
        scorer = _scorer(f"rouge{n}")
        for prediction, reference in _pairs():
            expected = scorer.score(reference, prediction)[f"rouge{n}"]
            got = _number(answer(prediction, reference, n), "the score")
            if abs(got - expected.fmeasure) < 1e-9:
                continue
            if abs(got - expected.recall) < 1e-9 and expected.recall != expected.fmeasure:
                raise Wrong(f"that is the recall (overlap / the reference's n-grams); ROUGE-{n} here is the F1 of "
                            "precision and recall")
            if abs(got - expected.precision) < 1e-9 and expected.precision != expected.fmeasure:
                raise Wrong(f"that is the precision (overlap / the prediction's n-grams); ROUGE-{n} here is the F1")
            if prediction != prediction.lower() or "." in prediction + reference:
                raise Wrong("lower-case the words and drop punctuation first, as rouge-score does")
            raise Wrong(f"wrong for n = {n}: count each shared n-gram as often as it occurs in both (the smaller count)")
    return "ROUGE-1, -2 and -3 F1 on hidden pairs, equal to the rouge-score package"


def check_rouge_l(answer) -> str:
    scorer = _scorer("rougeL")
    for prediction, reference in _pairs():
        expected = scorer.score(reference, prediction)["rougeL"]
        got = _number(answer(prediction, reference), "the score")
        if abs(got - expected.fmeasure) < 1e-9:
            continue
        one = _scorer("rouge1").score(reference, prediction)["rouge1"].fmeasure
        if abs(got - one) < 1e-9:
            raise Wrong("that is ROUGE-1 (shared words in any order); ROUGE-L needs the longest common subsequence")
        raise Wrong("wrong score: the longest run of words found in both in the same order (not necessarily next to "
                    "each other), as precision and recall, then their F1")
    return "ROUGE-L F1 on hidden pairs, equal to the rouge-score package"


def check_t5_summary_batch(answer) -> str:
    from transformers import DataCollatorForSeq2Seq

    tokenizer, _ = _cases.model("tiny-t5", "seq2seq-lm")
    pairs = _pairs()[:5]
    stories, summaries = [p for p, _ in pairs], [s + " and more words" * i for i, (_, s) in enumerate(pairs)]
    features = [{**tokenizer(PREFIX + story), "labels": tokenizer(text_target=summary).input_ids}
                for story, summary in zip(stories, summaries)]
    expected = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)(features)
    got = answer(tokenizer, stories, summaries)
    if not isinstance(got, dict) or not {"input_ids", "attention_mask", "labels"} <= set(got):
        raise Wrong("return a dict with input_ids, attention_mask and labels")
    for key in ("input_ids", "attention_mask", "labels"):
        value = torch.as_tensor(got[key])
        if tuple(value.shape) != tuple(expected[key].shape):
            raise Wrong(f"{key} has shape {list(value.shape)} where {list(expected[key].shape)} was expected")
        if torch.equal(value, expected[key]):
            continue
        if key == "labels" and torch.equal(value.masked_fill(value == tokenizer.pad_token_id, -100), expected[key]):
            raise Wrong("the labels' padding must be -100 (no loss there), not the pad token")
        if key == "input_ids":
            raise Wrong(f"input_ids differ: start each story with the task prefix {PREFIX!r}")
        raise Wrong(f"{key} differ from the expected batch")
    return "inputs with the prefix, labels from text_target=, -100 on their padding (as DataCollatorForSeq2Seq makes them)"


def check_tldr_labels(answer) -> str:
    from helpers import batches

    tokenizer, _ = _cases.model("tiny-gpt2", "causal-lm")
    batches.padding_ready(tokenizer)
    for story, summary in _pairs()[:4]:
        prompt = tokenizer.bos_token + story + " TL;DR:"
        expected = batches.causal_lm(tokenizer, [prompt + " " + summary + tokenizer.eos_token], prompts=[prompt])
        got = answer(tokenizer, story, summary)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong("return two tensors: (input_ids, labels)")
        ids, labels = (torch.as_tensor(t).reshape(-1) for t in got)
        if not torch.equal(ids, expected["input_ids"][0]):
            raise Wrong("input_ids differ: bos, the story, ' TL;DR:', a space, the summary, then eos")
        if torch.equal(labels, expected["input_ids"][0]):
            raise Wrong("the labels copy every token: put -100 on the prompt, so the model learns to write the summary only")
        if not torch.equal(labels, expected["labels"][0]):
            if torch.equal(labels[:-1], expected["labels"][0][:-1]):
                raise Wrong("keep the end-of-text token in the labels: the model must learn where the summary ends")
            raise Wrong("labels differ: -100 on every prompt token, the token ids on the summary and its eos")
    return "input ids and labels (-100 on the prompt) equal to helpers.batches.causal_lm's"


def check_summarize(answer) -> str:
    tokenizer, model = _cases.model("tiny-t5", "seq2seq-lm")
    stories = [p for p, _ in _pairs()[:3]]
    enc = tokenizer([PREFIX + s for s in stories], return_tensors="pt", padding=True)
    with torch.no_grad():
        generated = model.generate(**enc, max_new_tokens=20, do_sample=False)
    expected = [t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True)]
    got = answer(model, tokenizer, stories)
    if not isinstance(got, list) or not all(isinstance(t, str) for t in got):
        raise Wrong("return a list of strings, one summary per story")
    if len(got) != len(stories):
        raise Wrong(f"{len(got)} summaries for {len(stories)} stories")
    if any("</s>" in t or "<pad>" in t for t in got):
        raise Wrong("decode with skip_special_tokens=True: no </s> or <pad> in a summary")
    if [t.strip() for t in got] != expected:
        raise Wrong(f"not what greedy generate gives: prefix each story with {PREFIX!r}, do_sample=False, "
                    "max_new_tokens=20")
    return "the same summaries as greedy generate on hidden stories (the zoo T5, untrained for summaries)"


ex04b = exercises(
    Exercise("rouge_n", check_rouge_n, [
        "Words: re.findall(r'[a-z0-9]+', text.lower()). n-grams: Counter of tuple(words[i:i + n]).",
        ("overlap = sum((predicted & reference).values()); precision = overlap / predicted count, recall = overlap / "
        "reference count (each at least 1); F1 = 2PR / (P + R), or 0."),
    ], _cases.solution("ex04b", "rouge_n")),
    Exercise("rouge_l", check_rouge_l, [
        ("The longest common subsequence of two word lists, by dynamic programming: "
        "L[i][j] = L[i-1][j-1] + 1 if a[i] == b[j] else max(L[i-1][j], L[i][j-1])."),
        "precision = LCS / len(prediction words), recall = LCS / len(reference words), then the F1.",
    ], _cases.solution("ex04b", "rouge_l")),
    Exercise("t5_summary_batch", check_t5_summary_batch, [
        "tokenizer([PREFIX + s for s in stories], text_target=summaries, return_tensors='pt', padding=True)",
        "The labels come padded with the pad token: replace it by -100 (masked_fill) so the loss skips it.",
    ], _cases.solution("ex04b", "t5_summary_batch")),
    Exercise("tldr_labels", check_tldr_labels, [
        "The text is bos + story + ' TL;DR:' + ' ' + summary + eos; the prompt is its start up to 'TL;DR:'.",
        "labels = input_ids with -100 on the first len(tokenizer(prompt).input_ids) positions.",
    ], _cases.solution("ex04b", "tldr_labels")),
    Exercise("summarize", check_summarize, [
        ("Tokenize PREFIX + story for every story (padding=True), then model.generate(**enc, max_new_tokens=20, "
        "do_sample=False)."),
        "tokenizer.batch_decode(generated, skip_special_tokens=True), each stripped.",
    ], _cases.solution("ex04b", "summarize")),
)
rouge_n, rouge_l, t5_summary_batch, tldr_labels, summarize = ex04b
