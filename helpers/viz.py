"""Matplotlib figures the notebooks share: loss curves, token probabilities, attention-like matrices."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt


def loss_curve(losses: Sequence[float], title: str = "training loss", smooth: int = 20, ax=None):
    """The loss at each step, with a running mean over `smooth` steps on top."""
    ax = ax or plt.subplots(figsize=(6, 3.2))[1]
    ax.plot(losses, alpha=0.35, label="per step")
    if len(losses) >= smooth:
        running = [sum(losses[i - smooth:i]) / smooth for i in range(smooth, len(losses) + 1)]
        ax.plot(range(smooth - 1, len(losses)), running, label=f"mean of {smooth}")
    ax.set(title=title, xlabel="step", ylabel="loss (nats per token)")
    ax.legend()
    return ax


def token_bars(tokens: Sequence[str], probs: Sequence[float], title: str = "next-token probabilities", ax=None):
    """A horizontal bar chart of candidate tokens and their probabilities, largest on top."""
    ax = ax or plt.subplots(figsize=(6, 0.35 * len(tokens) + 1))[1]
    ax.barh(range(len(tokens))[::-1], probs)
    ax.set_yticks(range(len(tokens))[::-1], [repr(t) for t in tokens])
    ax.set(title=title, xlabel="probability", xlim=(0, 1))
    return ax


def matrix(values, row_labels: Sequence[str], col_labels: Sequence[str], title: str,
           xlabel: str = "key position", ylabel: str = "query position", ax=None):
    """A heatmap of a 2-D array (an attention mask or attention weights) with token labels."""
    ax = ax or plt.subplots(figsize=(0.35 * len(col_labels) + 2, 0.35 * len(row_labels) + 1.5))[1]
    image = ax.imshow(values, cmap="viridis", vmin=0)
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=90)
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.figure.colorbar(image, ax=ax, fraction=0.046)
    return ax
