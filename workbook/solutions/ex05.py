"""Solutions for workbook/ex05.py, and typical wrong answers."""

import torch


def pooled_positions(input_ids, pad_id):
    positions = torch.arange(input_ids.shape[1]).expand_as(input_ids)
    return (positions * (input_ids != pad_id)).argmax(-1)


def double_heads_inputs(tokenizer, context, endings):
    texts = [tokenizer.bos_token + context + " " + ending + tokenizer.cls_token for ending in endings]
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    input_ids = enc.input_ids.view(1, len(endings), -1)
    mc_token_ids = (input_ids == tokenizer.cls_token_id).int().argmax(-1)
    return {"input_ids": input_ids, "attention_mask": enc.attention_mask.view(1, len(endings), -1),
            "mc_token_ids": mc_token_ids}


def joint_loss(out):
    return out.loss + out.mc_loss


def word_labels(word_ids, tags):
    labels, previous = [], None
    for word in word_ids:
        labels.append(-100 if word is None or word == previous else tags[word])
        previous = word
    return labels


def answer_span(offsets, begin, end):
    start = next(t for t, (a, b) in enumerate(offsets) if a <= begin < b)
    stop = next(t for t, (a, b) in enumerate(offsets) if a < end <= b)
    return start, stop


def _double_heads_no_batch(tokenizer, context, endings):
    batch = double_heads_inputs(tokenizer, context, endings)
    return {k: v[0] for k, v in batch.items()}


def _double_heads_one_past(tokenizer, context, endings):
    batch = double_heads_inputs(tokenizer, context, endings)
    return {**batch, "mc_token_ids": batch["mc_token_ids"] + 1}


def _labels_every_piece(word_ids, tags):
    return [-100 if word is None else tags[word] for word in word_ids]


def _labels_on_specials(word_ids, tags):
    labels = word_labels(word_ids, tags)
    return [tags[0] if word is None else label for word, label in zip(word_ids, labels)]


WRONG = {
    "pooled_positions": [
        (lambda ids, pad: (ids != pad).sum(-1) - 1, "not on left-padded ones"),
        (lambda ids, pad: torch.full((ids.shape[0],), ids.shape[1] - 1), "the last position is padding"),
    ],
    "double_heads_inputs": [
        (_double_heads_no_batch, "[batch, choices, length]"),
        (_double_heads_one_past, "one past the classification token"),
    ],
    "joint_loss": [
        (lambda out: out.loss, "never reaches the multiple-choice head"),
        (lambda out: out.mc_loss, "leaves out the language-model objective"),
    ],
    "word_labels": [
        (_labels_every_piece, "first piece only"),
        (_labels_on_specials, "special tokens"),
    ],
    "answer_span": [
        (lambda offsets, begin, end: (answer_span(offsets, begin, end)[0], answer_span(offsets, begin, end)[1] + 1),
         "one past the answer"),
        (lambda offsets, begin, end: (0, 0), "does not cover the answer"),
    ],
}
