"""scripts/build_zoo.py: a smoke build (a few steps, few stories) repeats byte for byte, and it loads with the
Auto classes."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import transformers
from transformers import (
    AutoImageProcessor,
    AutoModelForCausalLM,
    AutoModelForImageTextToText,
    AutoModelForMaskedLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
)

from tests.versions import PINNED

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_zoo.py"
SMOKE = ["--steps", "3", "--stories", "400", "--test-items", "16"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "LMF_PROGRESS": "0"}
WALL_CLOCK = ("train seconds", "build seconds")     # the only fields of a card that may differ between builds
MODELS = {"tiny-gpt2": (AutoModelForCausalLM, "GPT2LMHeadModel", "GPT2Tokenizer"),
          "tiny-bert": (AutoModelForMaskedLM, "BertForMaskedLM", "BertTokenizer"),
          "tiny-t5": (AutoModelForSeq2SeqLM, "T5ForConditionalGeneration", "T5Tokenizer"),
          "tiny-vit-gpt2": (AutoModelForImageTextToText, "VisionEncoderDecoderModel", "GPT2Tokenizer"),
          "tiny-llama": (AutoModelForCausalLM, "LlamaForCausalLM", "GPT2Tokenizer")}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Two smoke builds of all five models, one after the other, each into a folder of its own."""
    folders = [tmp_path_factory.mktemp(f"zoo-build-{i}") for i in (1, 2)]
    for folder in folders:
        done = subprocess.run([sys.executable, str(SCRIPT), *SMOKE, "--out", str(folder)],
                              capture_output=True, text=True, check=False, env=ENV, cwd=ROOT, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    return folders


def without_wall_clock(folder):
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    for field in WALL_CLOCK:
        assert isinstance(card.pop(field), float)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    return card, re.sub(r"[\d.]+ s (of training|to build)", r"? s \1", readme)


@pytest.mark.parametrize("name", MODELS)
def test_two_smoke_builds_are_byte_identical_but_for_the_clock(builds, name):
    first, second = (out / name for out in builds)
    files = {p.name for p in first.iterdir()}
    assert files == {p.name for p in second.iterdir()} == {p.name for p in (ROOT / "zoo" / name).iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"} <= files
    assert ("generation_config.json" in files) == (name != "tiny-bert")
    for file in sorted(files - {"card.json", "README.md"}):
        assert (first / file).read_bytes() == (second / file).read_bytes(), f"{name}/{file} differs"
    assert without_wall_clock(first) == without_wall_clock(second)


@pytest.mark.parametrize("name", MODELS)
def test_the_smoke_options_reach_the_card(builds, name):
    card, _ = without_wall_clock(builds[0] / name)
    trained_as = "BertForPreTraining" if name == "tiny-bert" else MODELS[name][1]     # BERT: masked LM + next sentence
    assert card["name"] == name and card["class"] == trained_as and card["threads"] == 1
    assert card["train steps"] == 3 and card["train examples"] == 3 * 32
    counts = [v for k, v in card["scores"].items() if k.endswith(("items", "stories", "pairs", "pictures"))]
    assert counts and all(count == 16 for count in counts)


@pytest.mark.parametrize("name", MODELS)
def test_a_smoke_build_loads_with_the_auto_classes(builds, name):
    auto_class, model_class, tokenizer_class = MODELS[name]
    folder = builds[0] / name
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = auto_class.from_pretrained(folder, use_safetensors=True)
    # the llama and captioner folders' tokenizer_config names no class: the pinned transformers maps them to the GPT-2
    # tokenizer, transformers 5.1 (make compat LEG=oldest) to its generic TokenizersBackend on the same tokenizer.json
    # (the ids below are checked either way)
    accepted = {tokenizer_class} if PINNED or name in ("tiny-gpt2", "tiny-bert", "tiny-t5") else {tokenizer_class,
                                                                                                "TokenizersBackend"}
    assert type(model).__name__ == model_class and type(tokenizer).__name__ in accepted
    # the tokenizer the build trained (a folder without tokenizer files loads too: an empty one, of length 1)
    config = model.config.decoder if name == "tiny-vit-gpt2" else model.config      # a captioner: its decoder's
    assert len(tokenizer) == config.vocab_size > 100
    if name == "tiny-vit-gpt2":     # the image processor saved beside it, and the ids generate and training need
        pil = "ViTImageProcessorPil" if hasattr(transformers, "ViTImageProcessorPil") else "ViTImageProcessor"  # 5.1
        assert type(AutoImageProcessor.from_pretrained(folder, backend="pil")).__name__ == pil
        assert model.config.decoder_start_token_id == tokenizer.bos_token_id and model.config.pad_token_id == tokenizer.pad_token_id
    if name == "tiny-llama":        # a base model with a chat template: tiny-gpt2's ids, and the two chat tokens
        gpt2_tokenizer = AutoTokenizer.from_pretrained(builds[0] / "tiny-gpt2")
        assert tokenizer("the red cat is in the attic .").input_ids == gpt2_tokenizer("the red cat is in the attic .").input_ids
        chat = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
        assert chat == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
        assert len(tokenizer("<|im_start|><|im_end|>").input_ids) == 2
        assert model.config.num_key_value_heads < model.config.num_attention_heads and model.config.tie_word_embeddings
    sentence = "the red cat likes the blue dog ."
    tokens = tokenizer.convert_ids_to_tokens(tokenizer(sentence).input_ids)
    assert [t.lstrip("Ġ▁") for t in tokens if t not in tokenizer.all_special_tokens] == sentence.split()
