"""Solutions for workbook/ex04.py, and typical wrong answers."""

import re

import torch


def shift_right(labels, start_id, pad_id):
    shifted = torch.full_like(labels, pad_id)
    shifted[:, 0] = start_id
    shifted[:, 1:] = labels[:, :-1]
    return shifted.masked_fill(shifted == -100, pad_id)


def seq2seq_loss(logits, labels):
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten())


def span_corrupt(words, spans):
    source, target, last = [], [], 0
    for k, (start, end) in enumerate(spans):
        source += words[last:start] + [f"<extra_id_{k}>"]
        target += [f"<extra_id_{k}>"] + words[start:end]
        last = end
    source += words[last:]
    target.append(f"<extra_id_{len(spans)}>")
    return " ".join(source), " ".join(target)


def uncorrupt(source, target):
    pieces = re.split(r"(<extra_id_\d+>)", target)
    spans = {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
    return " ".join(" ".join(spans.get(word, word) for word in source.split()).split())


def greedy_decode(model, tokenizer, source, max_new_tokens):
    inputs = tokenizer(source, return_tensors="pt")
    with torch.no_grad():
        encoder_outputs = model.get_encoder()(**inputs)
        ids = torch.tensor([[model.config.decoder_start_token_id]])
        for _ in range(max_new_tokens):
            logits = model(encoder_outputs=encoder_outputs, attention_mask=inputs.attention_mask,
                           decoder_input_ids=ids).logits
            ids = torch.cat([ids, logits[0, -1].argmax().view(1, 1)], dim=1)
            if ids[0, -1].item() == model.config.eos_token_id:
                break
    return ids[0].tolist()


def _span_corrupt_no_final_sentinel(words, spans):
    source, target = span_corrupt(words, spans)
    return source, target.rsplit(" ", 1)[0]


def _span_corrupt_one_sentinel(words, spans):
    source, target = span_corrupt(words, spans)
    return re.sub(r"<extra_id_\d+>", "<extra_id_0>", source), re.sub(r"<extra_id_\d+>", "<extra_id_0>", target)


def _greedy_without_start(model, tokenizer, source, max_new_tokens):
    return greedy_decode(model, tokenizer, source, max_new_tokens)[1:]


def _greedy_past_eos(model, tokenizer, source, max_new_tokens):
    inputs = tokenizer(source, return_tensors="pt")
    with torch.no_grad():
        ids = torch.tensor([[model.config.decoder_start_token_id]])
        for _ in range(max_new_tokens):
            logits = model(**inputs, decoder_input_ids=ids).logits
            ids = torch.cat([ids, logits[0, -1].argmax().view(1, 1)], dim=1)
    return ids[0].tolist()


WRONG = {
    "shift_right": [
        (lambda labels, start, pad: torch.cat([torch.full_like(labels[:, :1], start), labels[:, :-1]], dim=1),
         "-100 is not a token id"),
        (lambda labels, start, pad: torch.cat([labels[:, 1:], torch.full_like(labels[:, :1], pad)], dim=1)
         .masked_fill(torch.cat([labels[:, 1:], torch.full_like(labels[:, :1], pad)], dim=1) == -100, pad),
         "you shifted left"),
    ],
    "seq2seq_loss": [
        (lambda logits, labels: torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten()),
         "no shift here"),
        (lambda logits, labels: torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="sum"),
         "your loss differs"),
    ],
    "span_corrupt": [
        (_span_corrupt_no_final_sentinel, "one more sentinel"),
        (_span_corrupt_one_sentinel, "its own sentinel"),
    ],
    "uncorrupt": [
        (lambda source, target: " ".join(w for w in source.split() if not w.startswith("<extra_id")), "words are missing"),
        (lambda source, target: source, "not restored"),
    ],
    "greedy_decode": [
        (_greedy_without_start, "include it"),
        (_greedy_past_eos, "stop once the model writes end-of-sequence"),
    ],
}
