"""The hub profile, proven without a network: every notebook runs against hub-shaped stand-ins.

`tests/hub_standins.py` writes tiny random checkpoints with the Hub models' shapes of trouble (gpt2 without a
pad token, bos = eos, a larger vocabulary, 1,024 positions; an uncased BERT with a pooler; a T5 with 100
sentinels and a model vocabulary larger than its tokenizer's; a ViT-GPT-2 captioner on 224 x 224 pictures; a
SmolLM2-shaped Llama with grouped-query attention, eos = pad = `<|im_end|>` and a chat template that adds a system
message) into a
temporary Hugging Face cache under the ids `gpt2`, `bert-base-uncased`, `google/flan-t5-small` and
`nlpconnect/vit-gpt2-image-captioning` and `HuggingFaceTB/SmolLM2-135M-Instruct`. With HF_HUB_OFFLINE=1 the notebooks'
`from_pretrained("gpt2")` finds them through the library's real cache lookup.

What this proves: every code path the hub profile takes runs (loading by hub id, padding without a pad token,
vocabularies and position counts that are not the zoo's, a checkpoint with pre-training heads). What only a
networked run can prove: the claims that need a *trained* model (the notebooks skip those off the zoo, as they
would with the real checkpoints' different numbers), and the real checkpoints' own files. The training budgets
are cut to keep `make test` short; each notebook's asserts that hold for any model still run.
"""

import subprocess
import sys

import pytest

from helpers.params import load_profile
from tests.hub_standins import HUB_IDS
from tests.test_notebooks import IDS, NOTEBOOKS, ROOT, parameter_names

# The stand-ins are random weights: one training step takes every code path that ten take (the claims that need a
# trained model are skipped off the zoo), and a few held-out items every path of scoring. The budgets below are the
# least that shows that; the pass is about 10 s of CPU a notebook, most of it the kernel's imports.
SMALL_BUDGETS = {"finetune_steps": 1, "n_items": 8, "compare_steps": 1, "warmstart_steps": 1, "head_steps": 1,
                 "summary_steps": 1, "sft_steps": 1,
                 "job_steps": 1, "sweep_widths": [32]}
# the exercise notebooks take no model parameters (their checks always use the zoo): not run here; the job notebook
# runs twice inside 07's run with the hub profile (its sweep and its command-line run)
RUNS = [(p, i) for p, i in zip(NOTEBOOKS, IDS) if "exercises" not in p.parts and "jobs" not in p.parts]


SHAPES = """
from helpers import zoo
gpt_tokenizer, gpt = zoo.load("gpt2", task="causal-lm")
assert gpt_tokenizer.pad_token is None and gpt_tokenizer.bos_token == gpt_tokenizer.eos_token == "<|endoftext|>"
assert gpt.config.n_positions == 1024 and len(gpt_tokenizer) > 2 * len(zoo.load_tokenizer("tiny-gpt2"))
assert zoo.load_tokenizer("bert-base-uncased").tokenize("The CAT") == ["the", "cat"]
t5_tokenizer, t5 = zoo.load("google/flan-t5-small", task="seq2seq-lm")
assert t5_tokenizer.convert_tokens_to_ids("<extra_id_99>") != t5_tokenizer.unk_token_id
assert t5.config.vocab_size > len(t5_tokenizer) and not t5.config.scale_decoder_outputs and t5.config.is_gated_act
caption_tokenizer, captioner = zoo.load("nlpconnect/vit-gpt2-image-captioning", task="image-to-text")
processor = zoo.load_image_processor("nlpconnect/vit-gpt2-image-captioning")
assert caption_tokenizer.pad_token is None and captioner.config.decoder_start_token_id == caption_tokenizer.eos_token_id
assert captioner.config.encoder.image_size // captioner.config.encoder.patch_size == 14 and processor.do_resize
chat_tokenizer, chat = zoo.load("HuggingFaceTB/SmolLM2-135M-Instruct", task="causal-lm")
assert type(chat).__name__ == "LlamaForCausalLM" and chat.config.num_attention_heads == 3 * chat.config.num_key_value_heads
assert chat_tokenizer.bos_token == "<|im_start|>" and chat_tokenizer.eos_token == chat_tokenizer.pad_token == "<|im_end|>"
text = chat_tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
assert text.startswith("<|im_start|>system\\nYou are a helpful") and text.endswith("<|im_start|>assistant\\n")
print("ok")
"""


def test_the_stand_ins_load_by_hub_id_through_the_cache_with_the_hub_models_shapes(offline_hub):
    # a fresh process: huggingface_hub reads HF_HUB_CACHE when it is imported
    done = subprocess.run([sys.executable, "-c", SHAPES], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    assert sorted(p.name for p in offline_hub.iterdir()) == sorted("models--" + h.replace("/", "--") for h in HUB_IDS)


def run_with_the_hub_profile(path, tmp_path, kernel):
    names = parameter_names(path)
    values = {**load_profile("hub"), **SMALL_BUDGETS}
    kernel.execute(path, tmp_path / path.name, parameters={k: v for k, v in values.items() if k in names})


@pytest.mark.parametrize("path", [p for p, _ in RUNS], ids=[i for _, i in RUNS])
def test_the_notebook_runs_with_the_hub_profile_against_hub_shaped_stand_ins(path, hub_cache, kernels, tmp_path):
    # one kernel of this worker's runs this pass (tests/kernels.py), started with the cache in its environment:
    # huggingface_hub reads HF_HUB_CACHE when it is imported
    run_with_the_hub_profile(path, tmp_path, kernels(HF_HUB_CACHE=str(hub_cache), HF_HUB_OFFLINE="1"))
