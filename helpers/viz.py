"""What the notebooks show: Markdown tables, and matplotlib figures (loss curves, token probabilities, matrices)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt


def table(rows: Sequence[Mapping[str, object]], caption: str = ""):
    """A Markdown table, shown by Jupyter, of dict rows: the columns are the first row's keys, in order.

    Values are shown with str(): format numbers in the row (f"{x:.1%}") where the reader needs a unit.
    A caption, if any, is a Markdown paragraph above the table.
    """
    from IPython.display import Markdown

    if not rows:
        raise ValueError("a table needs at least one row")
    columns = list(rows[0])
    if any(list(row) != columns for row in rows):
        raise ValueError(f"every row needs the same columns, in the same order: {columns}")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(value).replace("\n", " ") for value in row.values()) + " |" for row in rows]
    return Markdown((caption + "\n\n" if caption else "") + "\n".join(lines))


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
           xlabel: str = "key position", ylabel: str = "query position", ax=None, colorbar: bool = True,
           fontsize: float | None = None):
    """A heatmap of a 2-D array (an attention mask or attention weights) with token labels."""
    ax = ax or plt.subplots(figsize=(0.35 * len(col_labels) + 2, 0.35 * len(row_labels) + 1.5))[1]
    image = ax.imshow(values, cmap="viridis", vmin=0)
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=90, fontsize=fontsize)
    ax.set_yticks(range(len(row_labels)), row_labels, fontsize=fontsize)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046)
    return ax
