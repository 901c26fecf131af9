"""Exercises for 01b_inside_a_block: attention with a padding mask, LayerNorm, T5's buckets, RoPE, a parameter count.

Each check's oracle is the library's own code (torch's scaled_dot_product_attention and layer_norm, transformers'
T5 bucket function, Llama rotary embedding and GPT-2 model class), run on cases the learner does not see.
"""

from __future__ import annotations

import math

import torch

from . import _cases
from .checks import Exercise, Wrong, exercises

_SEED = 4711                 # the hidden cases' random tensors


def _tensor(value, what: str) -> torch.Tensor:
    if not torch.is_tensor(value):
        raise Wrong(f"{what} should be a torch tensor, got {type(value).__name__}")
    return value


def _randn(*shape, seed=_SEED):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# ----------------------------------------------------------------------------------------------- attention
def _attention_cases():
    q, k, v = (_randn(2, 3, 6, 8, seed=_SEED + i) for i in range(3))
    right = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]])
    left = torch.tensor([[1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1]])
    return [(q, k, v, right, True), (q, k, v, right, False), (q, k, v, left, False)]


def _allowed(attention_mask, causal, n):
    keys = attention_mask.bool()[:, None, None, :]
    return keys & torch.ones(n, n, dtype=torch.bool).tril() if causal else keys.expand(-1, 1, n, n)


def _scores_attention(q, k, v, allowed, scale=True, dim=-1):
    scores = q @ k.transpose(-1, -2) / (math.sqrt(q.shape[-1]) if scale else 1.0)
    return scores.masked_fill(~allowed, float("-inf")).softmax(dim=dim).nan_to_num() @ v


def check_attention(answer) -> str:
    for q, k, v, attention_mask, causal in _attention_cases():
        n = q.shape[2]
        allowed = _allowed(attention_mask, causal, n)
        expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        got = _tensor(answer(q.clone(), k.clone(), v.clone(), attention_mask.clone(), causal), "the output")
        if tuple(got.shape) != tuple(expected.shape):
            raise Wrong(f"shape {list(got.shape)} where {list(expected.shape)} (batch, heads, seq, head_dim) was expected")
        real = attention_mask.bool()[:, None, :, None].expand_as(expected)        # padded queries are never read
        if _cases.same(got[real], expected[real], 1e-5):
            continue
        wrong_ones = {
            "the scores are not divided by sqrt(head_dim)": _scores_attention(q, k, v, allowed, scale=False),
            "the softmax runs over the queries (dim -2); each query's weights must sum to 1 over the keys":
                _scores_attention(q, k, v, allowed, dim=-2),
            "the causal mask is missing: a query reads keys after it": _scores_attention(
                q, k, v, _allowed(attention_mask, False, n)),
            "padding keys are still visible to the real queries: mask the keys (columns) where attention_mask is 0, "
            "not the queries (rows)": _scores_attention(
                q, k, v, torch.ones(n, n, dtype=torch.bool).tril() if causal else torch.ones(n, n, dtype=torch.bool)),
        }
        if not causal:
            wrong_ones["a causal mask was applied where causal=False: every query may read every real key"] = \
                _scores_attention(q, k, v, _allowed(attention_mask, True, n))
        for message, variant in wrong_ones.items():
            if _cases.same(got[real], variant[real], 1e-5):
                raise Wrong(message)
        side = "left" if attention_mask[1, 0] == 0 else "right"
        raise Wrong(f"wrong values ({'causal' if causal else 'bidirectional'}, {side} padding)")
    return "causal and bidirectional, right and left padding, against torch's scaled_dot_product_attention"


# ----------------------------------------------------------------------------------------------- LayerNorm
def check_layer_norm(answer) -> str:
    for d, eps, seed in [(6, 1e-2, 1), (128, 1e-5, 2)]:
        x = _randn(3, 4, d, seed=_SEED + seed) * 0.1 + 0.3
        weight, bias = _randn(d, seed=_SEED + 10 + seed), _randn(d, seed=_SEED + 20 + seed)
        expected = torch.nn.functional.layer_norm(x, (d,), weight, bias, eps)
        got = _tensor(answer(x.clone(), weight.clone(), bias.clone(), eps), "the output")
        if tuple(got.shape) != tuple(x.shape):
            raise Wrong(f"shape {list(got.shape)} where the input's {list(x.shape)} was expected")
        if _cases.same(got, expected, 1e-4):
            continue
        mean = x.mean(-1, keepdim=True)
        variants = {
            "the variance divides by d - 1 (torch's var() default); LayerNorm divides by d (unbiased=False)":
                (x - mean) / torch.sqrt(x.var(-1, keepdim=True) + eps) * weight + bias,
            "the mean is not subtracted: that is RMSNorm (T5's), not LayerNorm":
                x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + eps) * weight + bias,
            "eps goes inside the square root, added to the variance":
                (x - mean) / (x.var(-1, keepdim=True, unbiased=False).sqrt() + eps) * weight + bias,
            "weight and bias are missing: scale by weight and shift by bias after normalising":
                (x - mean) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps),
            "the statistics run over the wrong axis: normalise each vector over its last axis":
                (x - x.mean(0, keepdim=True)) / torch.sqrt(x.var(0, keepdim=True, unbiased=False) + eps) * weight + bias,
        }
        for message, variant in variants.items():
            if _cases.same(got, variant, 1e-4):
                raise Wrong(message)
        raise Wrong(f"wrong values for d = {d}")
    return "equal to torch's layer_norm, for a small and a large width"


# ----------------------------------------------------------------------------------------------- T5 buckets
def _library_bucket(distance, bidirectional, num_buckets, max_distance):
    from transformers.models.t5.modeling_t5 import T5Attention

    return T5Attention._relative_position_bucket(distance, bidirectional=bidirectional, num_buckets=num_buckets,
                                                 max_distance=max_distance)


def check_t5_bucket(answer) -> str:
    distance = torch.arange(-400, 401)
    for num_buckets, max_distance in [(32, 128), (16, 40)]:
        for bidirectional in (True, False):
            expected = _library_bucket(distance, bidirectional, num_buckets, max_distance)
            got = _tensor(answer(distance.clone(), bidirectional, num_buckets, max_distance), "the buckets")
            if tuple(got.shape) != tuple(distance.shape):
                raise Wrong(f"shape {list(got.shape)} where the input's {list(distance.shape)} was expected")
            if torch.equal(got.long(), expected):
                continue
            wrong = got.long() != expected
            where = "encoder (bidirectional)" if bidirectional else "decoder (bidirectional=False)"
            if bidirectional and not wrong[distance <= 0].any():
                raise Wrong(f"{where}: keys to the right (j - i > 0) belong in the upper half of the buckets")
            if not bidirectional and not wrong[distance <= 0].any():
                raise Wrong(f"{where}: keys to the right count as distance 0 (bucket 0); the causal mask hides them")
            if not bidirectional and torch.equal(got.long(), _library_bucket(distance, True, num_buckets, max_distance)):
                raise Wrong(f"{where}: the decoder does not split its buckets in two halves; all of them are for the left")
            if not wrong[distance.abs() < max_distance].any():
                raise Wrong(f"{where}: distances at or beyond max_distance all share the last bucket (cap it)")
            small = distance.abs() < (num_buckets // (4 if bidirectional else 2))
            if wrong[small].any():
                raise Wrong(f"{where}: small distances get a bucket each (bucket = distance, within its half)")
            raise Wrong(f"{where}: the logarithmic buckets of the larger distances are off")
    return "every distance from -400 to 400, encoder and decoder, two bucket settings, equal to T5's function"


# ----------------------------------------------------------------------------------------------- RoPE
def _library_rope(x, positions, theta):
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

    heads, head_dim = x.shape[1], x.shape[-1]
    config = LlamaConfig(hidden_size=heads * head_dim, num_attention_heads=heads, head_dim=head_dim,
                         rope_parameters={"rope_type": "default", "rope_theta": theta})
    cos, sin = LlamaRotaryEmbedding(config)(x, positions[None])
    return apply_rotary_pos_emb(x, x, cos, sin)[0]


def _interleaved_rope(x, positions, theta, sign=1.0):
    half = x.shape[-1] // 2
    speeds = theta ** (-torch.arange(half, dtype=torch.float32) * 2 / x.shape[-1])
    angles = positions[:, None].float() * speeds
    cos, sin = angles.cos(), sign * angles.sin()
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1).flatten(-2)


def _half_rope(x, positions, theta, sign=1.0):
    half = x.shape[-1] // 2
    speeds = theta ** (-torch.arange(half, dtype=torch.float32) * 2 / x.shape[-1])
    angles = positions[:, None].float() * speeds
    cos, sin = angles.cos(), sign * angles.sin()
    first, second = x[..., :half], x[..., half:]
    return torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)


def check_rope(answer) -> str:
    for head_dim, theta, start in [(16, 10000.0, 0), (8, 500.0, 37)]:
        x = _randn(2, 3, 7, head_dim, seed=_SEED + head_dim)
        positions = torch.arange(start, start + 7)
        expected = _library_rope(x, positions, theta)
        got = _tensor(answer(x.clone(), positions.clone(), theta), "the rotated tensor")
        if tuple(got.shape) != tuple(x.shape):
            raise Wrong(f"shape {list(got.shape)} where the input's {list(x.shape)} was expected")
        if _cases.same(got, expected, 1e-5):
            continue
        if _cases.same(got, x, 1e-5):
            raise Wrong("the vectors are unchanged: rotate each pair of dimensions by position * speed")
        if _cases.same(got, _interleaved_rope(x, positions, theta), 1e-5):
            raise Wrong("you paired neighbouring dimensions (2p, 2p + 1), as the RoPE paper writes it; transformers "
                        "pairs dimension p with p + head_dim / 2")
        if _cases.same(got, _half_rope(x, positions, theta, sign=-1.0), 1e-5):
            raise Wrong("the rotation turns the wrong way: the first half becomes x1 cos - x2 sin, the second x1 sin + x2 cos")
        if _cases.same(got, _half_rope(x, positions - start, theta), 1e-5):
            raise Wrong("the angles use 0, 1, 2 ... instead of the positions you were given")
        raise Wrong(f"wrong values for head_dim {head_dim}")
    return "two head sizes, two thetas, positions from 0 and from later on, equal to Llama's rotary embedding"


# ----------------------------------------------------------------------------------------------- parameters
def _gpt2_configs():
    from transformers import GPT2Config

    return [GPT2Config(n_embd=64, n_layer=2, n_head=2, vocab_size=300, n_positions=50, bos_token_id=0, eos_token_id=0),
            GPT2Config(n_embd=96, n_layer=3, n_head=4, n_inner=200, vocab_size=517, n_positions=77, bos_token_id=0,
                       eos_token_id=0),
            GPT2Config(n_embd=32, n_layer=1, n_head=1, vocab_size=90, n_positions=20, tie_word_embeddings=False,
                       bos_token_id=0, eos_token_id=0)]


def _numel(config) -> int:
    from transformers import GPT2LMHeadModel

    with torch.device("meta"):           # shapes only: no memory, no initialisation
        model = GPT2LMHeadModel(config)
    return sum(p.numel() for p in model.parameters())      # a tied weight is counted once


def _variant_count(c, head: bool, positions: bool = True, biases: bool = True, width: int | None = None) -> int:
    """A count by formula with one part changed, to name a typical mistake (the oracle is _numel)."""
    d, m = c.n_embd, width or c.n_inner or 4 * c.n_embd
    b = 1 if biases else 0
    layer = d * 3 * d + b * 3 * d + d * d + b * d + d * m + b * m + m * d + b * d + 2 * (d + b * d)
    return c.vocab_size * d + (c.n_positions * d if positions else 0) + c.n_layer * layer + d + b * d \
        + (c.vocab_size * d if head else 0)


def check_gpt2_parameter_count(answer) -> str:
    for config in _gpt2_configs():
        expected = _numel(config)
        got = answer(config)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = int(got.item())
        if not isinstance(got, int) or isinstance(got, bool):
            raise Wrong(f"the count should be an int, got {type(got).__name__}")
        if got == expected:
            continue
        untied = not config.tie_word_embeddings
        variants = {
            "the LM head is tied to the token embeddings: the same matrix, counted once": _variant_count(config, True),
            "with tie_word_embeddings=False the LM head is a matrix of its own: count it": _variant_count(config, False),
            "the position embeddings (wpe, n_positions x n_embd) are missing": _variant_count(config, untied, positions=False),
            "the biases are missing (c_attn, c_proj, c_fc and the LayerNorms all have one)":
                _variant_count(config, untied, biases=False),
            "the MLP width is n_inner when the config sets it, 4 x n_embd only when it is None":
                _variant_count(config, untied, width=4 * config.n_embd),
        }
        for message, count in variants.items():
            if got == count and count != expected:
                raise Wrong(message)
        raise Wrong(f"wrong count for a configuration of n = {config.n_layer} layers"
                    f" ({'untied' if untied else 'tied'} LM head)")
    return "three configurations (one with its own n_inner, one untied), equal to GPT2LMHeadModel's numel()"


ex01b = exercises(
    Exercise("attention", check_attention, [
        ("scores = q @ k.transpose(-1, -2) / sqrt(head_dim); keys where attention_mask is 0 get -inf; with causal=True "
        "so do keys after the query."),
        ("Build a boolean (batch, 1, seq, seq) 'may read' mask: attention_mask[:, None, None, :] for the keys, "
        "& torch.ones(seq, seq).tril() when causal; scores.masked_fill(~mask, float('-inf')).softmax(-1) @ v."),
    ], _cases.solution("ex01b", "attention")),
    Exercise("layer_norm", check_layer_norm, [
        "Over the last axis: subtract the mean, divide by sqrt(variance + eps), then * weight + bias.",
        "The variance is the mean of the squared deviations: ((x - mean) ** 2).mean(-1, keepdim=True).",
    ], _cases.solution("ex01b", "layer_norm")),
    Exercise("t5_bucket", check_t5_bucket, [
        ("Bidirectional: halve num_buckets, add num_buckets (the halved value) for keys to the right, then use |distance|. "
        "Unidirectional: distance = max(-distance, 0)."),
        ("exact = num_buckets // 2: below it, bucket = distance; above, exact + int(log(distance / exact) / "
        "log(max_distance / exact) * (num_buckets - exact)), capped at num_buckets - 1."),
    ], _cases.solution("ex01b", "t5_bucket")),
    Exercise("rope", check_rope, [
        "Pair p turns by position * theta ** (-2p / head_dim), for p = 0 .. head_dim / 2 - 1.",
        ("With x1 = x[..., :half] and x2 = x[..., half:]: torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1), "
        "cos and sin of the angles shaped (seq, half)."),
    ], _cases.solution("ex01b", "rope")),
    Exercise("gpt2_parameter_count", check_gpt2_parameter_count, [
        ("Embeddings: vocab_size x n_embd and n_positions x n_embd. Per layer: c_attn, c_proj, the MLP's c_fc and "
        "c_proj, two LayerNorms, each with a bias. Then ln_f."),
        "The MLP width is config.n_inner or 4 * n_embd; the LM head adds vocab_size x n_embd only when it is not tied.",
    ], _cases.solution("ex01b", "gpt2_parameter_count")),
)
attention, layer_norm, t5_bucket, rope, gpt2_parameter_count = ex01b
