"""Solutions for workbook/ex02b.py, and typical wrong answers."""

import torch


def repeat_kv(keys, n_rep):
    return keys.repeat_interleave(n_rep, dim=1)       # each key/value head serves n_rep query heads side by side


def kv_cache_bytes(config, tokens, bytes_per_number):
    head_width = config.hidden_size // config.num_attention_heads
    return config.num_hidden_layers * 2 * config.num_key_value_heads * tokens * head_width * bytes_per_number


def gated_mlp(x, gate, up, down):
    return (torch.nn.functional.silu(x @ gate.T) * (x @ up.T)) @ down.T


def chat_labels(tokenizer, messages):
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    input_ids = tokenizer(text).input_ids
    n_prompt = len(tokenizer(prompt).input_ids)
    return {"input_ids": input_ids, "labels": [-100] * n_prompt + input_ids[n_prompt:]}


def lora_forward(x, weight, bias, lora_a, lora_b, alpha, rank):
    return x @ weight.T + bias + (alpha / rank) * (x @ lora_a.T) @ lora_b.T


def _chat_labels_without_generation_prompt(tokenizer, messages):
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False)
    input_ids = tokenizer(text).input_ids
    n_prompt = len(tokenizer(prompt).input_ids)
    return {"input_ids": input_ids, "labels": [-100] * n_prompt + input_ids[n_prompt:]}


def _chat_labels_everywhere(tokenizer, messages):
    input_ids = tokenizer(tokenizer.apply_chat_template(messages, tokenize=False)).input_ids
    return {"input_ids": input_ids, "labels": list(input_ids)}


def _kv_cache_bytes_all_heads(config, tokens, bytes_per_number):
    head_width = config.hidden_size // config.num_attention_heads
    return config.num_hidden_layers * 2 * config.num_attention_heads * tokens * head_width * bytes_per_number


WRONG = {
    "repeat_kv": [
        (lambda keys, n_rep: keys.repeat(1, n_rep, 1, 1), "next to each other"),
        (lambda keys, n_rep: keys, "wrong shape"),
    ],
    "kv_cache_bytes": [
        (lambda config, tokens, b: kv_cache_bytes(config, tokens, b) // 2, "both keys and values"),
        (_kv_cache_bytes_all_heads, "num_key_value_heads heads per layer"),
    ],
    "gated_mlp": [
        (lambda x, gate, up, down: (torch.nn.functional.gelu(x @ gate.T) * (x @ up.T)) @ down.T, "not GELU"),
        (lambda x, gate, up, down: (torch.nn.functional.silu(x @ up.T) * (x @ gate.T)) @ down.T, "gate branch"),
    ],
    "chat_labels": [
        (_chat_labels_without_generation_prompt, "generation prompt"),
        (_chat_labels_everywhere, "the user's turn is trained too"),
    ],
    "lora_forward": [
        (lambda x, w, b, a_, b_, alpha, rank: x @ w.T + b + (x @ a_.T) @ b_.T, "alpha / r"),
        (lambda x, w, b, a_, b_, alpha, rank: x @ w.T + b, "update B @ A is missing"),
    ],
}
