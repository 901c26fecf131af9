"""helpers.batches: padding without a pad token, loss masks, shapes, reproducible draws."""

import pytest
import torch

from helpers import batches, zoo


@pytest.fixture
def padless():
    tokenizer = zoo.load_tokenizer("tiny-gpt2")
    tokenizer.pad_token = None                     # the shape of the Hub's gpt2: no pad token
    return tokenizer


def test_padding_ready_pads_with_end_of_text_only_when_there_is_no_pad_token(padless):
    assert batches.padding_ready(padless).pad_token == padless.eos_token
    zoo_tokenizer = zoo.load_tokenizer("tiny-gpt2")
    assert batches.padding_ready(zoo_tokenizer).pad_token == "<|pad|>"


def test_causal_lm_labels_skip_padding_and_the_prompt(padless):
    texts = ["the red cat is in the hall .", "the cat ."]
    batch = batches.causal_lm(padless, texts, prompts=["the red", "the"])
    lengths = batch["attention_mask"].sum(1).tolist()
    assert batch["input_ids"].shape == (2, max(lengths))
    for row, (text, prompt) in enumerate(zip(texts, ["the red", "the"])):
        kept = batch["labels"][row][batch["labels"][row] != batches.IGNORE]
        assert padless.decode(kept) == text[len(prompt):]
    assert (batch["labels"][1, lengths[1]:] == batches.IGNORE).all()


def test_causal_lm_refuses_a_prompt_that_does_not_start_its_text_and_left_padding(padless):
    with pytest.raises(ValueError, match="is not the start of its text"):
        batches.causal_lm(padless, ["the red cat"], prompts=["a dog"])
    padless.padding_side = "left"
    with pytest.raises(ValueError, match="pad on the right"):
        batches.causal_lm(padless, ["the red cat"])


def test_seq2seq_labels_come_from_the_targets_with_padding_ignored():
    tokenizer = zoo.load_tokenizer("tiny-t5")
    batch = batches.seq2seq(tokenizer, ["the red cat .", "the cat ."], ["rasa miko belo", "miko"])
    assert batch["labels"].shape[0] == 2 and (batch["labels"] == batches.IGNORE).sum() > 0
    assert tokenizer.decode(batch["labels"][0][batch["labels"][0] != batches.IGNORE], skip_special_tokens=True) == "rasa miko belo"


def test_draws_are_reproducible_and_differ_by_seed():
    first = [next(batches.random_rows(100, 8, seed=0)) for _ in range(2)]
    assert first[0] == first[1] and first[0] != next(batches.random_rows(100, 8, seed=1))
    draws = batches.endless(list(range(10)), list, batch_size=4, seed=3)
    assert next(draws) == next(batches.endless(list(range(10)), list, batch_size=4, seed=3))


def test_shuffled_visits_every_row_once_per_epoch_in_full_batches():
    epoch = batches.shuffled(list(range(10)), list, batch_size=3, seed=0)
    rows = [next(epoch) for _ in range(3)]
    assert all(len(r) == 3 for r in rows) and len({x for r in rows for x in r}) == 9
    with pytest.raises(ValueError, match="cannot fill a batch"):
        next(batches.shuffled([1], list, batch_size=2, seed=0))



def test_ignore_padding_keeps_real_tokens_and_ignores_the_rest():
    assert batches.ignore_padding(torch.tensor([[5, 6, 7]]), torch.tensor([[1, 1, 0]])).tolist() == [[5, 6, -100]]
