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
