"""Playgrounds: move a knob and see the model answer. Each is a plain function that returns what it shows
(`*_view`, unit-tested without a browser) and a `*_playground` that puts ipywidgets controls on it.

Offline by construction: ipywidgets' own controls and matplotlib figures, nothing from a CDN. In JupyterLab
(`make lab`) the controls are live. Where nobody can move them (papermill, nbval, `make test`, which set
LMF_PROGRESS=0) a playground shows a static snapshot of its first state instead, so that saved outputs
carry no widget state and stay stable.
"""

from __future__ import annotations

import torch
from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper, pipeline

from . import progress_enabled

STRATEGIES = ("greedy", "beam search", "sampling")


# --------------------------------------------------------------------------- the views: plain functions
@torch.no_grad()
def next_token_view(model, tokenizer, prompt: str, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                    n: int = 10) -> list[dict]:
    """The n most likely next tokens after bos + prompt at this temperature, and whether top-k / top-p keep each.

    The logits come from one step of the library's own `generate` (02 and its exercises compute them by hand),
    and the cut from its own warpers: the playground shows what `generate` sees.
    """
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt").to(model.device)
    step = model.generate(**ids, max_new_tokens=1, do_sample=False, output_logits=True, return_dict_in_generate=True,
                          pad_token_id=tokenizer.pad_token_id)
    logits = TemperatureLogitsWarper(temperature)(None, step.logits[0].float())
    kept = logits.clone()
    if top_k:
        kept = TopKLogitsWarper(top_k)(None, kept)
    if top_p < 1.0:
        kept = TopPLogitsWarper(top_p)(None, kept)
    probs = logits.softmax(-1)[0]
    top = probs.topk(n)
    return [{"token": tokenizer.decode([i]), "probability": p, "kept": bool(torch.isfinite(kept[0, i]))}
            for i, p in zip(top.indices.tolist(), top.values.tolist())]


@torch.no_grad()
def generation_view(model, tokenizer, grammar, prompt: str, strategy: str = "greedy", temperature: float = 1.0,
                    top_k: int = 0, top_p: float = 1.0, max_new_tokens: int = 24, seed: int = 0) -> dict:
    """The continuation under one strategy, whether the grammar accepts prompt + continuation, and the next tokens."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
    settings = {"greedy": {"do_sample": False}, "beam search": {"do_sample": False, "num_beams": 4},
                "sampling": {"do_sample": True, "temperature": temperature, "top_k": top_k, "top_p": top_p}}[strategy]
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt").to(model.device)
    torch.manual_seed(seed)
    output = model.generate(**ids, max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id, **settings)
    continuation = tokenizer.decode(output[0, ids.input_ids.shape[1]:], skip_special_tokens=True)
    text = (prompt + continuation).strip()
    return {"continuation": continuation, "text": text, "grammatical": grammar.accepts(text),
            "next_tokens": next_token_view(model, tokenizer, prompt, temperature, top_k, top_p)}


@torch.no_grad()
def fill_mask_view(bert, bert_tokenizer, gpt, gpt_tokenizer, sentence: str, k: int = 5) -> dict:
    """BERT's top k at the mask of `sentence` (the fill-mask pipeline), and GPT-2's top k for the slot from the left only."""
    mask = bert_tokenizer.mask_token
    if sentence.count(mask) != 1:
        raise ValueError(f"the sentence needs exactly one {mask}")
    bert_top = pipeline("fill-mask", model=bert, tokenizer=bert_tokenizer)(sentence, top_k=k)
    left = sentence.split(mask)[0].rstrip()
    gpt_top = next_token_view(gpt, gpt_tokenizer, left, n=k)
    return {"left context": left,
            "bert": [(bert_tokenizer.convert_ids_to_tokens(row["token"]), row["score"]) for row in bert_top],
            "gpt2": [(row["token"].strip(), row["probability"]) for row in gpt_top]}


@torch.no_grad()
def attention_view(model, tokenizer, text: str, layer: int, head: int, kind: str = "self", target: str = "") -> dict:
    """One head's attention weights as a [queries, keys] matrix with token labels.

    kind: "self" for GPT-2 / BERT; "encoder", "decoder" or "cross" for T5 (which also needs `target`).
    The model must be loaded with attn_implementation="eager" (other kernels return no weights).
    """
    ids = tokenizer(text, return_tensors="pt").to(model.device)
    source = tokenizer.convert_ids_to_tokens(ids.input_ids[0])
    if kind == "self":
        attentions, rows, cols = model(**ids, output_attentions=True).attentions, source, source
    elif kind in ("encoder", "decoder", "cross"):
        labels = tokenizer(target, return_tensors="pt").input_ids.to(model.device)
        out = model(**ids, labels=labels, output_attentions=True)
        attentions = {"encoder": out.encoder_attentions, "decoder": out.decoder_attentions,
                      "cross": out.cross_attentions}[kind]
        labels_tokens = tokenizer.convert_ids_to_tokens(labels[0])
        rows, cols = {"encoder": (source, source), "decoder": (labels_tokens, labels_tokens),
                      "cross": (labels_tokens, source)}[kind]
    else:
        raise ValueError("kind must be 'self', 'encoder', 'decoder' or 'cross'")
    if not attentions or attentions[0] is None:
        raise ValueError("this model returned no attention weights: load it with attn_implementation='eager'")
    if not (0 <= layer < len(attentions) and 0 <= head < attentions[0].shape[1]):
        raise ValueError(f"layer must be in 0..{len(attentions) - 1} and head in 0..{attentions[0].shape[1] - 1}")
    return {"weights": attentions[layer][0, head].float().cpu(), "rows": rows, "cols": cols,
            "title": f"{kind} attention, layer {layer}, head {head}"}


@torch.no_grad()
def choice_view(double_heads, make_batch, lm, lm_tokenizer, item: dict) -> dict:
    """GPT2DoubleHeadsModel's choice probabilities next to the LM's log-likelihood of each ending.

    `make_batch([item])` builds the double-heads inputs: 05 writes that function, and the playground uses it.
    """
    batch = make_batch([item])
    choice = double_heads(**{k: batch[k].to(double_heads.device) for k in ("input_ids", "attention_mask",
                                                                          "mc_token_ids")}).mc_logits.softmax(-1)[0]
    prefix = len(lm_tokenizer(lm_tokenizer.bos_token + item["context"]).input_ids)
    likelihoods = []
    for ending in item["endings"]:
        full = lm_tokenizer(lm_tokenizer.bos_token + item["context"] + " " + ending, return_tensors="pt").input_ids
        labels = full.clone()
        labels[:, :prefix] = -100                          # the loss on the ending's tokens only: their mean NLL
        loss = lm(full.to(lm.device), labels=labels.to(lm.device)).loss
        likelihoods.append(-loss.item() * (full.shape[1] - prefix))
    return {"endings": list(item["endings"]), "choice probability": choice.tolist(), "LM log-likelihood": likelihoods}


# --------------------------------------------------------------------------- drawing the views
# Each figure is a matplotlib Figure of its own, shown with IPython's display, never through pyplot: JupyterLab 4.6
# runs widget callbacks on a kernel thread of their own (comms over subshells), and pyplot's one global state drew
# blank or half-drawn figures when a slider moved (jupyterlab/jupyterlab#19719; tests/test_browser.py caught it).
def _figure(width: float, height: float, columns: int = 1):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.subplots(1, columns)


def _show(figure, tight: bool = False) -> None:
    from IPython.display import display

    if tight:
        figure.tight_layout()
    display(figure)


def _bars(ax, labels, values, kept=None, title="", xlabel="probability"):
    colours = ["tab:blue" if k else "lightgrey" for k in (kept or [True] * len(labels))]
    ax.barh(range(len(labels))[::-1], values, color=colours)
    ax.set_yticks(range(len(labels))[::-1], labels)
    ax.set(title=title, xlabel=xlabel)


def show_generation(view: dict, label: str) -> None:
    print(f"{label}: {view['continuation']!r}")
    print(f"the grammar accepts prompt + continuation: {view['grammatical']}")
    rows = view["next_tokens"]
    figure, ax = _figure(6, 3.4)
    _bars(ax, [repr(r["token"]) for r in rows], [r["probability"] for r in rows], [r["kept"] for r in rows],
          title="next token after the prompt (grey: cut by top-k / top-p)")
    _show(figure)


def show_fill_mask(view: dict) -> None:
    print(f"BERT's top guess: {view['bert'][0][0]!r}; GPT-2 from {view['left context']!r} only: {view['gpt2'][0][0]!r}")
    figure, (left, right) = _figure(9, 2.8, columns=2)
    _bars(left, [t for t, _ in view["bert"]], [p for _, p in view["bert"]], title="BERT (both sides)")
    _bars(right, [t for t, _ in view["gpt2"]], [p for _, p in view["gpt2"]], title="GPT-2 (left context only)")
    _show(figure, tight=True)


def show_attention(view: dict) -> None:
    from .viz import matrix

    print(view["title"])
    figure, ax = _figure(0.35 * len(view["cols"]) + 2, 0.35 * len(view["rows"]) + 1.5)
    matrix(view["weights"], view["rows"], view["cols"], title=view["title"], ax=ax)
    _show(figure)


def show_choices(view: dict) -> None:
    best_choice = max(range(len(view["endings"])), key=lambda i: view["choice probability"][i])
    best_lm = max(range(len(view["endings"])), key=lambda i: view["LM log-likelihood"][i])
    print(f"choice head picks {view['endings'][best_choice]!r}; the LM's likelihood picks {view['endings'][best_lm]!r}")
    figure, (left, right) = _figure(10, 2.6, columns=2)
    _bars(left, view["endings"], view["choice probability"], title="GPT2DoubleHeadsModel: choice probability")
    _bars(right, view["endings"], view["LM log-likelihood"], title="GPT2LMHeadModel: log-likelihood",
          xlabel="nats (higher is likelier)")
    _show(figure, tight=True)


# --------------------------------------------------------------------------- the playgrounds
def _playground(controls: dict, render):
    """Live controls in an interactive session; elsewhere the first state, rendered once (no widget state saved)."""
    if not progress_enabled():
        print("(a static snapshot of the playground's first state: run `make lab` to move its controls)")
        render(**{name: control.value for name, control in controls.items()})
        return None
    import ipywidgets as widgets

    for control in controls.values():                 # show each description whole
        control.style.description_width = "initial"

    out = widgets.interactive_output(render, controls)
    return widgets.VBox([widgets.HBox(list(controls.values())[:3]), widgets.HBox(list(controls.values())[3:]), out])


def generation_playground(model, tokenizer, grammar, prompt: str = "the red cat is in the"):
    """Prompt, strategy, temperature, top-k, top-p, max new tokens: the continuation and the next-token odds."""
    import ipywidgets as widgets

    controls = {
        "prompt": widgets.Text(value=prompt, description="prompt", continuous_update=False),
        "strategy": widgets.Dropdown(options=STRATEGIES, value="greedy", description="strategy"),
        "temperature": widgets.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.1, description="temperature"),
        "top_k": widgets.IntSlider(value=0, min=0, max=50, description="top-k (0: off)"),
        "top_p": widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="top-p"),
        "max_new_tokens": widgets.IntSlider(value=24, min=1, max=64, description="new tokens"),
    }

    def render(prompt, strategy, temperature, top_k, top_p, max_new_tokens):
        label = strategy if strategy != "sampling" else \
            f"sampling (temperature {temperature:.1f}, top-k {top_k or 'off'}, top-p {top_p:.2f})"
        show_generation(generation_view(model, tokenizer, grammar, prompt, strategy, temperature, top_k, top_p,
                                        max_new_tokens), label)
    return _playground(controls, render)


def fill_mask_playground(bert, bert_tokenizer, gpt, gpt_tokenizer, sentence: str):
    """A sentence with one mask: BERT's candidates next to GPT-2's from the left context."""
    import ipywidgets as widgets

    controls = {"sentence": widgets.Text(value=sentence, description="sentence", continuous_update=False,
                                         layout=widgets.Layout(width="60%"))}

    def render(sentence):
        try:
            show_fill_mask(fill_mask_view(bert, bert_tokenizer, gpt, gpt_tokenizer, sentence))
        except ValueError as error:
            print(error)
    return _playground(controls, render)


def attention_playground(model, tokenizer, text: str, kinds: tuple[str, ...] = ("self",), target: str = ""):
    """Layer, head (and for T5 which attention): the weights as a heatmap with token labels."""
    import ipywidgets as widgets

    layers, heads = model.config.num_hidden_layers, model.config.num_attention_heads      # T5 maps its own names
    controls = {"layer": widgets.IntSlider(value=0, min=0, max=layers - 1, description="layer"),
                "head": widgets.IntSlider(value=0, min=0, max=heads - 1, description="head"),
                "kind": widgets.Dropdown(options=kinds, value=kinds[0], description="attention")}

    def render(layer, head, kind):
        show_attention(attention_view(model, tokenizer, text, layer, head, kind, target))
    return _playground(controls, render)


def choice_playground(double_heads, make_batch, lm, lm_tokenizer, items: list[dict]):
    """A story and its endings: the choice head's probabilities next to the LM likelihood of each ending."""
    import ipywidgets as widgets

    controls = {"item": widgets.IntSlider(value=0, min=0, max=len(items) - 1, description="story")}

    def render(item):
        print(f"story {item}: {items[item]['context']}")
        show_choices(choice_view(double_heads, make_batch, lm, lm_tokenizer, items[item]))
    return _playground(controls, render)
