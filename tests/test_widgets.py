"""helpers.widgets: each playground's view function returns what the playground shows (no browser needed)."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from helpers import widgets, zoo
from helpers.world import TRANSLATE_PREFIX, TinyWorld


@pytest.fixture(scope="module")
def gpt():
    return zoo.load("tiny-gpt2", task="causal-lm", attn_implementation="eager")


@pytest.fixture(scope="module")
def world():
    return TinyWorld(seed=0)


def test_next_tokens_sum_below_one_and_top_k_top_p_grey_out_the_tail(gpt):
    tokenizer, model = gpt
    rows = widgets.next_token_view(model, tokenizer, "the red cat is in the", n=10)
    assert len(rows) == 10 and all(r["kept"] for r in rows) and sum(r["probability"] for r in rows) <= 1 + 1e-6
    assert [r["kept"] for r in widgets.next_token_view(model, tokenizer, "the red cat is in the", top_k=3)][:4] == [True] * 3 + [False]
    nucleus = widgets.next_token_view(model, tokenizer, "the red cat is in the", top_p=0.5)
    assert nucleus[0]["kept"] and not nucleus[-1]["kept"]
    hot = widgets.next_token_view(model, tokenizer, "the red cat is in the", temperature=2.0)
    assert hot[0]["probability"] < rows[0]["probability"]           # temperature flattens the distribution
    ids = tokenizer(tokenizer.bos_token + "the red cat is in the", return_tensors="pt")
    with torch.no_grad():                                            # by hand: softmax(logits / temperature)
        by_hand = (model(**ids).logits[0, -1] / 2.0).softmax(-1).topk(10)
    assert [tokenizer.decode([i]) for i in by_hand.indices.tolist()] == [r["token"] for r in hot]
    assert torch.allclose(by_hand.values, torch.tensor([r["probability"] for r in hot]), atol=1e-5)


def test_generation_view_changes_with_the_strategy_and_knows_the_grammar(gpt, world):
    tokenizer, model = gpt
    greedy = widgets.generation_view(model, tokenizer, world.grammar, "the red cat is in the")
    assert greedy["grammatical"] and greedy["text"].startswith("the red cat is in the")
    samples = {widgets.generation_view(model, tokenizer, world.grammar, "the", "sampling", temperature=2.0,
                                       seed=s)["continuation"] for s in range(3)}
    assert len(samples) > 1                                           # sampling at temperature 2 varies with the seed
    with pytest.raises(ValueError, match="strategy must be one of"):
        widgets.generation_view(model, tokenizer, world.grammar, "the", "nucleus")


def test_fill_mask_view_puts_the_answer_first_for_bert_and_shows_gpt2_the_left_only(gpt, world):
    bert_tokenizer, bert = zoo.load("tiny-bert", task="masked-lm")
    gpt_tokenizer, gpt_model = gpt
    item = world.mask_items("test", "right")[0]
    view = widgets.fill_mask_view(bert, bert_tokenizer, gpt_model, gpt_tokenizer, item.text(bert_tokenizer.mask_token))
    assert view["bert"][0][0] == item.answer and len(view["gpt2"]) == 5
    assert bert_tokenizer.mask_token not in view["left context"]
    with pytest.raises(ValueError, match="exactly one"):
        widgets.fill_mask_view(bert, bert_tokenizer, gpt_model, gpt_tokenizer, "no mask here")


def test_attention_view_is_a_labelled_row_stochastic_matrix_and_causal_for_gpt2(gpt):
    tokenizer, model = gpt
    view = widgets.attention_view(model, tokenizer, "the red cat is in the hall .", layer=1, head=2)
    weights = view["weights"]
    assert weights.shape == (len(view["rows"]), len(view["cols"])) and view["title"] == "self attention, layer 1, head 2"
    assert torch.allclose(weights.sum(-1), torch.ones(len(view["rows"])), atol=1e-5)
    assert weights.triu(1).abs().max() == 0
    with pytest.raises(ValueError, match="layer must be in"):
        widgets.attention_view(model, tokenizer, "the cat", layer=99, head=0)


def test_t5_cross_attention_has_a_row_per_output_token_and_a_column_per_input_token():
    tokenizer, t5 = zoo.load("tiny-t5", task="seq2seq-lm", attn_implementation="eager")
    view = widgets.attention_view(t5, tokenizer, TRANSLATE_PREFIX + "the red cat .", 0, 1, "cross", "miko rasa .")
    assert view["weights"].shape == (len(view["rows"]), len(view["cols"])) and len(view["rows"]) < len(view["cols"])


def test_choice_view_gives_a_distribution_over_endings_and_the_lm_prefers_the_true_one(gpt, world):
    from transformers import GPT2DoubleHeadsModel

    tokenizer, lm = gpt
    choice_tokenizer = zoo.load_tokenizer("tiny-gpt2")
    choice_tokenizer.add_special_tokens({"cls_token": "<|cls|>"})
    double_heads = GPT2DoubleHeadsModel.from_pretrained(zoo.resolve("tiny-gpt2"))
    double_heads.resize_token_embeddings(len(choice_tokenizer), mean_resizing=False)
    seen = []

    def make_batch(items):                     # what 05 writes; the view must use it, for every choice of the item
        seen.append(items)
        enc = choice_tokenizer([choice_tokenizer.bos_token + it["context"] + " " + e + choice_tokenizer.cls_token
                                for it in items for e in it["endings"]], return_tensors="pt", padding=True)
        input_ids = enc.input_ids.view(len(items), -1, enc.input_ids.shape[-1])
        return {"input_ids": input_ids, "attention_mask": enc.attention_mask.view(input_ids.shape),
                "mc_token_ids": enc.attention_mask.view(input_ids.shape).sum(-1) - 1}

    item = world.choices("test")[0]
    view = widgets.choice_view(double_heads, make_batch, lm, tokenizer, item)
    assert seen == [[item]]
    assert abs(sum(view["choice probability"]) - 1) < 1e-5 and len(view["LM log-likelihood"]) == len(item["endings"])
    best = max(range(len(item["endings"])), key=lambda i: view["LM log-likelihood"][i])
    assert best == item["label"]
    # each likelihood is the sum of the ending's token log-probabilities after the story (computed here by hand)
    prefix = tokenizer(tokenizer.bos_token + item["context"]).input_ids
    for ending, value in zip(item["endings"], view["LM log-likelihood"]):
        full = tokenizer(tokenizer.bos_token + item["context"] + " " + ending, return_tensors="pt").input_ids
        with torch.no_grad():
            logprobs = lm(full).logits[0, :-1].log_softmax(-1).gather(-1, full[0, 1:, None])[:, 0]
        assert abs(logprobs[len(prefix) - 1:].sum().item() - value) < 1e-4


def test_t5_encoder_and_decoder_attention_are_square_and_the_decoder_is_causal():
    tokenizer, t5 = zoo.load("tiny-t5", task="seq2seq-lm", attn_implementation="eager")
    source, target = TRANSLATE_PREFIX + "the red cat is in the hall .", "miko rasa ."
    encoder = widgets.attention_view(t5, tokenizer, source, 0, 0, "encoder", target)
    decoder = widgets.attention_view(t5, tokenizer, source, 1, 2, "decoder", target)
    n_source, n_target = len(tokenizer(source).input_ids), len(tokenizer(target).input_ids)
    assert encoder["weights"].shape == (n_source, n_source) and encoder["rows"] == encoder["cols"]
    assert encoder["weights"].triu(1).abs().max() > 0.01                # the encoder reads both ways
    assert decoder["weights"].shape == (n_target, n_target) and decoder["title"] == "decoder attention, layer 1, head 2"
    assert decoder["weights"].triu(1).abs().max() == 0                   # the decoder only reads the past
    for view in (encoder, decoder):
        assert torch.allclose(view["weights"].sum(-1), torch.ones(view["weights"].shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match="kind must be"):
        widgets.attention_view(t5, tokenizer, source, 0, 0, "sideways", target)


def test_generation_view_with_beam_search_is_generate_with_four_beams(gpt, world):
    tokenizer, model = gpt
    prompt = "the red cat"
    view = widgets.generation_view(model, tokenizer, world.grammar, prompt, "beam search", max_new_tokens=12)
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt")
    expected = model.generate(**ids, max_new_tokens=12, do_sample=False, num_beams=4,
                              pad_token_id=tokenizer.pad_token_id)
    assert view["continuation"] == tokenizer.decode(expected[0, ids.input_ids.shape[1]:], skip_special_tokens=True)
    assert view["grammatical"] == world.grammar.accepts(view["text"])


def test_a_playground_outside_jupyterlab_prints_a_static_snapshot_and_returns_nothing(gpt, world, capsys, monkeypatch):
    monkeypatch.setenv("LMF_PROGRESS", "0")
    tokenizer, model = gpt
    assert widgets.generation_playground(model, tokenizer, world.grammar, "the red cat is in the") is None
    out = capsys.readouterr().out
    assert "static snapshot" in out and "greedy:" in out and "the grammar accepts prompt + continuation: True" in out


def test_a_playground_in_jupyterlab_is_a_box_of_live_controls(gpt, world, monkeypatch):
    monkeypatch.setenv("LMF_PROGRESS", "1")
    tokenizer, model = gpt
    box = widgets.attention_playground(model, tokenizer, "the red cat .")
    descriptions = [c.description for row in box.children[:2] for c in row.children]
    assert descriptions == ["layer", "head", "attention"]
