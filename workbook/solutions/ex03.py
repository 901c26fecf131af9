"""Solutions for workbook/ex03.py, and typical wrong answers."""

import torch


def mask_tokens(input_ids, special_tokens_mask, mask_id, vocab_size, generator):
    labels = input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < 0.15) & ~special_tokens_mask
    labels[~chosen] = -100
    inputs = input_ids.clone()
    draw = torch.rand(input_ids.shape, generator=generator)
    inputs[chosen & (draw < 0.8)] = mask_id
    random = chosen & (draw >= 0.8) & (draw < 0.9)
    inputs[random] = torch.randint(vocab_size, input_ids.shape, generator=generator)[random]
    return inputs, labels


def fill_mask(model, tokenizer, text):
    ids = tokenizer(text, return_tensors="pt")
    position = ids.input_ids[0].tolist().index(tokenizer.mask_token_id)
    with torch.no_grad():
        logits = model(**ids).logits[0, position]
    return tokenizer.convert_ids_to_tokens(logits.argmax().item())


def pseudo_log_likelihood(model, tokenizer, text):
    ids = tokenizer(text, return_tensors="pt").input_ids
    total = 0.0
    for position in range(1, ids.shape[1] - 1):            # not [CLS], not [SEP]
        masked = ids.clone()
        masked[0, position] = tokenizer.mask_token_id
        with torch.no_grad():
            logprobs = model(masked).logits[0, position].log_softmax(-1)
        total += logprobs[ids[0, position]].item()
    return total


def pair_inputs(tokenizer, first, second):
    return tokenizer(first, second)


def gpt2_pick(model, tokenizer, left, candidates):
    ids = tokenizer(tokenizer.bos_token + left, return_tensors="pt")
    with torch.no_grad():
        probs = model(**ids).logits[0, -1].softmax(-1)
    return max(candidates, key=lambda c: probs[tokenizer(" " + c).input_ids[0]].item())


def _mask_everything_chosen(input_ids, special_tokens_mask, mask_id, vocab_size, generator):
    labels = input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < 0.15) & ~special_tokens_mask
    labels[~chosen] = -100
    return input_ids.masked_fill(chosen, mask_id), labels


def _labels_everywhere(input_ids, special_tokens_mask, mask_id, vocab_size, generator):
    inputs, _ = mask_tokens(input_ids, special_tokens_mask, mask_id, vocab_size, generator)
    return inputs, input_ids.clone()


def _specials_chosen(input_ids, special_tokens_mask, mask_id, vocab_size, generator):
    return mask_tokens(input_ids, torch.zeros_like(special_tokens_mask), mask_id, vocab_size, generator)


def _fill_mask_argmax_over_positions(model, tokenizer, text):
    ids = tokenizer(text, return_tensors="pt")
    position = ids.input_ids[0].tolist().index(tokenizer.mask_token_id)
    with torch.no_grad():
        logits = model(**ids).logits[0]
    return tokenizer.convert_ids_to_tokens(logits.argmax(dim=0)[position].item())


def _pll_unmasked(model, tokenizer, text):
    ids = tokenizer(text, return_tensors="pt").input_ids
    with torch.no_grad():
        logprobs = model(ids).logits[0].log_softmax(-1)
    return logprobs[1:-1].gather(-1, ids[0, 1:-1, None]).sum().item()


def _pll_with_specials(model, tokenizer, text):
    ids = tokenizer(text, return_tensors="pt").input_ids
    total = 0.0
    for position in range(ids.shape[1]):
        masked = ids.clone()
        masked[0, position] = tokenizer.mask_token_id
        with torch.no_grad():
            total += model(masked).logits[0, position].log_softmax(-1)[ids[0, position]].item()
    return total


def _pick_without_space(model, tokenizer, left, candidates):
    ids = tokenizer(tokenizer.bos_token + left, return_tensors="pt")
    with torch.no_grad():
        probs = model(**ids).logits[0, -1].softmax(-1)
    return max(candidates, key=lambda c: probs[tokenizer(c).input_ids[0]].item())


def _pick_least_likely(model, tokenizer, left, candidates):
    ids = tokenizer(tokenizer.bos_token + left, return_tensors="pt")
    with torch.no_grad():
        probs = model(**ids).logits[0, -1].softmax(-1)
    return min(candidates, key=lambda c: probs[tokenizer(" " + c).input_ids[0]].item())


WRONG = {
    "mask_tokens": [
        (_mask_everything_chosen, "every chosen token became [MASK]"),
        (_labels_everywhere, "labels must be -100"),
        (_specials_chosen, "special tokens"),
    ],
    "fill_mask": [
        (_fill_mask_argmax_over_positions, "not the model's top guess"),
        (lambda model, tokenizer, text: 7, "as a string"),
    ],
    "pseudo_log_likelihood": [
        (_pll_unmasked, "while the model could see it"),
        (_pll_with_specials, "[CLS] and [SEP] are not part of the text"),
    ],
    "pair_inputs": [
        (lambda tokenizer, a, b: {"input_ids": tokenizer(a, b)["input_ids"],
                                  "token_type_ids": [0] * len(tokenizer(a, b)["input_ids"])}, "token_type_ids must be"),
        (lambda tokenizer, a, b: {"input_ids": tokenizer(a, b)["input_ids"][:-1],
                                  "token_type_ids": tokenizer(a, b)["token_type_ids"][:-1]}, "ends with [SEP] too"),
    ],
    "gpt2_pick": [
        (_pick_without_space, "with its leading space"),
        (_pick_least_likely, "not the candidate GPT-2 finds most likely"),
    ],
}
