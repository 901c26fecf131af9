"""helpers.train: the loop learns, reports its history, respects budgets and stays quiet when asked."""

import pytest
import torch

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


def test_bfloat16_autocast_trains_and_keeps_float32_weights():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    x = torch.randn(64, 8)
    batches = [{"x": x, "y": x.sum(-1, keepdim=True)}]
    result = train(model, batches, steps=60, lr=1e-2, dtype="bfloat16", progress=False,
                   loss_fn=lambda m, b: torch.nn.functional.mse_loss(m(b["x"]).float(), b["y"]))
    assert result.final_loss < result.losses[0] / 4
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_an_unsupported_training_dtype_is_a_clear_error():
    model = torch.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="dtype must be float32, bfloat16 or float16"):
        train(model, [{"x": torch.ones(1, 2)}], steps=1, dtype=torch.int8, loss_fn=lambda m, b: m(b["x"]).sum())
