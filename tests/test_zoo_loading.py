"""helpers.zoo: zoo models load offline through the real Auto classes; bad names fail at once, clearly."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from transformers import (
    AutoModelForCausalLM,
    AutoModelForMaskedLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    BertForMaskedLM,
    GPT2LMHeadModel,
    GPT2Model,
    T5ForConditionalGeneration,
    VisionEncoderDecoderModel,
)

from helpers import zoo

ROOT = Path(__file__).resolve().parent.parent

AUTO = [("tiny-gpt2", AutoModelForCausalLM, "GPT2LMHeadModel", "GPT2Tokenizer"),
        ("tiny-bert", AutoModelForMaskedLM, "BertForMaskedLM", "BertTokenizer"),
        ("tiny-t5", AutoModelForSeq2SeqLM, "T5ForConditionalGeneration", "T5Tokenizer")]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("name, auto_class, model_class, tokenizer_class", AUTO)
def test_zoo_loads_offline_through_the_auto_classes(name, auto_class, model_class, tokenizer_class):
    folder = zoo.resolve(name)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = auto_class.from_pretrained(folder, use_safetensors=True)
    assert type(model).__name__ == model_class and type(tokenizer).__name__ == tokenizer_class
    assert len(tokenizer) <= model.config.vocab_size


# every task of helpers.zoo.TASKS, and the concrete class its Auto class builds for a zoo model
TASK_CLASSES = [("tiny-gpt2", "causal-lm", GPT2LMHeadModel), ("tiny-bert", "masked-lm", BertForMaskedLM),
                ("tiny-t5", "seq2seq-lm", T5ForConditionalGeneration), ("tiny-gpt2", "base", GPT2Model),
                ("tiny-vit-gpt2", "image-to-text", VisionEncoderDecoderModel)]


@pytest.mark.parametrize("name, task, model_class", TASK_CLASSES)
def test_load_helper_returns_tokenizer_and_model(name, task, model_class):
    tokenizer, model = zoo.load(name, task=task)
    assert tokenizer is not None and not model.training
    assert type(model) is model_class


def test_every_task_is_loaded_above():
    assert sorted({task for _, task, _ in TASK_CLASSES}) == sorted(zoo.TASKS)


def test_special_tokens_of_each_tokenizer():
    gpt, bert, t5 = (zoo.load_tokenizer(n) for n in ("tiny-gpt2", "tiny-bert", "tiny-t5"))
    assert gpt.eos_token == "<|endoftext|>" and gpt.pad_token == "<|pad|>" and gpt.pad_token_id != gpt.eos_token_id
    assert bert.mask_token == "[MASK]" and bert.cls_token == "[CLS]" and bert.sep_token == "[SEP]"
    assert (t5.pad_token_id, t5.eos_token_id) == (0, 1)
    assert t5.convert_ids_to_tokens(t5("the <extra_id_0> cat").input_ids)[1] == "<extra_id_0>"
    sentence = "the red cat likes the blue dog ."
    for tokenizer in (gpt, t5):
        assert tokenizer.decode(tokenizer(sentence).input_ids, skip_special_tokens=True).strip() == sentence
    # BertTokenizer's WordPiece decoder always tidies the space before punctuation
    assert bert.decode(bert(sentence).input_ids, skip_special_tokens=True) == "the red cat likes the blue dog."
    assert all(t.model_max_length == 128 for t in (gpt, bert, t5))


def test_zoo_is_safetensors_only_and_small():
    total = 0
    for model in zoo.ZOO.values():
        files = {p.name for p in model.path.iterdir()}
        assert "model.safetensors" in files and not files & {"pytorch_model.bin", "tf_model.h5"}
        assert {"README.md", "card.json", "tokenizer.json", "config.json"} <= files
        total += sum(p.stat().st_size for p in model.path.iterdir())
    assert total < 25 * 2**20, f"zoo/ is {total / 2**20:.1f} MiB"


@pytest.mark.parametrize("bad", ["tiny-gtp2!", "", "   ", None, "a/b/c"])
def test_unknown_names_fail_with_the_zoo_list(bad):
    with pytest.raises(zoo.ZooError, match="tiny-gpt2, tiny-bert, tiny-t5"):
        zoo.load(bad, task="causal-lm")


def test_hub_id_offline_fails_at_once_in_one_sentence(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("HF_HUB_OFFLINE is set: nothing may try the network (a time-out would take seconds)")

    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(zoo.ZooError) as caught:
        zoo.load("no-such-org/no-such-model", task="causal-lm")
    message = str(caught.value)
    assert "cannot be reached" in message and "hub profile" in message and "tiny-gpt2" in message
    assert "\n" not in message and caught.value.__cause__ is None
    assert caught.value._render_traceback_() == [f"ZooError: {message}"]


def test_unknown_task_and_forbidden_options():
    with pytest.raises(zoo.ZooError, match="unknown task 'translation'"):
        zoo.load("tiny-t5", task="translation")
    with pytest.raises(zoo.ZooError, match="trust_remote_code is fixed"):
        zoo.load("tiny-gpt2", task="causal-lm", trust_remote_code=True)


def test_a_local_folder_loads_like_a_zoo_name():
    tokenizer, model = zoo.load(str(Path(zoo.resolve("tiny-gpt2"))), task="causal-lm")
    assert type(model).__name__ == "GPT2LMHeadModel" and tokenizer.eos_token == "<|endoftext|>"


def test_an_empty_folder_is_one_sentence_naming_the_fix(tmp_path):
    with pytest.raises(zoo.ZooError, match="has no config.json; give a folder written by save_pretrained"):
        zoo.load(str(tmp_path), task="causal-lm")


def test_a_folder_with_only_pickle_weights_is_refused_in_one_sentence(tmp_path):
    import shutil

    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(Path(zoo.resolve("tiny-gpt2")) / name, tmp_path / name)
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded: refused before anything is read")
    with pytest.raises(zoo.ZooError, match=r"has no safetensors weights \(only pytorch_model.bin\); this workbook "
                                           "loads safetensors only"):
        zoo.load(str(tmp_path), task="causal-lm")
    assert zoo.load_tokenizer(str(tmp_path)).eos_token == "<|endoftext|>"      # the tokenizer alone needs no weights
    (tmp_path / "tokenizer.json").unlink()
    (tmp_path / "tokenizer_config.json").unlink()
    with pytest.raises(zoo.ZooError, match="has no tokenizer files"):
        zoo.load_tokenizer(str(tmp_path))


# ZOO_DIR is read when helpers.zoo is imported: each LMF_ZOO_DIR gets a Python of its own
LOAD_IN_A_FRESH_PYTHON = """
import json
from helpers import zoo
try:
    tokenizer, model = zoo.load("tiny-gpt2", task="causal-lm")
except zoo.ZooError as error:
    print(json.dumps({"error": str(error)}))
else:
    print(json.dumps({"zoo_dir": str(zoo.ZOO_DIR), "model": model.name_or_path,
                      "class": type(model).__name__}))
"""


def load_with_zoo_dir(folder):
    env = {**os.environ, "LMF_ZOO_DIR": str(folder), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", LOAD_IN_A_FRESH_PYTHON], capture_output=True, text=True,
                          check=False, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_missing_zoo_model_names_its_folder_and_make_zoo(tmp_path):
    empty = tmp_path / "empty-zoo"
    empty.mkdir()
    loaded = load_with_zoo_dir(empty)
    assert "error" in loaded, f"loaded {loaded}"
    message = loaded["error"]
    assert f"'tiny-gpt2' is missing from {empty / 'tiny-gpt2'}" in message
    assert "rebuild the zoo with `make zoo`" in message and "\n" not in message


def test_lmf_zoo_dir_moves_the_zoo(tmp_path):
    copy = tmp_path / "zoo-copy"
    shutil.copytree(ROOT / "zoo", copy)
    loaded = load_with_zoo_dir(copy)
    assert loaded["zoo_dir"] == str(copy) and loaded["class"] == "GPT2LMHeadModel"
    assert Path(loaded["model"]).resolve() == (copy / "tiny-gpt2").resolve()
