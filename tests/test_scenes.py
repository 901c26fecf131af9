"""helpers/scenes.py: TinyWorld pictures with exact captions, reproducible, split by caption."""

import random

import numpy as np
import pytest

from helpers import scenes
from helpers.world import Grammar, TinyWorld


def test_every_scene_is_in_exactly_one_split_and_the_test_split_is_the_translation_test_split():
    g = Grammar()
    by_split = {split: {s.caption for s in scenes.scenes(split)} for split in ("train", "validation", "test")}
    assert sum(map(len, by_split.values())) == len(g.colours) * len(g.animals) * len(g.places)
    assert not (by_split["train"] & by_split["test"] or by_split["train"] & by_split["validation"]
                or by_split["validation"] & by_split["test"])
    # a caption is the first sentence of a story: its split agrees with the translation pairs' split
    english = {e for e, _ in TinyWorld(seed=0, n_stories=3000).translation_pairs("test")}
    assert {e for e in english if " is in the " in e} <= by_split["test"]


def test_a_caption_is_the_scene_in_the_grammar_words():
    scene = scenes.Scene("red", "cat", "kitchen")
    assert scene.caption == "the red cat is in the kitchen ."
    assert TinyWorld(seed=0, n_stories=10).grammar.accepts(scene.caption + " the blue dog is in the hall . "
                                                           "the red cat likes the blue dog .")


def test_pictures_repeat_for_a_seed_and_differ_between_seeds():
    first, again, other = (scenes.pictures("test", 6, seed) for seed in (0, 0, 1))
    assert [np.asarray(p).tobytes() for p, _ in first] == [np.asarray(p).tobytes() for p, _ in again]
    assert [np.asarray(p).tobytes() for p, _ in first] != [np.asarray(p).tobytes() for p, _ in other]


def test_the_glyph_has_the_scene_colour_inside_its_box_and_the_wallpaper_outside():
    rng = random.Random(3)
    for scene in scenes.scenes("train")[:40]:
        image = scenes.draw_scene(scene, rng)
        left, top, right, bottom = image.info["glyph"]
        assert 0 <= left < right <= scenes.IMAGE_SIZE and 0 <= top < bottom <= scenes.IMAGE_SIZE
        assert right - left == scenes.GLYPH_SIDE and left % scenes.GRID == 0 and top % scenes.GRID == 0
        pixels = np.asarray(image, dtype=int)
        colour = np.array(scenes.COLOURS[scene.colour])
        near = np.abs(pixels - colour).max(axis=2) <= scenes.NOISE
        inside = np.zeros_like(near)
        inside[top:bottom, left:right] = True
        assert near[inside].sum() >= 20                         # the glyph's fill is there (a ring is the thinnest)
        assert near[~inside].sum() <= 16          # only the ends of a cross's thick strokes, a pixel or two past the box


def test_a_scene_outside_the_grammar_has_no_picture_and_says_why():
    with pytest.raises(ValueError, match="no picture for .*colours"):
        scenes.draw_scene(scenes.Scene("purple", "cat", "kitchen"), random.Random(0))
    with pytest.raises(ValueError, match="unknown split"):
        scenes.scenes("dev")
