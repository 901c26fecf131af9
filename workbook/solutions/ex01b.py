"""Solutions for workbook/ex01b.py, and typical wrong answers."""

import math

import torch


def attention(q, k, v, attention_mask, causal):
    n = q.shape[2]
    allowed = attention_mask.bool()[:, None, None, :]                 # (batch, 1, 1, seq): the real keys
    if causal:
        allowed = allowed & torch.ones(n, n, dtype=torch.bool).tril()
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])         # (batch, heads, seq, seq)
    return scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1) @ v


def layer_norm(x, weight, bias, eps):
    mean = x.mean(dim=-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(variance + eps) * weight + bias


def t5_bucket(relative_position, bidirectional, num_buckets, max_distance):
    bucket = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        bucket = bucket + (relative_position > 0).long() * num_buckets
        distance = relative_position.abs()
    else:
        distance = (-relative_position).clamp(min=0)
    exact = num_buckets // 2
    log_ratio = torch.log(distance.float().clamp(min=1) / exact) / math.log(max_distance / exact)
    far = (exact + (log_ratio * (num_buckets - exact)).long()).clamp(max=num_buckets - 1)
    return bucket + torch.where(distance < exact, distance, far)


def rope(x, positions, theta):
    half = x.shape[-1] // 2
    speeds = theta ** (-torch.arange(half, dtype=torch.float32) * 2 / x.shape[-1])
    angles = positions[:, None].float() * speeds                       # (seq, half)
    cos, sin = angles.cos(), angles.sin()
    first, second = x[..., :half], x[..., half:]
    return torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)


def gpt2_parameter_count(config):
    d, m = config.n_embd, config.n_inner or 4 * config.n_embd
    per_layer = (d * 3 * d + 3 * d) + (d * d + d) + (d * m + m) + (m * d + d) + 2 * (2 * d)
    head = 0 if config.tie_word_embeddings else config.vocab_size * d
    return config.vocab_size * d + config.n_positions * d + config.n_layer * per_layer + 2 * d + head


def _attention_unscaled(q, k, v, attention_mask, causal):
    return attention(q * math.sqrt(q.shape[-1]), k, v, attention_mask, causal)


def _attention_queries_masked(q, k, v, attention_mask, causal):
    n = q.shape[2]
    allowed = attention_mask.bool()[:, None, :, None].expand(-1, 1, n, n)
    if causal:
        allowed = allowed & torch.ones(n, n, dtype=torch.bool).tril()
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    return scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1).nan_to_num() @ v


def _attention_never_causal(q, k, v, attention_mask, causal):
    return attention(q, k, v, attention_mask, False)


def _layer_norm_unbiased(x, weight, bias, eps):
    return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps) * weight + bias


def _layer_norm_rms(x, weight, bias, eps):
    return x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + eps) * weight + bias


def _bucket_no_right_half(relative_position, bidirectional, num_buckets, max_distance):
    return t5_bucket(-relative_position.abs(), bidirectional, num_buckets, max_distance) if bidirectional else \
        t5_bucket(relative_position, bidirectional, num_buckets, max_distance)


def _bucket_uncapped(relative_position, bidirectional, num_buckets, max_distance):
    bucket = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        bucket = bucket + (relative_position > 0).long() * num_buckets
        distance = relative_position.abs()
    else:
        distance = (-relative_position).clamp(min=0)
    exact = num_buckets // 2
    log_ratio = torch.log(distance.float().clamp(min=1) / exact) / math.log(max_distance / exact)
    return bucket + torch.where(distance < exact, distance, exact + (log_ratio * (num_buckets - exact)).long())


def _rope_interleaved(x, positions, theta):
    half = x.shape[-1] // 2
    angles = positions[:, None].float() * theta ** (-torch.arange(half, dtype=torch.float32) * 2 / x.shape[-1])
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack([even * angles.cos() - odd * angles.sin(), even * angles.sin() + odd * angles.cos()], -1).flatten(-2)


def _rope_backwards(x, positions, theta):
    return rope(x, -positions, theta)


def _count_tied_twice(config):
    return gpt2_parameter_count(config) + (config.vocab_size * config.n_embd if config.tie_word_embeddings else 0)


def _count_without_positions(config):
    return gpt2_parameter_count(config) - config.n_positions * config.n_embd


WRONG = {
    "attention": [
        (_attention_unscaled, "not divided by sqrt(head_dim)"),
        (_attention_queries_masked, "not the queries (rows)"),
        (_attention_never_causal, "causal mask is missing"),
    ],
    "layer_norm": [
        (_layer_norm_unbiased, "divides by d - 1"),
        (_layer_norm_rms, "RMSNorm"),
        (lambda x, weight, bias, eps: x.tolist(), "should be a torch tensor"),
    ],
    "t5_bucket": [
        (_bucket_no_right_half, "upper half"),
        (_bucket_uncapped, "share the last bucket"),
    ],
    "rope": [
        (_rope_interleaved, "neighbouring dimensions"),
        (_rope_backwards, "wrong way"),
        (lambda x, positions, theta: x, "unchanged"),
    ],
    "gpt2_parameter_count": [
        (_count_tied_twice, "counted once"),
        (_count_without_positions, "position embeddings"),
        (lambda config: float(gpt2_parameter_count(config)), "should be an int"),
    ],
}
