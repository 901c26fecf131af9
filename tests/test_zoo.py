"""The zoo's quality targets, measured on the held-out TinyWorld test split (fails below them)."""

import json

import pytest
import torch

from helpers import metrics, scenes, zoo
from helpers.world import TRANSLATE_PREFIX, TinyWorld

NLL_OVER_ENTROPY_MAX = zoo.QUALITY_TARGETS["nll_over_entropy_max"]
FILL_MASK_MIN = zoo.QUALITY_TARGETS["fill_mask_accuracy_min"]
EXACT_MATCH_MIN = zoo.QUALITY_TARGETS["translation_exact_match_min"]
CAPTION_MIN = zoo.QUALITY_TARGETS["caption_exact_match_min"]


@pytest.fixture(scope="module")
def world():
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    return TinyWorld(seed=0)


def card(name):
    return json.loads((zoo.ZOO[name].path / "card.json").read_text(encoding="utf-8"))


def test_gpt2_per_story_nll_is_within_ten_percent_of_the_true_entropy(world):
    tokenizer, model = zoo.load("tiny-gpt2", task="causal-lm")
    test = world.stories("test")
    nll = metrics.sequence_nll(model, tokenizer, [s.text for s in test])
    true_nll = [-s.logprob for s in test]
    ratio = sum(nll) / sum(true_nll)
    assert sum(nll) / len(nll) > world.entropy * 0.97      # no model beats the floor (up to sampling noise)
    assert ratio <= NLL_OVER_ENTROPY_MAX, f"NLL / true entropy = {ratio:.3f}"
    assert abs(ratio - card("tiny-gpt2")["scores"]["NLL / true NLL"]) < 0.01   # the card tells the truth


def test_the_llama_style_base_model_meets_the_gpt2_target_and_answers_plain_questions(world):
    tokenizer, model = zoo.load("tiny-llama", task="causal-lm")
    test = world.stories("test")
    nll = metrics.sequence_nll(model, tokenizer, [s.text for s in test])
    ratio = sum(nll) / sum(-s.logprob for s in test)
    assert ratio <= NLL_OVER_ENTROPY_MAX, f"NLL / true NLL = {ratio:.3f}"
    assert abs(ratio - card("tiny-llama")["scores"]["NLL / true NLL"]) < 0.01   # the card tells the truth
    assert model.config.num_key_value_heads < model.config.num_attention_heads and tokenizer.chat_template


@pytest.mark.parametrize("side", ["left", "right"])
def test_bert_fills_masks_from_either_side(world, side):
    tokenizer, model = zoo.load("tiny-bert", task="masked-lm")
    items = world.mask_items("test", side)
    predicted = metrics.fill_mask_predictions(model, tokenizer, [it.text(tokenizer.mask_token) for it in items])
    accuracy = sum(p == it.answer for p, it in zip(predicted, items)) / len(items)
    assert accuracy >= FILL_MASK_MIN, f"{side}-context fill-mask accuracy = {accuracy:.3f}"


def test_t5_translates_held_out_sentences(world):
    tokenizer, model = zoo.load("tiny-t5", task="seq2seq-lm")
    pairs = world.translation_pairs("test")
    predicted = metrics.translate_batch(model, tokenizer, [e for e, _ in pairs], prefix=TRANSLATE_PREFIX)
    score = metrics.exact_match(predicted, [t for _, t in pairs])
    assert score >= EXACT_MATCH_MIN, f"exact match = {score:.3f}"


def test_the_captioner_captions_held_out_pictures_of_unseen_scenes():
    tokenizer, model = zoo.load("tiny-vit-gpt2", task="image-to-text")
    processor = zoo.load_image_processor("tiny-vit-gpt2")
    pictures = scenes.pictures("test", 512, seed=7)         # other pictures than the card's (seed 0)
    predicted = metrics.caption_batch(model, tokenizer, processor, [p for p, _ in pictures])
    score = metrics.exact_match(predicted, [s.caption for _, s in pictures])
    assert score >= CAPTION_MIN, f"caption exact match = {score:.3f}"
    assert not {s.caption for _, s in pictures} & {s.caption for s in scenes.scenes("train")}   # scenes never trained on
