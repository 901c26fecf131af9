"""Exercises for 04_seq2seq: decoder inputs from labels, the seq2seq loss, span corruption both ways,
greedy decoding with the encoder run once."""

from __future__ import annotations

import re

import torch

from helpers.world import TRANSLATE_PREFIX

from . import _cases
from .checks import Exercise, Wrong, exercises


def _t5():
    return _cases.model("tiny-t5", "seq2seq-lm")


def _labels():
    tokenizer, _ = _t5()
    sentences = [" ".join(s.split()[:n]) for s, n in zip(_cases.sentences(2), (4, 7))]    # two lengths: padding
    target = tokenizer(sentences, return_tensors="pt", padding=True)
    return target.input_ids.masked_fill(target.attention_mask == 0, -100)


def check_shift_right(answer) -> str:
    _, model = _t5()
    labels = _labels()
    got = answer(labels.clone(), model.config.decoder_start_token_id, model.config.pad_token_id)
    expected = model._shift_right(labels.clone())
    if not torch.is_tensor(got) or got.shape != labels.shape:
        raise Wrong(f"decoder_input_ids keep the labels' shape {list(labels.shape)}")
    if torch.equal(got, expected):
        return "the same decoder_input_ids as T5's own shift, padding (-100) included"
    if (got == -100).any():
        raise Wrong("-100 is not a token id: where the labels say -100, the decoder input gets the pad id")
    if torch.equal(got[:, :-1], labels[:, 1:].masked_fill(labels[:, 1:] == -100, model.config.pad_token_id)):
        raise Wrong("you shifted left; the decoder input is the labels shifted one to the right")
    if torch.equal(got[:, 1:], expected[:, 1:]):
        raise Wrong("the decoder input starts with decoder_start_token_id")
    raise Wrong("your decoder_input_ids differ from the labels shifted right behind the start token")


def check_seq2seq_loss(answer) -> str:
    tokenizer, model = _t5()
    labels = _labels()
    sources = [TRANSLATE_PREFIX + s for s in _cases.sentences(2)]
    with torch.no_grad():
        out = model(**tokenizer(sources, return_tensors="pt", padding=True), labels=labels)
    got = answer(out.logits, labels)
    if not torch.is_tensor(got) or got.numel() != 1:
        raise Wrong("return the loss as a one-element tensor")
    if abs(got.item() - out.loss.item()) < 1e-4:
        return "equal to the model's own loss with labels, padding ignored"
    shifted = torch.nn.functional.cross_entropy(out.logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten())
    if abs(got.item() - shifted.item()) < 1e-4:
        raise Wrong("no shift here: T5's logits at t already predict labels[t] (the decoder input was shifted instead)")
    raise Wrong("your loss differs from cross-entropy over every labelled position (labels == -100 ignored)")


def _spans(n_words: int) -> list[tuple[int, int]]:
    return [(1, 3), (5, 6), (n_words - 2, n_words)]


SENTINEL = re.compile(r"<extra_id_(\d+)>")


def check_span_corrupt(answer) -> str:
    """The oracle is the definition: read the answer back and compare it with the sentence and the spans."""
    for sentence in _cases.sentences(3):
        words = sentence.split()
        spans = _spans(len(words))
        got = answer(words, spans)
        if not (isinstance(got, (tuple, list)) and len(got) == 2 and all(isinstance(g, str) for g in got)):
            raise Wrong("return two strings: (the input with sentinels, the target)")
        source, target = got
        pieces = SENTINEL.split(target)             # text before the first sentinel, then (number, words) pairs
        numbers = [int(n) for n in pieces[1::2]]
        span_words = [piece.split() for piece in pieces[2::2]]
        in_source = [int(n) for n in SENTINEL.findall(source)]
        if len(set(in_source)) < len(in_source) or (numbers and len(set(numbers)) < len(numbers)):
            raise Wrong("each span gets its own sentinel: <extra_id_0>, <extra_id_1>, ... in order")
        if numbers == list(range(len(spans))):
            raise Wrong("the target ends with one more sentinel after the last span")
        target_ok = (not pieces[0].strip() and numbers == list(range(len(spans) + 1))
                     and span_words == [words[a:b] for a, b in spans] + [[]])
        restored = []                               # the input with each sentinel replaced by its span's words
        for token in source.split():
            sentinel = SENTINEL.fullmatch(token)
            if sentinel and int(sentinel.group(1)) < len(spans):
                start, end = spans[int(sentinel.group(1))]
                restored += words[start:end]
            else:
                restored.append(token)
        source_ok = in_source == list(range(len(spans))) and restored == words
        if target_ok and source_ok:
            continue
        raise Wrong("on a hidden sentence your input or target differs: kept words with one sentinel per span in the "
                    "input; each sentinel followed by its span's words in the target")
    return "T5's span corruption, on hidden sentences and spans"


def _corrupted(words: list[str], spans: list[tuple[int, int]]) -> tuple[str, str]:
    """The uncorrupt check's inputs (its oracle is the sentence itself): spans replaced from the right."""
    source = list(words)
    for k, (start, end) in reversed(list(enumerate(spans))):
        source[start:end] = [f"<extra_id_{k}>"]
    target = [f"<extra_id_{k}> " + " ".join(words[start:end]) for k, (start, end) in enumerate(spans)]
    return " ".join(source), " ".join(target + [f"<extra_id_{len(spans)}>"])


def check_uncorrupt(answer) -> str:
    for sentence in _cases.sentences(3):
        words = sentence.split()
        source, target = _corrupted(words, _spans(len(words)))
        got = answer(source, target)
        if " ".join(str(got).split()) == sentence:
            continue
        if "<extra_id" not in str(got) and len(str(got).split()) < len(words):
            raise Wrong("words are missing: each sentinel in the input stands for the words after it in the target")
        raise Wrong("the sentence is not restored: put each sentinel's span back in its place, in order")
    return "the original sentence back from input and target"


def check_greedy_decode(answer) -> str:
    tokenizer, model = _t5()
    for sentence in _cases.sentences(3):
        source = TRANSLATE_PREFIX + sentence.split(" . ")[0] + " ."
        ids = tokenizer(source, return_tensors="pt")
        with torch.no_grad():
            expected = model.generate(**ids, do_sample=False, num_beams=1, max_new_tokens=20)[0].tolist()
        got = answer(model, tokenizer, source, 20)
        got = got.tolist() if torch.is_tensor(got) else list(got)
        if got == expected:
            continue
        if got == expected[1:]:
            raise Wrong("generate's output starts with decoder_start_token_id: include it")
        if got[:len(expected)] == expected and len(got) > len(expected):
            raise Wrong("stop once the model writes end-of-sequence (</s>)")
        raise Wrong("your tokens differ from generate(do_sample=False) on a hidden sentence")
    return "the same ids as generate, with the encoder run once"


ex04 = exercises(
    Exercise("shift_right", check_shift_right, [
        "The decoder reads the target one step behind: position t sees labels up to t - 1.",
        "Prepend decoder_start_token_id, drop the last label, and replace -100 by pad_token_id.",
    ], _cases.solution("ex04", "shift_right")),
    Exercise("seq2seq_loss", check_seq2seq_loss, [
        "The logits at position t are the guess for labels[t]; no shift is needed.",
        "cross_entropy(logits.flatten(0, 1), labels.flatten()) ignores -100 by default.",
    ], _cases.solution("ex04", "seq2seq_loss")),
    Exercise("span_corrupt", check_span_corrupt, [
        "spans are (start, end) word ranges, end excluded, in order; span k becomes <extra_id_k> in the input.",
        "The target is each sentinel followed by its span's words, then one last sentinel.",
    ], _cases.solution("ex04", "span_corrupt")),
    Exercise("uncorrupt", check_uncorrupt, [
        "Split the target at the sentinels: the words after <extra_id_k> are span k.",
        "Then replace each <extra_id_k> in the input by span k.",
    ], _cases.solution("ex04", "uncorrupt")),
    Exercise("greedy_decode", check_greedy_decode, [
        "Run model.get_encoder() once; then call the model with encoder_outputs and the decoder ids so far.",
        "Start from [decoder_start_token_id]; append the argmax at the last position; stop at eos_token_id.",
    ], _cases.solution("ex04", "greedy_decode")),
)
shift_right, seq2seq_loss, span_corrupt, uncorrupt, greedy_decode = ex04
