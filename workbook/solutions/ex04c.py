"""Solutions for workbook/ex04c.py, and typical wrong answers."""

import torch


def patches(pixel_values, patch):
    x = pixel_values.unfold(2, patch, patch).unfold(3, patch, patch)       # (pictures, 3, rows, columns, p, p)
    return x.permute(0, 2, 3, 1, 4, 5).reshape(x.shape[0], x.shape[2] * x.shape[3], -1)


def caption_labels(tokenizer, captions):
    enc = tokenizer([c + tokenizer.eos_token for c in captions], return_tensors="pt", padding=True)
    return enc.input_ids.masked_fill(enc.attention_mask == 0, -100)


def caption(model, tokenizer, processor, images):
    pixel_values = processor(images, return_tensors="pt").pixel_values
    with torch.no_grad():
        generated = model.generate(pixel_values=pixel_values, do_sample=False, max_new_tokens=16)
    return [t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True)]


def _patches_channels_last(pixel_values, patch):
    x = pixel_values.unfold(2, patch, patch).unfold(3, patch, patch)
    return x.permute(0, 2, 3, 4, 5, 1).reshape(x.shape[0], x.shape[2] * x.shape[3], -1)


def _labels_without_eos(tokenizer, captions):
    enc = tokenizer(list(captions), return_tensors="pt", padding=True)
    return enc.input_ids.masked_fill(enc.attention_mask == 0, -100)


def _labels_with_pad_ids(tokenizer, captions):
    return tokenizer([c + tokenizer.eos_token for c in captions], return_tensors="pt", padding=True).input_ids


def _caption_with_specials(model, tokenizer, processor, images):
    pixel_values = processor(images, return_tensors="pt").pixel_values
    with torch.no_grad():
        generated = model.generate(pixel_values=pixel_values, do_sample=False, max_new_tokens=16)
    return tokenizer.batch_decode(generated)


WRONG = {
    "patches": [
        (_patches_channels_last, "channel first"),
        (lambda pixel_values, patch: pixel_values.flatten(2), "shape"),
    ],
    "caption_labels": [
        (_labels_without_eos, "end-of-text token"),
        (_labels_with_pad_ids, "must be -100"),
    ],
    "caption": [
        (_caption_with_specials, "skip_special_tokens=True"),
        (lambda model, tokenizer, processor, images: ["the red cat is in the kitchen ."] * len(images),
         "not what greedy generate gives"),
    ],
}
