"""Hub-shaped stand-ins: tiny random checkpoints under the ids `gpt2`, `bert-base-uncased`, `google/flan-t5-small`,
`nlpconnect/vit-gpt2-image-captioning` and `HuggingFaceTB/SmolLM2-135M-Instruct`.

The hub profile cannot be run here (no network), but what breaks it is rarely the weights: it is the
*shape* of the real checkpoints, which differs from the zoo's. So each stand-in copies the trouble of its
Hub model, not its knowledge:

- gpt2: byte-level BPE with no pad token and bos = eos = unk = `<|endoftext|>`, a larger vocabulary than the
  zoo's, 1,024 positions, only `model_max_length` in tokenizer_config.json (as on the Hub);
- bert-base-uncased: an uncased WordPiece (`do_lower_case`), 512 positions, pre-training weights
  (pooler and next-sentence head present, as in the real checkpoint);
- nlpconnect/vit-gpt2-image-captioning: a VisionEncoderDecoderModel whose ViT reads 224 x 224 pictures in
  16 x 16 patches (a 14 x 14 grid, not the zoo's 4 x 4) behind an image processor that resizes, and whose GPT-2
  decoder has gpt2's tokenizer (no pad token: the config's pad and decoder start are both `<|endoftext|>`);
- HuggingFaceTB/SmolLM2-135M-Instruct: a LlamaForCausalLM with grouped-query attention (3 query heads per key/value
  head, as its 9 and 3), 8,192 positions, tied embeddings, a byte-level BPE whose bos is `<|im_start|>` and whose eos
  and pad are both `<|im_end|>` (unk `<|endoftext|>`), and its ChatML chat template in tokenizer_config.json, which
  adds a default system message when the conversation has none;
- google/flan-t5-small: a SentencePiece-style Unigram with 100 `<extra_id_N>` sentinels, gated-GELU feed-forward,
  `tie_word_embeddings: false` in config.json (T5 v1.1: transformers 5 reads it as "do not scale the decoder output")
  and a model vocabulary larger than the tokenizer's (32,128 vs 32,100 on the Hub).

`write_cache(folder)` lays them out as a Hugging Face cache (models--ID/refs/main, snapshots/COMMIT/...), so
`from_pretrained("gpt2")` with HF_HUB_CACHE=folder and HF_HUB_OFFLINE=1 goes through the library's real
cache lookup. The weights are random: only claims that need a trained model are out of reach.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import torch
import transformers
from transformers import (
    BertConfig,
    BertForPreTraining,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    T5Config,
    T5ForConditionalGeneration,
    VisionEncoderDecoderModel,
    ViTConfig,
    ViTModel,
)

from helpers.world import TRANSLATE_PREFIX, TinyWorld
from scripts import build_zoo as zoo_build  # the zoo's own tokenizer builders, with the Hub's settings

# ViT's image processor on PIL, as the zoo's (saved as "ViTImageProcessor", the Hub's name): transformers 5.23 calls
# that class ViTImageProcessorPil, and its ViTImageProcessor wants torchvision (without it: a warning, then this one);
# in transformers 5.0 (make compat LEG=oldest) ViTImageProcessor is the PIL one
PIL_IMAGE_PROCESSOR = getattr(transformers, "ViTImageProcessorPil", None) or transformers.ViTImageProcessor

HUB_IDS = ("gpt2", "bert-base-uncased", "google/flan-t5-small", "nlpconnect/vit-gpt2-image-captioning",
           "HuggingFaceTB/SmolLM2-135M-Instruct")
ENGLISH = ("The capital of France is Paris . The quick brown fox jumps over the lazy dog . "
           "A language model predicts the next word of a sentence from the words before it . "
           "Hugging Face hosts models , datasets and tokenizers for many languages .")


def _texts() -> list[str]:
    world = TinyWorld(seed=0, n_stories=2000)
    texts = world.texts("train")[:1500] + [ENGLISH, ENGLISH.lower()]
    texts += [TRANSLATE_PREFIX + e for e, _ in world.translation_pairs("train")[:300]]
    texts += [t for _, t in world.translation_pairs("train")[:300]]
    syllables = [a + b for a in "bcdfgklmnprstvz" for b in "aeiou"]          # made-up words: a Hub-sized vocabulary
    texts += [" ".join(s + t for t in syllables) for s in syllables]
    return texts


def gpt2(texts: list[str]) -> tuple:
    tokenizer = zoo_build.gpt2_tokenizer(texts, vocab_size=4000, min_frequency=1, pad=False, model_max_length=1024)
    assert tokenizer.pad_token is None and tokenizer.bos_token == tokenizer.eos_token == "<|endoftext|>"
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=1024, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    config.architectures = ["GPT2LMHeadModel"]
    return tokenizer, GPT2LMHeadModel(config), {"model_max_length": 1024}


def bert(texts: list[str]) -> tuple:
    tokenizer = zoo_build.bert_tokenizer(texts, lowercase=True, model_max_length=512)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, pad_token_id=0)
    config.architectures = ["BertForMaskedLM"]
    return tokenizer, BertForPreTraining(config), {"do_lower_case": True, "model_max_length": 512}


def t5(texts: list[str]) -> tuple:
    tokenizer = zoo_build.t5_tokenizer(texts, extra_ids=100, model_max_length=512)
    config = T5Config(vocab_size=128 * math.ceil((len(tokenizer) + 1) / 128), d_model=32, d_kv=16, d_ff=64,
                      num_layers=2, num_decoder_layers=2, num_heads=2, feed_forward_proj="gated-gelu",
                      tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    config.architectures = ["T5ForConditionalGeneration"]
    return tokenizer, T5ForConditionalGeneration(config), {"model_max_length": 512}


def vit_gpt2(texts: list[str]) -> tuple:
    tokenizer, _, tokenizer_config = gpt2(texts)
    encoder = ViTModel(ViTConfig(image_size=224, patch_size=16, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                 intermediate_size=64))
    decoder = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=1024, n_embd=32, n_layer=2, n_head=2,
                                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                                         add_cross_attention=True))
    model = VisionEncoderDecoderModel(encoder=encoder, decoder=decoder)
    model.config.decoder_start_token_id = model.config.pad_token_id = tokenizer.eos_token_id     # as on the Hub
    model.config.architectures = ["VisionEncoderDecoderModel"]
    model.image_processor = PIL_IMAGE_PROCESSOR(do_resize=True, size={"height": 224, "width": 224},
                                                image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
    # its config.json names no tokenizer (vision-encoder-decoder), so the Hub's tokenizer_config.json says it all
    end = "<|endoftext|>"
    return tokenizer, model, {**tokenizer_config, "tokenizer_class": "GPT2Tokenizer", "bos_token": end, "eos_token": end,
                              "unk_token": end, "add_prefix_space": False}


# SmolLM2-Instruct's template: ChatML, with a default system message first when the conversation has none
SMOLLM2_TEMPLATE = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}"
                    "{% endif %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
                    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def smollm2(texts: list[str]) -> tuple:
    tokenizer = zoo_build.gpt2_tokenizer(texts, vocab_size=4000, min_frequency=1, pad=False, model_max_length=8192)
    chat = ["<|im_start|>", "<|im_end|>"]
    tokenizer.add_special_tokens({"additional_special_tokens": chat, "bos_token": chat[0], "eos_token": chat[1],
                                  "pad_token": chat[1], "unk_token": "<|endoftext|>"})
    tokenizer.chat_template = SMOLLM2_TEMPLATE
    ids = tokenizer.convert_tokens_to_ids
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=3, num_key_value_heads=1, max_position_embeddings=8192, rope_theta=100_000.0,
                         tie_word_embeddings=True, bos_token_id=ids(chat[0]), eos_token_id=ids(chat[1]),
                         pad_token_id=ids(chat[1]))
    config.architectures = ["LlamaForCausalLM"]
    return tokenizer, LlamaForCausalLM(config), {
        "tokenizer_class": "GPT2Tokenizer", "bos_token": chat[0], "eos_token": chat[1], "pad_token": chat[1],
        "unk_token": "<|endoftext|>", "additional_special_tokens": chat, "model_max_length": 8192,
        "add_prefix_space": False, "chat_template": SMOLLM2_TEMPLATE}


BUILDERS = {"gpt2": gpt2, "bert-base-uncased": bert, "google/flan-t5-small": t5,
            "nlpconnect/vit-gpt2-image-captioning": vit_gpt2, "HuggingFaceTB/SmolLM2-135M-Instruct": smollm2}


def write_cache(cache: Path, seed: int = 0) -> Path:
    """Write the stand-ins into `cache` in the Hugging Face cache layout; returns `cache`."""
    texts = _texts()
    for hub_id, build in BUILDERS.items():
        torch.manual_seed(seed)
        tokenizer, model, tokenizer_config = build(texts)
        commit = hashlib.sha1(hub_id.encode()).hexdigest()
        repo = cache / ("models--" + hub_id.replace("/", "--"))
        snapshot = repo / "snapshots" / commit
        tokenizer.save_pretrained(snapshot)
        model.save_pretrained(snapshot, safe_serialization=True)
        if hasattr(model, "image_processor"):
            model.image_processor.save_pretrained(snapshot)
        # the Hub's tokenizer_config.json of these models holds only a few keys: the class comes from config.json
        (snapshot / "tokenizer_config.json").write_text(json.dumps(tokenizer_config) + "\n", encoding="utf-8")
        for extra in ("special_tokens_map.json", "chat_template.jinja"):
            (snapshot / extra).unlink(missing_ok=True)
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    return cache


if __name__ == "__main__":
    import sys

    print(write_cache(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hub-standins")))
