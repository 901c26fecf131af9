"""TinyWorld: a small probabilistic grammar of stories and every task the notebooks need.

Hubs are unreachable, so the project makes its own data, deterministically from a seed. A story is

    the {colour1} {animal1} is in the {place1} .
    the {colour2} {animal2} is in the {place2} .
    the {colour_a} {animal_a} {verb} the {colour_b} {animal_b} .      (a, b) = (1, 2) or (2, 1)
    [ the {animal_x} has a {object} . ]                                 optional

Every choice has a known probability and every story has exactly one derivation, so the exact
log-probability of a story under the grammar is known (`Grammar.story_logprob`) and so is the
grammar's entropy (`Grammar.entropy`): the floor that no language model can beat on held-out text.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

SPLITS = ("train", "validation", "test")

# The toy language that translations go into: its own words, and a different word order
# (place first, adjectives after nouns, verb last), so copying fails and attention must align.
TOY_LEXICON: dict[str, str] = {
    "red": "rasa", "blue": "belo", "green": "gini", "yellow": "yulo", "white": "wita", "black": "boka",
    "cat": "miko", "dog": "dogu", "bird": "piri", "fox": "fokso", "mouse": "muzi", "horse": "hoso",
    "rabbit": "rabi", "duck": "daka", "kitchen": "kusina", "garden": "gardo", "hall": "halo",
    "attic": "atika", "cellar": "selo", "yard": "yada", "likes": "lubi", "helps": "helpa",
    "fears": "timi", "chases": "chasa",
}
TRANSLATE_PREFIX = "translate english to toy: "

TAGS = ("O", "ATTR", "ENTITY", "PLACE")


@dataclass(frozen=True)
class Grammar:
    """The word lists and choice probabilities of TinyWorld; small variants make test grammars."""

    colours: tuple[str, ...] = ("red", "blue", "green", "yellow", "white", "black")
    colour_weights: tuple[float, ...] = (4, 3, 2, 2, 1, 1)
    animals: tuple[str, ...] = ("cat", "dog", "bird", "fox", "mouse", "horse", "rabbit", "duck")
    animal_weights: tuple[float, ...] = (5, 4, 3, 3, 2, 2, 1, 1)
    places: tuple[str, ...] = ("kitchen", "garden", "hall", "attic", "cellar", "yard")
    verbs: tuple[str, ...] = ("likes", "helps", "fears", "chases")
    friendly_verbs: tuple[str, ...] = ("likes", "helps")
    objects: tuple[str, ...] = ("ball", "box", "cup", "book", "hat", "key")
    p_has: float = 0.5

    def __post_init__(self) -> None:
        if len(self.colours) != len(self.colour_weights) or len(self.animals) != len(self.animal_weights):
            raise ValueError("each word list needs one weight per word")
        if len(self.animals) < 2:
            raise ValueError("a story needs at least two different animals")
        if not 0.0 <= self.p_has <= 1.0:
            raise ValueError(f"p_has must be a probability, got {self.p_has}")

    # -- the probabilities of single choices ------------------------------------------------
    def colour_prob(self, colour: str) -> float:
        """P(colour) for one colour choice."""
        return self.colour_weights[self.colours.index(colour)] / sum(self.colour_weights)

    def animal_prob(self, animal: str, exclude: str | None = None) -> float:
        """P(animal), or P(animal | it differs from `exclude`) for the second character."""
        weights = dict(zip(self.animals, self.animal_weights))
        if exclude is not None:
            if animal == exclude:
                return 0.0
            del weights[exclude]
        return weights[animal] / sum(weights.values())

    # -- sampling ----------------------------------------------------------------------------
    def sample(self, rng: random.Random) -> Story:
        """Draw one story from the grammar."""
        colour1, colour2 = rng.choices(self.colours, self.colour_weights, k=2)
        animal1 = rng.choices(self.animals, self.animal_weights)[0]
        others = [(a, w) for a, w in zip(self.animals, self.animal_weights) if a != animal1]
        animal2 = rng.choices([a for a, _ in others], [w for _, w in others])[0]
        place1, place2 = rng.choice(self.places), rng.choice(self.places)
        subject = rng.choice((1, 2))
        verb = rng.choice(self.verbs)
        has = None
        if rng.random() < self.p_has:
            has = (rng.choice((1, 2)), rng.choice(self.objects))
        return Story(self, (colour1, colour2), (animal1, animal2), (place1, place2), subject, verb, has)

    def enumerate_stories(self) -> Iterator[Story]:
        """Every story the grammar can produce (only sensible for small test grammars)."""
        has_options: list[tuple[int, str] | None] = [None] + [
            (x, o) for x in (1, 2) for o in self.objects
        ]
        for c1, c2, a1, a2, p1, p2, subject, verb, has in itertools.product(
            self.colours, self.colours, self.animals, self.animals, self.places, self.places,
            (1, 2), self.verbs, has_options,
        ):
            if a1 != a2:
                yield Story(self, (c1, c2), (a1, a2), (p1, p2), subject, verb, has)

    # -- exact probabilities ---------------------------------------------------------------
    def story_logprob(self, text: str) -> float:
        """The exact natural-log probability of a story string under the grammar (parses it)."""
        return self.parse(text).logprob

    def parse(self, text: str) -> Story:
        """Recover the unique derivation of a story string; ValueError if it is not a story."""
        words = text.split()
        try:
            # read the choices off their fixed positions, then rebuild the story and compare:
            # a string that is not exactly what the derivation produces is not a story
            c1, a1, p1, c2, a2, p2 = words[1], words[2], words[6], words[9], words[10], words[14]
            subject = 1 if words[18] == a1 else 2
            has = None
            if len(words) > 24:
                has = (1 if words[25] == a1 else 2, words[28])
            story = Story(self, (c1, c2), (a1, a2), (p1, p2), subject, words[19], has)
        except IndexError:
            raise ValueError(f"not a TinyWorld story: {text!r}") from None
        if story.text != " ".join(words) or not math.isfinite(story.logprob):
            raise ValueError(f"not a TinyWorld story: {text!r}")
        return story

    def accepts(self, text: str) -> bool:
        """Whether the text is a story of this grammar (whitespace aside): `parse` without the exception."""
        try:
            self.parse(text)
        except ValueError:
            return False
        return True

    @cached_property
    def entropy(self) -> float:
        """The exact entropy of the story distribution in nats: E[-log p(story)]."""
        h_colour = -sum(self.colour_prob(c) * math.log(self.colour_prob(c)) for c in self.colours)
        h_animals = 0.0
        for a1 in self.animals:
            p1 = self.animal_prob(a1)
            h_animals -= p1 * math.log(p1)
            for a2 in self.animals:
                p2 = self.animal_prob(a2, exclude=a1)
                if p2 > 0:
                    h_animals -= p1 * p2 * math.log(p2)
        h_has = 0.0
        for p in (self.p_has, 1 - self.p_has):
            if p > 0:
                h_has -= p * math.log(p)
        h_has += self.p_has * (math.log(2) + math.log(len(self.objects)))
        return (2 * h_colour + h_animals + 2 * math.log(len(self.places)) + math.log(2)
                + math.log(len(self.verbs)) + h_has)


@dataclass(frozen=True)
class Story:
    """One derivation of the grammar, with its text and the facts the tasks are built from."""

    grammar: Grammar = field(repr=False)
    colours: tuple[str, str]
    animals: tuple[str, str]
    places: tuple[str, str]
    subject: int                      # which character (1 or 2) is the subject of the verb
    verb: str
    has: tuple[int, str] | None       # (character, object) of the optional last sentence

    @property
    def words(self) -> list[str]:
        c, a, p = self.colours, self.animals, self.places
        s, o = self.subject - 1, 2 - self.subject
        words = ["the", c[0], a[0], "is", "in", "the", p[0], ".",
                 "the", c[1], a[1], "is", "in", "the", p[1], ".",
                 "the", c[s], a[s], self.verb, "the", c[o], a[o], "."]
        if self.has is not None:
            words += ["the", a[self.has[0] - 1], "has", "a", self.has[1], "."]
        return words

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def logprob(self) -> float:
        """log P(story) under the grammar: the sum of the log-probabilities of its choices."""
        g = self.grammar
        try:
            p = (g.colour_prob(self.colours[0]) * g.colour_prob(self.colours[1])
                 * g.animal_prob(self.animals[0]) * g.animal_prob(self.animals[1], exclude=self.animals[0])
                 * (1 / len(g.places)) ** 2 * 0.5 * (1 / len(g.verbs)))
            if self.places[0] not in g.places or self.places[1] not in g.places or self.verb not in g.verbs:
                return -math.inf
            if self.has is None:
                p *= 1 - g.p_has
            else:
                if self.has[1] not in g.objects:
                    return -math.inf
                p *= g.p_has * 0.5 / len(g.objects)
        except (ValueError, KeyError):   # a word that is not in the grammar's lists
            return -math.inf
        return math.log(p) if p > 0 else -math.inf

    @property
    def summary(self) -> str:
        """Who did what to whom: 'the cat fears the dog .' (the action without the colours; no sentence of the story)."""
        s, o = self.subject - 1, 2 - self.subject
        return f"the {self.animals[s]} {self.verb} the {self.animals[o]} ."

    @property
    def summary_with_places(self) -> str:
        """Who did what to whom, and where each one is: 'the cat in the attic fears the dog in the cellar .'

        The places are in the introductions, the action in the third sentence: a summarizer must match each
        animal of the action with the sentence that introduced it.
        """
        s, o = self.subject - 1, 2 - self.subject
        return (f"the {self.animals[s]} in the {self.places[s]} {self.verb} "
                f"the {self.animals[o]} in the {self.places[o]} .")

    @property
    def label(self) -> str:
        """The story-level label: is the relation between the two characters friendly or hostile?"""
        return "friendly" if self.verb in self.grammar.friendly_verbs else "hostile"

    @property
    def tags(self) -> list[str]:
        """One tag per word: ATTR (colour), ENTITY (animal or object), PLACE, or O."""
        g = self.grammar
        out = []
        for word in self.words:
            if word in g.colours:
                out.append("ATTR")
            elif word in g.animals or word in g.objects:
                out.append("ENTITY")
            elif word in g.places:
                out.append("PLACE")
            else:
                out.append("O")
        return out


def split_of(text: str) -> str:
    """The split a text belongs to, from a hash of the text: the same text never lands in two splits."""
    bucket = int(hashlib.sha1(text.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 0 else "validation" if bucket == 1 else "train"


def translate(sentence: str) -> str:
    """The toy-language translation of a TinyWorld sentence (the reference for the translation task)."""
    w = sentence.split()
    if len(w) == 8 and w[3:6] == ["is", "in", "the"]:          # the C A is in the P .
        return f"{TOY_LEXICON[w[6]]} na {TOY_LEXICON[w[2]]} {TOY_LEXICON[w[1]]} ."
    if len(w) == 8 and w[0] == w[4] == "the":                   # the C1 A1 V the C2 A2 .
        return " ".join([TOY_LEXICON[w[2]], TOY_LEXICON[w[1]], TOY_LEXICON[w[6]], TOY_LEXICON[w[5]],
                         TOY_LEXICON[w[3]], "."])
    raise ValueError(f"not a translatable TinyWorld sentence: {sentence!r}")


@dataclass(frozen=True)
class MaskItem:
    """A story with one word hidden; `side` says where the evidence for the answer is."""

    words: tuple[str, ...]
    position: int
    answer: str
    candidates: tuple[str, ...]
    side: str                                   # "left" or "right"

    def text(self, mask_token: str = "[MASK]") -> str:
        return " ".join(mask_token if i == self.position else w for i, w in enumerate(self.words))

    @property
    def left_text(self) -> str:
        """The words before the mask: all a left-to-right model may condition on."""
        return " ".join(self.words[: self.position])


class TinyWorld:
    """Deterministic TinyWorld data: stories and every derived task, each split train/validation/test."""

    def __init__(self, seed: int = 0, n_stories: int = 12000, grammar: Grammar | None = None) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        if not isinstance(n_stories, int) or n_stories < 1:
            raise ValueError(f"n_stories must be a positive int, got {n_stories!r}")
        self.seed = seed
        self.n_stories = n_stories
        self.grammar = grammar or Grammar()

    def __repr__(self) -> str:
        return f"TinyWorld(seed={self.seed}, n_stories={self.n_stories})"

    @staticmethod
    def _check_split(split: str) -> None:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; use one of {SPLITS}")

    @cached_property
    def _stories(self) -> dict[str, list[Story]]:
        rng = random.Random(self.seed)
        by_split: dict[str, list[Story]] = {s: [] for s in SPLITS}
        for _ in range(self.n_stories):
            story = self.grammar.sample(rng)
            by_split[split_of(story.text)].append(story)
        return by_split

    @property
    def entropy(self) -> float:
        """The grammar's exact entropy per story, in nats."""
        return self.grammar.entropy

    def stories(self, split: str = "train") -> list[Story]:
        """Stories of one split (i.i.d. draws from the grammar whose text hashes into that split)."""
        self._check_split(split)
        return self._stories[split]

    def texts(self, split: str = "train") -> list[str]:
        """The story texts of one split."""
        return [s.text for s in self.stories(split)]

    def mask_items(self, split: str = "test", side: str = "right") -> list[MaskItem]:
        """Colour words to fill in, recoverable only from the left or only from the right context.

        right: the colour at a character's first mention is hidden; only the relation sentence
               after it repeats that colour, so nothing before the mask tells it.
        left:  the object's colour in the relation sentence is hidden; the words before it (the
               introductions, and the subject, which makes the object the other character) tell it.
        """
        self._check_split(split)
        if side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        items = []
        for i, story in enumerate(self.stories(split)):
            which = i % 2                                   # alternate the two characters
            position = (1 if which == 0 else 9) if side == "right" else 21
            words = tuple(story.words)
            items.append(MaskItem(words, position, words[position], self.grammar.colours, side))
        return items

    @cached_property
    def _translation_pairs(self) -> dict[str, list[tuple[str, str]]]:
        g = self.grammar
        sentences = [f"the {c} {a} is in the {p} ." for c in g.colours for a in g.animals for p in g.places]
        sentences += [f"the {c1} {a1} {v} the {c2} {a2} ." for c1 in g.colours for a1 in g.animals
                      for v in g.verbs for c2 in g.colours for a2 in g.animals if a1 != a2]
        random.Random(self.seed).shuffle(sentences)
        pairs: dict[str, list[tuple[str, str]]] = {s: [] for s in SPLITS}
        for sentence in sentences:
            pairs[split_of(sentence)].append((sentence, translate(sentence)))
        return pairs

    def translation_pairs(self, split: str = "train") -> list[tuple[str, str]]:
        """(english, toy) sentence pairs; every distinct sentence sits in exactly one split."""
        self._check_split(split)
        return self._translation_pairs[split]

    def qa(self, split: str = "train", both_animals: bool = False) -> list[dict]:
        """Extractive QA: 'where is the ANIMAL ?' with the answer span (a place) in the story. One question per
        story, about its first and second animal in turn; with `both_animals`, both questions of each story."""
        self._check_split(split)
        items = []
        for i, story in enumerate(self.stories(split)):
            for which in (0, 1) if both_animals else (i % 2,):
                animal, place = story.animals[which], story.places[which]
                words = story.words
                word_index = 6 if which == 0 else 14
                start = len(" ".join(words[:word_index])) + 1
                assert story.text[start:start + len(place)] == place
                items.append({"question": f"where is the {animal} ?", "context": story.text,
                              "answer": place, "answer_start": start})
        return items

    def tagged(self, split: str = "train") -> list[tuple[list[str], list[str]]]:
        """(words, tags) pairs for token classification; tags are from `TAGS`."""
        self._check_split(split)
        return [(s.words, s.tags) for s in self.stories(split)]

    def summaries(self, split: str = "train", places: bool = False) -> list[tuple[str, str]]:
        """(story text, one-line summary) pairs: who did what to whom, and with `places` where each one is.

        The splits share no story (a story's split is a hash of its text).
        """
        self._check_split(split)
        return [(s.text, s.summary_with_places if places else s.summary) for s in self.stories(split)]

    def labelled(self, split: str = "train") -> list[tuple[str, str]]:
        """(story text, label) pairs; the label is 'friendly' or 'hostile'."""
        self._check_split(split)
        return [(s.text, s.label) for s in self.stories(split)]

    def choices(self, split: str = "train", n_choices: int = 4) -> list[dict]:
        """Multiple choice: the two introductions, and relation sentences as endings; exactly one
        gives both animals the colours the introductions gave them (the story's own third sentence)."""
        self._check_split(split)
        colours = self.grammar.colours
        if not 2 <= n_choices <= len(colours) ** 2:
            raise ValueError(f"n_choices must be between 2 and {len(colours) ** 2}, got {n_choices}")
        rng = random.Random(self.seed + 1)
        items = []
        for story in self.stories(split):
            words = story.words
            context, true_ending = " ".join(words[:16]), " ".join(words[16:24])
            s, o = story.subject - 1, 2 - story.subject
            true_colours = (story.colours[s], story.colours[o])
            wrong = rng.sample([(x, y) for x in colours for y in colours if (x, y) != true_colours], n_choices - 1)
            label = rng.randrange(n_choices)
            pairs = wrong[:label] + [true_colours] + wrong[label:]
            endings = [f"the {x} {story.animals[s]} {story.verb} the {y} {story.animals[o]} ." for x, y in pairs]
            assert endings[label] == true_ending
            items.append({"context": context, "endings": endings, "label": label})
        return items
