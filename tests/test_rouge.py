"""04b's hand-written ROUGE equals the rouge-score package's, on TinyWorld summaries and on random word lists.

The notebook's cell is executed here as the learner reads it (found by its first line), so the test checks the
code the lesson teaches, against an implementation written by others.
"""

import itertools
import json
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04b_summarization.ipynb"


@pytest.fixture(scope="module")
def by_hand():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if "".join(c["source"]).startswith("# ROUGE by hand"))
    namespace = {"metrics": None}
    exec("import re\nfrom collections import Counter\n" + source, namespace)  # noqa: S102 - the notebook's own cell, as it is taught
    return namespace


def pairs():
    from helpers.world import TinyWorld

    world = TinyWorld(seed=5, n_stories=400)
    summaries = [s for _, s in world.summaries("train")]
    stories = world.texts("train")
    rng = random.Random(7)
    words = ["the", "cat", "dog", "in", "attic", "fears", "a", "b", "."]
    out = list(itertools.pairwise(summaries)) + list(zip(stories, summaries))
    out += [(" ".join(rng.choices(words, k=rng.randint(0, 12))), " ".join(rng.choices(words, k=rng.randint(1, 12))))
            for _ in range(2000)]
    return out


def test_rouge_1_2_and_l_equal_the_rouge_score_package(by_hand):
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    checked = 0
    for prediction, reference in pairs():
        theirs = scorer.score(reference, prediction)            # rouge-score takes the reference first
        assert by_hand["rouge_n"](prediction, reference, 1) == pytest.approx(theirs["rouge1"].fmeasure, abs=1e-12)
        assert by_hand["rouge_n"](prediction, reference, 2) == pytest.approx(theirs["rouge2"].fmeasure, abs=1e-12)
        assert by_hand["rouge_l"](prediction, reference) == pytest.approx(theirs["rougeL"].fmeasure, abs=1e-12)
        checked += 1
    assert checked > 2500
