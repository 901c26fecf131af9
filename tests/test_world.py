"""TinyWorld: determinism, exact probabilities, disjoint splits, and tasks whose answers are right."""

import math

import pytest

from helpers.world import SPLITS, TAGS, Grammar, TinyWorld, split_of, translate

SMALL = Grammar(colours=("red", "blue"), colour_weights=(2, 1), animals=("cat", "dog", "fox"),
                animal_weights=(3, 2, 1), places=("hall", "yard"), verbs=("likes", "fears"),
                friendly_verbs=("likes",), objects=("box", "cup"), p_has=0.3)


@pytest.fixture(scope="module")
def world():
    return TinyWorld(seed=0)


def test_same_seed_same_world_other_seed_other_world():
    assert TinyWorld(seed=3, n_stories=500).texts("train") == TinyWorld(seed=3, n_stories=500).texts("train")
    assert TinyWorld(seed=3, n_stories=500).texts("train") != TinyWorld(seed=4, n_stories=500).texts("train")


def test_probabilities_of_all_stories_of_a_small_grammar_sum_to_one():
    stories = list(SMALL.enumerate_stories())
    assert len({s.text for s in stories}) == len(stories)          # one derivation per string
    assert math.isclose(sum(math.exp(s.logprob) for s in stories), 1.0, rel_tol=1e-12)
    # the parser recovers the same probability from the text alone
    assert math.isclose(sum(math.exp(SMALL.story_logprob(s.text)) for s in stories), 1.0, rel_tol=1e-12)


def test_entropy_formula_equals_the_enumerated_entropy():
    stories = list(SMALL.enumerate_stories())
    enumerated = -sum(math.exp(s.logprob) * s.logprob for s in stories)
    assert math.isclose(SMALL.entropy, enumerated, rel_tol=1e-12)


def test_sample_mean_surprisal_is_close_to_the_entropy(world):
    test = world.stories("test")
    mean = -sum(s.logprob for s in test) / len(test)
    assert abs(mean - world.entropy) < 0.15          # about 1.2 standard errors of 1,200 stories


NON_STORIES = [
    "",
    "the red cat",
    "the red owl is in the hall . the blue dog is in the yard . the red owl likes the blue dog .",
    "the red cat is in the hall . " * 3,
    "a red cat is in the hall . the blue dog is in the yard . the red cat likes the blue dog .",
]


@pytest.mark.parametrize("text", NON_STORIES)
def test_non_stories_are_rejected(world, text):
    with pytest.raises(ValueError, match="not a TinyWorld story"):
        world.grammar.story_logprob(text)


def test_splits_do_not_overlap(world):
    texts = {split: set(world.texts(split)) for split in SPLITS}
    assert not texts["train"] & texts["test"] and not texts["train"] & texts["validation"]
    assert not texts["validation"] & texts["test"]
    pairs = {split: {e for e, _ in world.translation_pairs(split)} for split in SPLITS}
    assert not pairs["train"] & pairs["test"] and not pairs["validation"] & pairs["test"]
    assert not pairs["train"] & pairs["validation"]
    assert all(pairs[split] for split in SPLITS)                    # none of the three is empty
    assert all(split_of(t) == "test" for t in texts["test"])
    assert len(world.stories("test")) > 1000 and len(world.translation_pairs("test")) > 800


def test_mask_items_put_the_evidence_on_one_side_only(world):
    for side in ("left", "right"):
        for item in world.mask_items("test", side)[:300]:
            animal = item.words[item.position + 1]
            mentions = [i for i, w in enumerate(item.words) if w == animal and i != item.position + 1]
            colour_before = [item.words[i - 1] for i in mentions]
            before = [i for i in mentions if i < item.position]
            after = [i for i in mentions if i > item.position]
            assert item.answer in item.candidates and item.answer == item.words[item.position]
            if side == "right":     # the only other coloured mention of this animal comes after the mask
                assert item.words[after[0] - 1] == item.answer and all(
                    item.words[i - 1] not in item.candidates for i in before)
            else:                   # ... comes before the mask, and nothing after repeats the colour
                assert colour_before[0] == item.answer and before
                assert all(item.words[i - 1] not in item.candidates for i in after)
            assert "[MASK]" in item.text() and item.text().count("[MASK]") == 1


def test_translation_reorders_and_is_a_bijection(world):
    pairs = [p for s in SPLITS for p in world.translation_pairs(s)]
    assert len({toy for _, toy in pairs}) == len(pairs)
    assert translate("the red cat is in the hall .") == "halo na miko rasa ."
    assert translate("the red cat likes the blue dog .") == "miko rasa dogu belo lubi ."
    with pytest.raises(ValueError):
        translate("the cat")


def test_qa_spans_tags_labels_and_choices_are_consistent(world):
    for qa in world.qa("test"):
        assert qa["context"][qa["answer_start"]:qa["answer_start"] + len(qa["answer"])] == qa["answer"]
    both, one = world.qa("test", both_animals=True), world.qa("test")
    assert len(both) == 2 * len(one) and [both[2 * i + i % 2] for i in range(len(one))] == one
    for first, second in zip(both[::2], both[1::2]):       # the same story, its two animals, two places
        assert first["context"] == second["context"] and first["question"] != second["question"]
        assert first["answer_start"] != second["answer_start"]
    for words, tags in world.tagged("test")[:100]:
        assert len(words) == len(tags) and set(tags) <= set(TAGS)
    labels = [label for _, label in world.labelled("train")]
    assert 0.4 < labels.count("friendly") / len(labels) < 0.6
    for story, item in zip(world.stories("test"), world.choices("test")):
        assert story.text.startswith(item["context"] + " ")
        consistent = [e for e in item["endings"] if story.text.startswith(item["context"] + " " + e)]
        assert len(consistent) == 1 and item["endings"][item["label"]] == consistent[0]
        assert len(set(item["endings"])) == len(item["endings"])
        for i, ending in enumerate(item["endings"]):   # the grammar accepts the true ending only
            if i == item["label"]:
                world.grammar.story_logprob(item["context"] + " " + ending)
            else:
                with pytest.raises(ValueError):
                    world.grammar.story_logprob(item["context"] + " " + ending)


def test_bad_arguments_say_what_is_accepted(world):
    with pytest.raises(ValueError, match="unknown split"):
        world.stories("dev")
    with pytest.raises(ValueError, match="side must be"):
        world.mask_items("test", side="middle")
    with pytest.raises(TypeError, match="seed must be an int"):
        TinyWorld(seed="0")


def test_accepts_is_parse_without_the_exception(world):
    story = world.texts("test")[0]
    assert world.grammar.accepts(story) and world.grammar.accepts("  " + story + " ")
    assert not world.grammar.accepts(story.replace(" is in ", " is on ", 1)) and not world.grammar.accepts("")


def test_summaries_say_who_did_what_to_whom_and_no_story_sentence_is_one():
    import re

    world = TinyWorld(seed=3, n_stories=600)
    for split in ("train", "test"):
        for (text, summary), story in zip(world.summaries(split), world.stories(split)):
            subject, verb, obj = re.fullmatch(r"the (\w+) (\w+) the (\w+) \.", summary).groups()
            assert (subject, obj) == (story.animals[story.subject - 1], story.animals[2 - story.subject])
            assert verb == story.verb and summary not in text
            with_places = dict(world.summaries(split, places=True))[text]
            assert with_places.split()[:4] == ["the", subject, "in", "the"]
    assert not {t for t, _ in world.summaries("train")} & {t for t, _ in world.summaries("test")}
