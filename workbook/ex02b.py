"""Exercises for 02b_modern_decoder: grouped-query attention, the KV cache, a gated MLP, chat labels, LoRA.

The oracles are others' code: transformers' own Llama modules and cache (repeat_kv, LlamaMLP, DynamicCache),
the zoo tokenizer's chat template, and peft's LoRA layer (none of them the solutions).
"""

from __future__ import annotations

import torch

from . import _cases
from .checks import Exercise, Wrong, exercises


def _tensors(*shapes):
    generator = torch.Generator().manual_seed(_cases.HIDDEN_SEED)
    return [torch.randn(*shape, generator=generator) for shape in shapes]


def check_repeat_kv(answer) -> str:
    from transformers.models.llama.modeling_llama import repeat_kv

    for kv_heads, n_rep in ((2, 2), (3, 3), (1, 4)):
        (keys,) = _tensors((2, kv_heads, 5, 8))
        got = answer(keys, n_rep)
        if not isinstance(got, torch.Tensor):
            raise Wrong(f"return a tensor, got {type(got).__name__}")
        if tuple(got.shape) != (2, kv_heads * n_rep, 5, 8):
            raise Wrong("wrong shape: (batch, key/value heads x n_rep, tokens, head width)")
        expected = repeat_kv(keys, n_rep)
        if torch.equal(got, expected):
            continue
        if torch.equal(got, keys.repeat(1, n_rep, 1, 1)):
            raise Wrong("each key/value head must serve n_rep query heads *next to each other* (heads 0 and 1 read "
                        "key/value head 0): repeat each head in place (repeat_interleave), not the whole stack")
        raise Wrong("these are not the key/value heads repeated for their query heads")
    return "your repeat matches transformers' repeat_kv for 2, 3 and 1 key/value heads"


def check_kv_cache_bytes(answer) -> str:
    from transformers import LlamaConfig, LlamaForCausalLM

    for heads, kv_heads, tokens in ((4, 2, 7), (6, 1, 11), (4, 4, 3)):
        config = LlamaConfig(vocab_size=50, hidden_size=24, intermediate_size=32, num_hidden_layers=3,
                             num_attention_heads=heads, num_key_value_heads=kv_heads)
        torch.manual_seed(_cases.HIDDEN_SEED)
        model = LlamaForCausalLM(config).eval()
        with torch.no_grad():
            cache = model(torch.zeros(1, tokens, dtype=torch.long), use_cache=True).past_key_values
        measured = sum(t.numel() * t.element_size() for layer in cache.layers for t in (layer.keys, layer.values))
        got = answer(config, tokens, 4)
        if not isinstance(got, int):
            raise Wrong(f"return an int (bytes), got {type(got).__name__}")
        if got == measured:
            continue
        if got == measured // 2:
            raise Wrong("count both keys and values")
        if got == measured * heads // kv_heads:
            raise Wrong("the cache holds num_key_value_heads heads per layer, not num_attention_heads")
        raise Wrong("not the size of the cache a forward pass leaves: layers x 2 (keys, values) x key/value heads "
                    "x tokens x head width x bytes per number")
    return "your sizes equal the measured DynamicCache for three configs (grouped-query and multi-head)"


def check_gated_mlp(answer) -> str:
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaMLP

    torch.manual_seed(_cases.HIDDEN_SEED)
    mlp = LlamaMLP(LlamaConfig(hidden_size=16, intermediate_size=40, num_attention_heads=4, hidden_act="silu")).eval()
    (x,) = _tensors((3, 5, 16))
    weights = (mlp.gate_proj.weight, mlp.up_proj.weight, mlp.down_proj.weight)
    with torch.no_grad():
        expected = mlp(x)
        got = answer(x, *weights)
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            raise Wrong("return a tensor shaped like x")
        if _cases.same(got, expected, 1e-5):
            return "your gated MLP equals transformers' LlamaMLP"
        gelu = torch.nn.functional.gelu(x @ weights[0].T) * (x @ weights[1].T) @ weights[2].T
        swapped = (torch.nn.functional.silu(x @ weights[1].T) * (x @ weights[0].T)) @ weights[2].T
    if _cases.same(got, gelu, 1e-5):
        raise Wrong("Llama's activation is SiLU (x * sigmoid(x)), not GELU")
    if _cases.same(got, swapped, 1e-5):
        raise Wrong("the activation goes on the gate branch: silu(x @ gate.T) * (x @ up.T)")
    raise Wrong("not down(silu(gate(x)) * up(x)); a Linear's weight is (out, in), so gate(x) is x @ gate.T")


def check_chat_labels(answer) -> str:
    tokenizer = _tokenizer()
    for question, reply in (("where is the fox ?", "the fox is in the attic ."),
                            ("the cat is in the yard . where is the cat ?", "the cat is in the yard .")):
        messages = [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]
        got = answer(tokenizer, messages)
        if not isinstance(got, dict) or set(got) < {"input_ids", "labels"}:
            raise Wrong("return a dict with input_ids and labels (two lists of ints)")
        ids, labels = list(got["input_ids"]), list(got["labels"])
        text = tokenizer.apply_chat_template(messages, tokenize=False)
        if ids != tokenizer(text).input_ids:
            raise Wrong("input_ids must be the whole conversation through the chat template "
                        "(apply_chat_template(messages, tokenize=False), then the tokenizer)")
        if len(labels) != len(ids):
            raise Wrong("one label per token")
        trained = [i for i, label in enumerate(labels) if label != -100]
        if not trained:
            raise Wrong("every label is -100: the assistant's tokens must keep their ids")
        if any(labels[i] != ids[i] for i in trained):
            raise Wrong("a label that is not -100 must be the token's own id (the model shifts labels itself)")
        if trained[0] == 0:
            raise Wrong("the user's turn is trained too: its labels must be -100, the loss falls on the assistant's only")
        if trained != list(range(trained[0], len(ids))):
            raise Wrong("the trained labels must be one stretch, from the assistant's answer to the end")
        answer_text = tokenizer.decode(ids[trained[0]:])
        if answer_text.startswith("<|im_start|>") or "assistant" in answer_text:
            raise Wrong("the generation prompt (<|im_start|>assistant and its newline) belongs to the prompt: -100 there")
        if answer_text != reply + "<|im_end|>\n":
            raise Wrong(f"the trained part must be exactly the assistant's reply, <|im_end|> and the newline; "
                        f"yours decodes to {answer_text!r}")
    return "labels on the assistant's reply and <|im_end|> only, -100 on the rest, for two conversations"


def _tokenizer():
    from helpers import zoo

    return zoo.load_tokenizer("tiny-llama")


def check_lora_forward(answer) -> str:
    import copy

    from peft import LoraConfig, get_peft_model

    from helpers.runtime import quiet_libraries

    class One(torch.nn.Module):            # the smallest model peft can wrap: one Linear called proj
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(12, 10, bias=True)

        def forward(self, x):
            return self.proj(x)

    for rank, alpha in ((2, 4), (4, 4), (1, 8)):
        torch.manual_seed(_cases.HIDDEN_SEED + rank)
        net = One()
        base = copy.deepcopy(net.proj)
        with quiet_libraries():
            wrapped = get_peft_model(net, LoraConfig(r=rank, lora_alpha=alpha, target_modules=["proj"]))
        layer = wrapped.base_model.model.proj
        lora_a, lora_b, x = _tensors((rank, 12), (10, rank), (3, 12))
        with torch.no_grad():
            layer.lora_A["default"].weight.copy_(lora_a)
            layer.lora_B["default"].weight.copy_(lora_b)
            expected = wrapped(x)
            got = answer(x, base.weight, base.bias, lora_a, lora_b, alpha, rank)
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            raise Wrong("return a tensor, (batch, out features)")
        if _cases.same(got, expected, 1e-5):
            continue
        if _cases.same(got, base(x).detach() + x @ (lora_b @ lora_a).T, 1e-5) and alpha != rank:
            raise Wrong("scale the update by alpha / r")
        if _cases.same(got, base(x).detach(), 1e-5):
            raise Wrong("the update B @ A is missing: only the frozen layer's output")
        raise Wrong("not x @ W.T + b + (alpha / r) * x @ A.T @ B.T")
    return "your LoRA layer equals peft's lora.Linear for three ranks and scales"


ex02b = exercises(
    Exercise("repeat_kv", check_repeat_kv, [
        "keys.repeat_interleave(n_rep, dim=1) repeats each head in place.",
        "Or: keys[:, :, None].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d).",
    ], _cases.solution("ex02b", "repeat_kv")),
    Exercise("kv_cache_bytes", check_kv_cache_bytes, [
        "head width = config.hidden_size // config.num_attention_heads.",
        "layers x 2 x config.num_key_value_heads x tokens x head width x bytes_per_number.",
    ], _cases.solution("ex02b", "kv_cache_bytes")),
    Exercise("gated_mlp", check_gated_mlp, [
        "A Linear's weight is (out, in): gate(x) is x @ gate.T.",
        "(torch.nn.functional.silu(x @ gate.T) * (x @ up.T)) @ down.T",
    ], _cases.solution("ex02b", "gated_mlp")),
    Exercise("chat_labels", check_chat_labels, [
        "The prompt is the template of messages[:-1] with add_generation_prompt=True; it is the start of the full text.",
        "labels = input_ids with the first len(prompt ids) set to -100.",
    ], _cases.solution("ex02b", "chat_labels")),
    Exercise("lora_forward", check_lora_forward, [
        "The frozen part is x @ W.T + b; the update is (x @ A.T) @ B.T.",
        "Scale the update by alpha / r before adding it.",
    ], _cases.solution("ex02b", "lora_forward")),
)
repeat_kv, kv_cache_bytes, gated_mlp, chat_labels, lora_forward = ex02b
