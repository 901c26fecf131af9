"""helpers.viz: each figure is drawn, titled and labelled (the Agg backend, no screen)."""

import matplotlib

matplotlib.use("Agg")

import torch

from helpers import viz


def test_loss_curve_has_both_lines_and_labels():
    ax = viz.loss_curve([3.0 - 0.01 * i for i in range(50)], title="demo", smooth=10)
    assert len(ax.lines) == 2 and ax.get_title() == "demo" and ax.get_xlabel() == "step"


def test_token_bars_put_the_first_token_on_top():
    ax = viz.token_bars(["a", "b", "c"], [0.5, 0.3, 0.2])
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "'a'" and len(ax.patches) == 3


def test_matrix_labels_rows_and_columns():
    ax = viz.matrix(torch.tril(torch.ones(3, 3)), ["x", "y", "z"], ["x", "y", "z"], title="causal mask")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"] and ax.get_title() == "causal mask"


def test_table_renders_dict_rows_as_markdown_with_an_optional_caption():
    shown = viz.table([{"model": "GPT-2", "score": "90.0%"}, {"model": "BERT", "score": "50.0%"}], caption="two rows")
    assert shown.data == "two rows\n\n| model | score |\n|---|---|\n| GPT-2 | 90.0% |\n| BERT | 50.0% |"


def test_table_refuses_no_rows_and_rows_whose_columns_differ():
    import pytest

    with pytest.raises(ValueError, match="at least one row"):
        viz.table([])
    with pytest.raises(ValueError, match="the same columns"):
        viz.table([{"a": 1, "b": 2}, {"b": 2, "a": 1}])
