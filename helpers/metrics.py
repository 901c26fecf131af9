"""Scores shared by the zoo build, the zoo tests and the notebooks (which also compute them by hand)."""

from __future__ import annotations

import torch

from .batches import padding_ready


def story_input(tokenizer, text: str) -> str:
    """A story as a causal LM sees it: begin-of-text, the story, end-of-text (the stop is predicted too)."""
    return f"{tokenizer.bos_token}{text}{tokenizer.eos_token}"


@torch.no_grad()
def sequence_nll(model, tokenizer, texts: list[str], batch_size: int = 64) -> list[float]:
    """Total negative log-likelihood in nats of each text under a causal LM, end-of-text included."""
    if not texts:
        raise ValueError("no texts to score")
    device = next(model.parameters()).device
    out: list[float] = []
    for i in range(0, len(texts), batch_size):
        chunk = [story_input(tokenizer, t) for t in texts[i:i + batch_size]]
        enc = padding_ready(tokenizer)(chunk, return_tensors="pt", padding=True).to(device)
        logits = model(**enc).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        targets = enc.input_ids[:, 1:]
        token_lp = logprobs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        mask = enc.attention_mask[:, 1:].to(token_lp.dtype)
        out.extend((-(token_lp * mask).sum(dim=1)).tolist())
    return out


@torch.no_grad()
def fill_mask_predictions(model, tokenizer, texts: list[str], batch_size: int = 64) -> list[str]:
    """The top-1 token a masked LM puts at the (single) mask of each text."""
    device = next(model.parameters()).device
    predictions: list[str] = []
    for i in range(0, len(texts), batch_size):
        enc = tokenizer(texts[i:i + batch_size], return_tensors="pt", padding=True).to(device)
        logits = model(**enc).logits
        rows, cols = (enc.input_ids == tokenizer.mask_token_id).nonzero(as_tuple=True)
        if len(rows) != enc.input_ids.shape[0]:
            raise ValueError("each text must contain exactly one mask token")
        predictions.extend(tokenizer.convert_ids_to_tokens(logits[rows, cols].argmax(-1).tolist()))
    return predictions


@torch.no_grad()
def translate_batch(model, tokenizer, sources: list[str], prefix: str = "", num_beams: int = 1,
                    max_new_tokens: int = 24, batch_size: int = 128) -> list[str]:
    """Generate a translation for each source sentence with a seq2seq model."""
    device = next(model.parameters()).device
    outputs: list[str] = []
    for i in range(0, len(sources), batch_size):
        enc = tokenizer([prefix + s for s in sources[i:i + batch_size]], return_tensors="pt",
                        padding=True).to(device)
        generated = model.generate(**enc, num_beams=num_beams, max_new_tokens=max_new_tokens, do_sample=False)
        outputs.extend(t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True))
    return outputs


@torch.no_grad()
def caption_batch(model, tokenizer, image_processor, images: list, max_new_tokens: int = 16,
                  batch_size: int = 128) -> list[str]:
    """Greedy captions of PIL images by a vision encoder-decoder (VisionEncoderDecoderModel and its peers)."""
    device = next(model.parameters()).device
    outputs: list[str] = []
    for i in range(0, len(images), batch_size):
        pixels = image_processor(images[i:i + batch_size], return_tensors="pt").pixel_values.to(device)
        generated = model.generate(pixel_values=pixels, max_new_tokens=max_new_tokens, do_sample=False)
        outputs.extend(t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True))
    return outputs


def exact_match(predictions: list[str], references: list[str]) -> float:
    """The share of predictions equal to their reference, whitespace-normalised."""
    if len(predictions) != len(references) or not references:
        raise ValueError("need as many predictions as references, and at least one")
    return sum(" ".join(p.split()) == " ".join(r.split()) for p, r in zip(predictions, references)) / len(references)
