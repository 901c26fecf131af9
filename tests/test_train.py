"""helpers.train: the loop learns, reports its history, respects budgets and stays quiet when asked; its
schedule, weight decay, clipping and autocast do what its docstring says (checked against formulas written out
here, not against helpers.train's own code)."""

import contextlib
import math

import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

from helpers.train import train


class Regression(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 1)

    def forward(self, x, y):
        return type("Out", (), {"loss": torch.nn.functional.mse_loss(self.linear(x), y)})()


def batches():
    generator = torch.Generator().manual_seed(0)
    weights = torch.tensor([[1.0], [-2.0], [0.5], [3.0]])
    out = []
    for _ in range(8):
        x = torch.randn(32, 4, generator=generator)
        out.append({"x": x, "y": x @ weights})
    return out


def test_loss_falls_and_history_has_one_entry_per_step(capsys, monkeypatch):
    monkeypatch.setenv("LMF_PROGRESS", "0")
    torch.manual_seed(0)
    model = Regression()
    result = train(model, batches(), steps=300, lr=0.05)
    assert len(result.losses) == result.steps == 300 and result.examples == 300 * 32
    assert result.final_loss < 0.01 * result.losses[0]
    assert not model.training
    assert "training" not in capsys.readouterr().err       # no progress bar when LMF_PROGRESS=0


def test_time_budget_stops_early():
    result = train(Regression(), batches(), steps=10_000, lr=0.01, max_seconds=0.2, progress=False)
    assert 1 <= result.steps < 10_000


def test_bad_budgets_are_rejected():
    with pytest.raises(ValueError, match="steps must be a positive int"):
        train(Regression(), batches(), steps=0)
    with pytest.raises(ValueError, match="no batches"):
        train(Regression(), [], steps=3, progress=False)


def train_small_mlp(dtype):
    """60 steps of a small MLP: the result, the model, and the dtype of the first Linear's output per step."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    seen = []
    model[0].register_forward_hook(lambda module, inputs, output: seen.append(output.dtype))
    x = torch.randn(64, 8)
    batches = [{"x": x, "y": x.sum(-1, keepdim=True)}]
    result = train(model, batches, steps=60, lr=1e-2, dtype=dtype, progress=False,
                   loss_fn=lambda m, b: torch.nn.functional.mse_loss(m(b["x"]).float(), b["y"]))
    return result, model, seen


def test_bfloat16_autocast_trains_and_keeps_float32_weights():
    result, model, seen = train_small_mlp("bfloat16")
    assert seen == [torch.bfloat16] * 60               # the matmuls ran in bfloat16 at every step ...
    assert result.final_loss < result.losses[0] / 4
    assert all(p.dtype == torch.float32 for p in model.parameters())     # ... on float32 weights


def test_float32_training_runs_without_autocast():
    result, _, seen = train_small_mlp(torch.float32)
    assert seen == [torch.float32] * 60
    assert result.final_loss < result.losses[0] / 4


def test_an_unsupported_training_dtype_is_a_clear_error():
    model = torch.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="dtype must be float32, bfloat16 or float16"):
        train(model, [{"x": torch.ones(1, 2)}], steps=1, dtype=torch.int8, loss_fn=lambda m, b: m(b["x"]).sum())


# --------------------------------------------------------------------------- schedule, weight decay, clipping
def expected_lr(lr, step, warmup, steps):
    """The schedule train() promises: linear warm-up to lr over `warmup` steps, then a cosine to zero."""
    if step < warmup:
        return lr * (step + 1) / warmup
    return lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup)))


@contextlib.contextmanager
def watch_optimizer_steps(model):
    """Per optimizer step: the lr, each parameter's gradient as backward left it (raw) and as the optimizer
    receives it (after clipping), and the parameters before and after the step."""
    record = []
    params = list(model.parameters())
    raw = {}

    def keep_raw(p):
        raw[id(p)] = p.grad.detach().clone()

    def before(optimizer, args, kwargs):
        record.append({"lr": optimizer.param_groups[0]["lr"], "raw": [raw.pop(id(p)) for p in params],
                       "applied": [p.grad.detach().clone() for p in params],
                       "before": [p.detach().clone() for p in params]})

    def after(optimizer, args, kwargs):
        record[-1]["after"] = [p.detach().clone() for p in params]

    handles = [p.register_post_accumulate_grad_hook(keep_raw) for p in params]
    handles += [register_optimizer_step_pre_hook(before), register_optimizer_step_post_hook(after)]
    try:
        yield record
    finally:
        for handle in handles:
            handle.remove()


def norm(tensors):
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(t) for t in tensors])).item()


def zero_loss(model, batch):
    return model.linear(batch["x"]).sum() * 0          # all gradients zero tensors (None: AdamW skips them)


def steep_loss(model, batch):
    return 100 * model.linear(batch["x"]).abs().sum()  # gradient norms in the thousands


@pytest.mark.parametrize("steps, warmup_steps, warmup", [(40, 6, 6), (100, None, 5), (10, None, 1)])
def test_the_learning_rate_warms_up_linearly_then_follows_a_cosine_to_zero(steps, warmup_steps, warmup):
    model = Regression()
    with watch_optimizer_steps(model) as record:
        train(model, batches(), steps=steps, lr=0.2, warmup_steps=warmup_steps, progress=False)
    lrs = [r["lr"] for r in record]
    expected = [expected_lr(0.2, t, warmup, steps) for t in range(steps)]
    assert lrs == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert max(lrs) == pytest.approx(0.2) and lrs.index(max(lrs)) == warmup - 1
    assert 0 < lrs[-1] < 0.2 * 0.05        # nearly zero at the last step (a step at lr 0 is never taken) ...
    assert all(a >= b for a, b in zip(lrs[warmup - 1:], lrs[warmup:]))    # ... falling all the way there


@pytest.mark.parametrize("weight_decay", [0.5, None, 0.0])
def test_weight_decay_shrinks_every_weight_by_one_minus_lr_times_decay_per_step(weight_decay):
    torch.manual_seed(0)
    model = Regression()
    options = {} if weight_decay is None else {"weight_decay": weight_decay}
    decay = 0.01 if weight_decay is None else weight_decay               # None: the default
    with watch_optimizer_steps(model) as record:
        train(model, batches(), steps=20, lr=0.1, loss_fn=zero_loss, progress=False, **options)
    assert len(record) == 20
    for t, r in enumerate(record):
        assert all(not g.any() for g in r["applied"])
        factor = 1 - expected_lr(0.1, t, 1, 20) * decay
        for before, after in zip(r["before"], r["after"]):
            torch.testing.assert_close(after, before * factor, rtol=1e-6, atol=0)
    if decay:
        assert norm(record[-1]["after"]) < norm(record[0]["before"]) * (1 - 0.3 * decay)


@pytest.mark.parametrize("max_grad_norm", [0.01, None])
def test_gradients_are_clipped_to_max_grad_norm(max_grad_norm):
    torch.manual_seed(0)
    model = Regression()
    options = {} if max_grad_norm is None else {"max_grad_norm": max_grad_norm}
    limit = 1.0 if max_grad_norm is None else max_grad_norm             # None: the default
    with watch_optimizer_steps(model) as record:
        train(model, batches(), steps=10, lr=1e-3, loss_fn=steep_loss, progress=False, **options)
    assert len(record) == 10
    for r in record:
        raw, applied = norm(r["raw"]), norm(r["applied"])
        assert raw > 100 * limit                              # so clipping has work to do at every step
        assert applied == pytest.approx(limit, rel=1e-4) and applied <= limit * (1 + 1e-6)
        for g_raw, g_applied in zip(r["raw"], r["applied"]):   # scaled down, direction kept
            torch.testing.assert_close(g_applied, g_raw * (limit / raw), rtol=1e-4, atol=1e-9)


def test_gradients_under_max_grad_norm_reach_the_optimizer_unchanged():
    torch.manual_seed(0)
    model = Regression()
    with watch_optimizer_steps(model) as record:
        train(model, batches(), steps=10, lr=1e-3, max_grad_norm=1e9, loss_fn=steep_loss, progress=False)
    assert len(record) == 10 and all(norm(r["raw"]) > 100 for r in record)
    for r in record:
        assert all(torch.equal(g_raw, g_applied) for g_raw, g_applied in zip(r["raw"], r["applied"]))
