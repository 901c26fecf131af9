"""Exercises for 04c_image_to_text: a picture's patches, the caption decoder's labels, captions by generate.

The oracles are others' code: torch's convolution (a ViT's patch embedding), the project's helpers.batches and
helpers.metrics, and the zoo captioner's own loss (none of them the solutions).
"""

from __future__ import annotations

import torch

from . import _cases
from .checks import Exercise, Wrong, exercises


def _pictures(n: int = 4):
    from helpers import scenes

    return scenes.pictures("test", n, _cases.HIDDEN_SEED)


def _pixels(n: int = 4) -> torch.Tensor:
    from helpers import zoo

    processor = zoo.load_image_processor("tiny-vit-gpt2")
    return processor([p for p, _ in _pictures(n)], return_tensors="pt").pixel_values


def check_patches(answer) -> str:
    generator = torch.Generator().manual_seed(_cases.HIDDEN_SEED)
    for patch in (8, 4):
        x = _pixels(2) if patch == 8 else torch.randn(3, 3, 16, 16, generator=generator)
        conv = torch.nn.Conv2d(3, 5, kernel_size=patch, stride=patch)       # a patch embedding, as ViT's
        with torch.no_grad():
            expected = conv(x).flatten(2).transpose(1, 2)                    # (pictures, patches, 5)
            got = answer(x, patch)
            if not isinstance(got, torch.Tensor):
                raise Wrong(f"return a tensor, got {type(got).__name__}")
            grid = x.shape[-1] // patch
            if tuple(got.shape) != (x.shape[0], grid * grid, 3 * patch * patch):
                raise Wrong("wrong shape: one row per patch and picture, (pictures, patches, 3 x patch x patch)")
            embedded = got @ conv.weight.flatten(1).T + conv.bias
        if _cases.same(embedded, expected, 1e-5):
            continue
        channels_last = x.unfold(2, patch, patch).unfold(3, patch, patch).permute(0, 2, 3, 4, 5, 1)
        if _cases.same(got, channels_last.reshape(got.shape), 1e-6):
            raise Wrong("each patch's numbers must come channel first, then row, then column (the order of the "
                        "convolution's weight: weight.flatten(1))")
        raise Wrong("these rows, times the convolution's flattened weight, are not its output: take the patches in "
                    "reading order (row by row, left to right) and flatten each as (channel, row, column)")
    return "your patches times a patch embedding's flattened weight give its convolution's output, for 8 and 4 pixels"


def check_caption_labels(answer) -> str:
    from helpers import batches

    tokenizer, model = _cases.model("tiny-vit-gpt2", "image-to-text")
    pictures = _pictures(4)
    captions = [s.caption for _, s in pictures]
    captions[1] = captions[1].replace("the ", "", 1)      # rows of different lengths, so padding shows
    got = answer(tokenizer, captions)
    if not isinstance(got, torch.Tensor) or got.dtype != torch.long:
        raise Wrong("return one LongTensor of labels, (captions, positions)")
    expected = batches.causal_lm(tokenizer, [c + tokenizer.eos_token for c in captions])["labels"]
    if got.shape == expected.shape and torch.equal(got, expected):
        from helpers import zoo

        pixels = zoo.load_image_processor("tiny-vit-gpt2")([p for p, _ in pictures], return_tensors="pt").pixel_values
        with torch.no_grad():
            loss = model(pixel_values=pixels[[0, 2, 3]], labels=got[[0, 2, 3]]).loss.item()
        assert loss < 0.5, "the zoo captioner should know these captions"
        return "the labels the captioner was trained with: each caption, then end-of-text, -100 on the padding"
    plain = batches.causal_lm(tokenizer, captions)["labels"]
    if got.shape == plain.shape and torch.equal(got, plain):
        raise Wrong("end each caption with the end-of-text token: the decoder must learn where a caption stops")
    if got.shape == expected.shape and torch.equal(got.masked_fill(got == tokenizer.pad_token_id, -100), expected):
        raise Wrong("the padding must be -100, not the pad token's id, or the loss trains the model to write padding")
    if got.shape[1] == expected.shape[1] + 1 and (got[:, 0] == tokenizer.bos_token_id).all():
        raise Wrong("do not put a start token first: the model shifts the labels right and puts "
                    "decoder_start_token_id in front itself")
    raise Wrong("not the caption's tokens followed by end-of-text, with -100 on the padding")


def check_caption(answer) -> str:
    from helpers import metrics, zoo

    tokenizer, model = _cases.model("tiny-vit-gpt2", "image-to-text")
    processor = zoo.load_image_processor("tiny-vit-gpt2")
    images = [p for p, _ in _pictures(4)]
    expected = metrics.caption_batch(model, tokenizer, processor, images)
    got = answer(model, tokenizer, processor, images)
    if not isinstance(got, list) or not all(isinstance(t, str) for t in got):
        raise Wrong("return a list of strings, one caption per picture")
    if len(got) != len(images):
        raise Wrong(f"{len(got)} captions for {len(images)} pictures")
    if any(tokenizer.eos_token in t for t in got):
        raise Wrong("decode with skip_special_tokens=True: no <|endoftext|> in a caption")
    if [t.strip() for t in got] != expected:
        raise Wrong("not what greedy generate gives: processor(images, return_tensors='pt').pixel_values, then "
                    "model.generate(pixel_values=..., do_sample=False, max_new_tokens=16)")
    return "the same captions as greedy generate on hidden pictures"


ex04c = exercises(
    Exercise("patches", check_patches, [
        "x.unfold(2, patch, patch).unfold(3, patch, patch) gives (pictures, 3, rows, columns, patch, patch).",
        "permute to (pictures, rows, columns, 3, patch, patch), then reshape to (pictures, rows * columns, -1).",
    ], _cases.solution("ex04c", "patches")),
    Exercise("caption_labels", check_caption_labels, [
        "Tokenize caption + tokenizer.eos_token for every caption, padding=True.",
        "labels = input_ids with -100 where attention_mask is 0 (masked_fill).",
    ], _cases.solution("ex04c", "caption_labels")),
    Exercise("caption", check_caption, [
        "pixel_values = processor(images, return_tensors='pt').pixel_values",
        ("model.generate(pixel_values=pixel_values, do_sample=False, max_new_tokens=16), then "
         "tokenizer.batch_decode(..., skip_special_tokens=True), each stripped."),
    ], _cases.solution("ex04c", "caption")),
)
patches, caption_labels, caption = ex04c
