"""Exercises for 05_task_heads: which token GPT2ForSequenceClassification pools, GPT2DoubleHeadsModel inputs and
its joint loss, labels for token classification, an answer's token span."""

from __future__ import annotations

import torch
from transformers import GPT2DoubleHeadsModel

from helpers.world import TinyWorld

from . import _cases
from .checks import Exercise, Wrong, exercises


def check_pooled_positions(answer) -> str:
    pad = 0
    right = torch.tensor([[5, 6, 7, 0, 0], [5, 6, 7, 8, 9], [5, 0, 0, 0, 0]])
    left = torch.tensor([[0, 0, 5, 6, 7], [5, 6, 7, 8, 9], [0, 0, 0, 0, 5]])
    for name, ids, expected in (("right", right, [2, 4, 0]), ("left", left, [4, 4, 4])):
        got = answer(ids, pad)
        got = got.tolist() if torch.is_tensor(got) else list(got)
        if got == expected:
            continue
        if name == "left" and all(g <= e for g, e in zip(got, expected)):
            raise Wrong("matches on right-padded batches but not on left-padded ones: take each row's rightmost "
                        "token that is not padding")
        if all(g in (-1, ids.shape[1] - 1) for g in got):
            raise Wrong("in a padded row the last position is padding: find the last token that is not")
        raise Wrong(f"wrong positions on a {name}-padded batch")
    return "the rightmost non-padding token of each row, right- or left-padded"


def _choice_tokenizer():
    tokenizer, _ = _cases.model("tiny-gpt2")
    tokenizer = type(tokenizer).from_pretrained(tokenizer.name_or_path)
    tokenizer.add_special_tokens({"cls_token": "<|cls|>"})
    return tokenizer


def check_double_heads_inputs(answer) -> str:
    tokenizer = _choice_tokenizer()
    item = TinyWorld(seed=_cases.HIDDEN_SEED, n_stories=200).choices("test")[0]
    got = answer(tokenizer, item["context"], item["endings"])
    n = len(item["endings"])
    input_ids, mc_token_ids = got["input_ids"], got["mc_token_ids"]
    if input_ids.dim() != 3 or input_ids.shape[:2] != (1, n):
        raise Wrong(f"input_ids of shape {list(input_ids.shape)}: GPT2DoubleHeadsModel wants [batch, choices, length], "
                    f"here [1, {n}, length]")
    if tuple(mc_token_ids.shape) != (1, n):
        raise Wrong(f"mc_token_ids of shape {list(mc_token_ids.shape)} where [1, {n}] was expected: one position per choice")
    if (mc_token_ids < 0).any() or (mc_token_ids >= input_ids.shape[-1]).any():
        raise Wrong("mc_token_ids point past the end of a choice: they must be the positions of the classification "
                    "token, counted from 0 (are they one past the classification token?)")
    pointed = input_ids[0].gather(-1, mc_token_ids[0, :, None])[:, 0]
    if (pointed == tokenizer.cls_token_id).all():
        texts = [tokenizer.decode(row[: mc_token_ids[0, i] + 1]) for i, row in enumerate(input_ids[0])]
        if all(item["context"] in t and e in t for t, e in zip(texts, item["endings"])):
            return "[1, choices, length] inputs, each choice's classification token found by mc_token_ids"
        raise Wrong("each choice must hold the story followed by its own ending")
    after = input_ids[0].gather(-1, (mc_token_ids[0, :, None] - 1).clamp(min=0))[:, 0]
    if (after == tokenizer.cls_token_id).all():
        raise Wrong("mc_token_ids are one past the classification token: positions count from 0")
    raise Wrong("mc_token_ids must point at each choice's classification token (tokenizer.cls_token)")


def check_joint_loss(answer) -> str:
    tokenizer = _choice_tokenizer()
    torch.manual_seed(0)
    model = GPT2DoubleHeadsModel.from_pretrained(_cases.model("tiny-gpt2")[1].name_or_path)
    model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    item = TinyWorld(seed=_cases.HIDDEN_SEED, n_stories=200).choices("test")[1]
    enc = tokenizer([tokenizer.bos_token + item["context"] + " " + e + tokenizer.cls_token for e in item["endings"]],
                    return_tensors="pt", padding=True)
    input_ids, attention_mask = enc.input_ids[None], enc.attention_mask[None]        # [1, choices, length]
    mc_token_ids = attention_mask.sum(-1) - 1                # right padding: the last real token is <|cls|>
    out = model(input_ids=input_ids, attention_mask=attention_mask, mc_token_ids=mc_token_ids,
                labels=input_ids.masked_fill(attention_mask == 0, -100), mc_labels=torch.tensor([item["label"]]))
    got = answer(out)
    if not torch.is_tensor(got) or got.numel() != 1:
        raise Wrong("return the loss as a one-element tensor")
    if torch.allclose(got, out.loss + out.mc_loss):
        return "out.loss + out.mc_loss: both heads get a gradient"
    if torch.allclose(got, out.loss):
        raise Wrong("out.loss alone never reaches the multiple-choice head (06_myth_check measures it)")
    if torch.allclose(got, out.mc_loss):
        raise Wrong("out.mc_loss alone leaves out the language-model objective: the model is no longer trained to predict the text (the LM head, tied to the token embeddings, moves only through the choice loss)")
    raise Wrong("your loss is not the sum of the two heads' losses")


def check_word_labels(answer) -> str:
    tokenizer, _ = _cases.model("tiny-bert")
    for words, tags in TinyWorld(seed=_cases.HIDDEN_SEED, n_stories=200).tagged("test")[:3]:
        words = words[:4] + ["zebra"] + words[4:8]                 # a word the vocabulary splits into pieces
        tags = tags[:4] + ["ENTITY"] + tags[4:8]
        enc = tokenizer(words, is_split_into_words=True)
        word_ids = enc.word_ids()
        got = list(answer(word_ids, tags))
        expected = [-100] * len(word_ids)          # the oracle: the tokenizer's own map from each word to its tokens
        for word, tag in enumerate(tags):
            expected[enc.word_to_tokens(word).start] = tag
        if got == expected:
            continue
        if len(got) != len(word_ids):
            raise Wrong(f"{len(got)} labels for {len(word_ids)} tokens: one label per token")
        if any(g != -100 for g, w in zip(got, word_ids) if w is None):
            raise Wrong("special tokens ([CLS], [SEP]) get -100")
        raise Wrong("a word split into several pieces is labelled on its first piece only; the others get -100")
    return "each word's tag on its first piece, -100 on the other pieces and on special tokens"


def check_answer_span(answer) -> str:
    tokenizer, _ = _cases.model("tiny-bert")
    for row in TinyWorld(seed=_cases.HIDDEN_SEED, n_stories=200).qa("test")[:4]:
        enc = tokenizer(row["context"], return_offsets_mapping=True)
        begin, end = row["answer_start"], row["answer_start"] + len(row["answer"])
        got = tuple(answer(enc["offset_mapping"], begin, end))
        start, stop = enc.char_to_token(begin), enc.char_to_token(end - 1)    # the oracle: the tokenizer's own map
        if got == (start, stop):
            continue
        if got == (start, stop + 1):
            raise Wrong("the end token is one past the answer: end_positions is the answer's last token, inclusive")
        raise Wrong("on a hidden question your span does not cover the answer's characters")
    return "the first and last token of the answer, through the offsets"


ex05 = exercises(
    Exercise("pooled_positions", check_pooled_positions, [
        "Which positions hold padding? input_ids == pad_id.",
        "Per row, take the largest index among the non-padding positions (it works for left padding too).",
    ], _cases.solution("ex05", "pooled_positions")),
    Exercise("double_heads_inputs", check_double_heads_inputs, [
        "One text per choice: bos + context + ' ' + ending + cls_token, padded together.",
        "view the [choices, length] tensors as [1, choices, length]; mc_token_ids = the index of cls_token in each.",
    ], _cases.solution("ex05", "double_heads_inputs")),
    Exercise("joint_loss", check_joint_loss, [
        "The model returns two losses: out.loss (language model) and out.mc_loss (choice head).",
        "transformers does not add them for you.",
    ], _cases.solution("ex05", "joint_loss")),
    Exercise("word_labels", check_word_labels, [
        "word_ids gives, per token, the index of its word (None for [CLS] and [SEP]).",
        "Label a token with tags[word] only when its word differs from the previous token's word.",
    ], _cases.solution("ex05", "word_labels")),
    Exercise("answer_span", check_answer_span, [
        "offsets[t] = (first character, one past the last character) of token t.",
        "The start token contains character begin; the end token contains character end - 1.",
    ], _cases.solution("ex05", "answer_span")),
)
pooled_positions, double_heads_inputs, joint_loss, word_labels, answer_span = ex05
