"""TinyWorld scenes as pictures: one coloured animal in a room, drawn with Pillow, with its exact caption.

A scene is the first sentence of a TinyWorld story, `the {colour} {animal} is in the {place} .`, drawn as a
small RGB image: the place is the room's wallpaper (a pattern in greys), the animal is a glyph (a shape
that stands for it), the colour is the glyph's fill. Where the glyph sits is drawn at random, and so is a little pixel noise, so no two pictures are the same even when their captions are.
The caption is the exact reference: a captioner is right only if it names all three facts.

Splits follow the translation pairs of `helpers.world`: a caption's split is a hash of its text, so the
test captions are combinations of colour, animal and place that training never showed together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from .world import SPLITS, Grammar, split_of

IMAGE_SIZE = 32                      # pixels on a side
GLYPH_SIDE = 16                      # the glyph's side in pixels: half the picture
GRID = 4                             # the glyph's corner sits on a 4-pixel grid: 5 x 5 places, half a patch apart
NOISE = 12                           # each channel of each pixel moves by up to this much (of 255)

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40), "blue": (40, 70, 230), "green": (40, 170, 50),
    "yellow": (240, 220, 40), "white": (250, 250, 250), "black": (15, 15, 15),
}
GLYPHS: dict[str, str] = {           # the shape each animal is drawn as
    "cat": "circle", "dog": "square", "bird": "triangle up", "fox": "diamond",
    "mouse": "triangle down", "horse": "plus", "rabbit": "cross", "duck": "ring",
}
WALLPAPERS: dict[str, str] = {       # the pattern each room's wall shows
    "kitchen": "checks", "garden": "horizontal stripes", "hall": "vertical stripes",
    "attic": "diagonal stripes", "cellar": "dots", "yard": "plain",
}
LIGHT, DARK = (165, 160, 150), (105, 100, 95)


@dataclass(frozen=True)
class Scene:
    """One picture's facts; `caption` is the sentence that describes it exactly."""

    colour: str
    animal: str
    place: str

    @property
    def caption(self) -> str:
        return f"the {self.colour} {self.animal} is in the {self.place} ."


def wallpaper(place: str, size: int = IMAGE_SIZE) -> Image.Image:
    """The room's wall: a two-grey pattern, period 8 pixels."""
    pattern = WALLPAPERS[place]
    image = Image.new("RGB", (size, size), LIGHT)
    pixels = image.load()
    for y in range(size):
        for x in range(size):
            dark = {
                "checks": (x // 4 + y // 4) % 2 == 0,
                "horizontal stripes": (y // 4) % 2 == 0,
                "vertical stripes": (x // 4) % 2 == 0,
                "diagonal stripes": ((x + y) // 4) % 2 == 0,
                "dots": x % 6 < 2 and y % 6 < 2,
                "plain": False,
            }[pattern]
            if dark:
                pixels[x, y] = DARK
    return image


def draw_glyph(draw: ImageDraw.ImageDraw, animal: str, box: tuple[int, int, int, int], fill: tuple[int, int, int]) -> None:
    """The animal's shape, filling `box` = (left, top, right, bottom)."""
    x0, y0, x1, y1 = box
    cx, cy, w = (x0 + x1) / 2, (y0 + y1) / 2, max(2, (x1 - x0) // 4)
    shape = GLYPHS[animal]
    if shape == "circle":
        draw.ellipse(box, fill=fill)
    elif shape == "square":
        draw.rectangle(box, fill=fill)
    elif shape == "triangle up":
        draw.polygon([(cx, y0), (x1, y1), (x0, y1)], fill=fill)
    elif shape == "triangle down":
        draw.polygon([(x0, y0), (x1, y0), (cx, y1)], fill=fill)
    elif shape == "diamond":
        draw.polygon([(cx, y0), (x1, cy), (cx, y1), (x0, cy)], fill=fill)
    elif shape == "plus":
        draw.rectangle((cx - w / 2, y0, cx + w / 2, y1), fill=fill)
        draw.rectangle((x0, cy - w / 2, x1, cy + w / 2), fill=fill)
    elif shape == "cross":
        draw.line((x0, y0, x1, y1), fill=fill, width=w)
        draw.line((x0, y1, x1, y0), fill=fill, width=w)
    elif shape == "ring":
        draw.ellipse(box, outline=fill, width=w)
    else:                                                   # pragma: no cover - GLYPHS is closed
        raise ValueError(f"no glyph {shape!r}")


def draw_scene(scene: Scene, rng: random.Random, size: int = IMAGE_SIZE) -> Image.Image:
    """The scene as a `size` x `size` RGB picture; `rng` chooses where the glyph sits and the noise.

    The glyph's box (left, top, right, bottom), in pixels, is kept in the picture's `info["glyph"]`.
    """
    if scene.colour not in COLOURS or scene.animal not in GLYPHS or scene.place not in WALLPAPERS:
        raise ValueError(f"no picture for {scene}: colours {list(COLOURS)}, animals {list(GLYPHS)}, "
                         f"places {list(WALLPAPERS)}")
    image = wallpaper(scene.place, size)
    side = GLYPH_SIDE * size // IMAGE_SIZE
    left, top = (rng.randrange(0, size - side + 1, GRID) for _ in range(2))
    draw_glyph(ImageDraw.Draw(image), scene.animal, (left, top, left + side - 1, top + side - 1), COLOURS[scene.colour])
    pixels = image.load()
    for y in range(size):
        for x in range(size):
            pixels[x, y] = tuple(min(255, max(0, c + rng.randint(-NOISE, NOISE))) for c in pixels[x, y])
    image.info["glyph"] = (left, top, left + side, top + side)
    return image


def scenes(split: str = "train", grammar: Grammar | None = None) -> list[Scene]:
    """Every scene whose caption hashes into `split` (each caption sits in exactly one split)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {SPLITS}")
    g = grammar or Grammar()
    every = [Scene(c, a, p) for c in g.colours for a in g.animals for p in g.places]
    return [s for s in every if split_of(s.caption) == split]


def pictures(split: str, n: int, seed: int, grammar: Grammar | None = None) -> list[tuple[Image.Image, Scene]]:
    """`n` (picture, scene) pairs of one split: the scenes in turn, each drawn afresh by a seeded generator."""
    rng = random.Random(f"pictures-{split}-{seed}")
    pool = scenes(split, grammar)
    order = [pool[i % len(pool)] for i in range(n)]
    rng.shuffle(order)
    return [(draw_scene(s, rng), s) for s in order]
