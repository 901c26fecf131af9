"""The offline model zoo: resolve a zoo name or a hub id, and load it with the real Auto classes.

Zoo names (`tiny-gpt2`, `tiny-bert`, `tiny-t5`, `tiny-vit-gpt2`) resolve to folders under `zoo/` that were written by
`save_pretrained` (scripts/build_zoo.py). Anything else is taken as a Hugging Face Hub id and goes to
the hub, which needs a network; offline it fails at once with one sentence, not a traceback wall.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import transformers
from transformers import (
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForImageTextToText,
    AutoModelForMaskedLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
)

ZOO_DIR = Path(os.environ.get("LMF_ZOO_DIR", Path(__file__).resolve().parent.parent / "zoo"))
# The quality each zoo model must reach on the TinyWorld test split: the build prints it, tests/test_zoo.py holds it
QUALITY_TARGETS = {"nll_over_entropy_max": 1.10, "fill_mask_accuracy_min": 0.95, "translation_exact_match_min": 0.95,
                   "caption_exact_match_min": 0.95}


@dataclass(frozen=True)
class ZooModel:
    name: str
    family: str
    architecture: str
    tokenizer: str
    hub_peer: str

    @property
    def path(self) -> Path:
        return ZOO_DIR / self.name


ZOO: dict[str, ZooModel] = {
    m.name: m for m in (
        ZooModel("tiny-gpt2", "decoder-only (causal LM)", "GPT2LMHeadModel", "byte-level BPE", "gpt2"),
        ZooModel("tiny-bert", "encoder-only (masked LM)", "BertForMaskedLM", "WordPiece", "bert-base-uncased"),
        ZooModel("tiny-t5", "encoder-decoder (seq2seq)", "T5ForConditionalGeneration", "Unigram (T5)",
                 "google/flan-t5-small"),
        ZooModel("tiny-vit-gpt2", "encoder-decoder (image-to-text)", "VisionEncoderDecoderModel",
                 "byte-level BPE (tiny-gpt2's)", "nlpconnect/vit-gpt2-image-captioning"),
        ZooModel("tiny-llama", "decoder-only (causal LM), Llama-style", "LlamaForCausalLM",
                 "byte-level BPE (tiny-gpt2's) + chat tokens", "HuggingFaceTB/SmolLM2-135M-Instruct"),
    )
}

TASKS: dict[str, type] = {
    "base": AutoModel,
    "causal-lm": AutoModelForCausalLM,
    "masked-lm": AutoModelForMaskedLM,
    "seq2seq-lm": AutoModelForSeq2SeqLM,
    "image-to-text": AutoModelForImageTextToText,     # VisionEncoderDecoderModel (AutoModelForVision2Seq is gone in 5.x)
}

_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")


class ZooError(ValueError):
    """A model name that cannot be loaded here; its message says what exists and what to do."""

    def _render_traceback_(self) -> list[str]:      # IPython shows this one line instead of a traceback
        return [f"ZooError: {self}"]


def _zoo_names() -> str:
    return ", ".join(ZOO)


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hugging Face Hub can be reached now (False at once when HF_HUB_OFFLINE is set)."""
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes", "on"):
        return False
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or ""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def resolve(name_or_hub_id: str) -> str:
    """A zoo name or local folder to its path; a hub id is returned as it is (after a format check)."""
    if not isinstance(name_or_hub_id, str) or not name_or_hub_id.strip():
        raise ZooError(f"a model name must be a non-empty string, got {name_or_hub_id!r}; "
                       f"zoo models: {_zoo_names()}")
    name = name_or_hub_id.strip()
    if name in ZOO:
        path = ZOO[name].path
        if not (path / "config.json").exists():
            raise ZooError(f"the zoo model {name!r} is missing from {path}; rebuild the zoo with `make zoo`")
        return str(path)
    if Path(name).is_dir():
        folder = Path(name).resolve()
        if not (folder / "config.json").exists():
            raise ZooError(f"{str(folder)!r} is a folder but not a saved checkpoint: it has no config.json; "
                           f"give a folder written by save_pretrained, or a zoo model ({_zoo_names()})")
        return str(folder)
    if not _HUB_ID.match(name):
        raise ZooError(f"{name!r} is neither a zoo model ({_zoo_names()}) nor a valid hub id "
                       "such as 'gpt2' or 'google/flan-t5-small'")
    return name


def _model_class(task: str) -> type:
    if task not in TASKS:
        raise ZooError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    return TASKS[task]


def load_tokenizer(name_or_hub_id: str) -> transformers.PreTrainedTokenizerBase:
    """The tokenizer of a zoo model or hub checkpoint, through AutoTokenizer."""
    return load(name_or_hub_id, task=None)[0]


def load(name_or_hub_id: str, task: str | None = "base", **model_kwargs):
    """Load (tokenizer, model) through AutoTokenizer and the AutoModelFor* class of `task`.

    `task` is one of TASKS ('causal-lm', 'masked-lm', 'seq2seq-lm', ...) or None for the tokenizer
    alone. Extra keyword arguments go to `from_pretrained` (e.g. attn_implementation="eager",
    num_labels=2). Weights load from safetensors only; remote code is never trusted.
    """
    model_class = _model_class(task) if task is not None else None
    location = resolve(name_or_hub_id)
    for forbidden in ("trust_remote_code", "use_safetensors"):
        if forbidden in model_kwargs:
            raise ZooError(f"{forbidden} is fixed by helpers.zoo.load (safetensors only, no remote code)")
    is_hub = location == name_or_hub_id.strip() and not Path(location).is_dir()
    common = {"trust_remote_code": False}
    if is_hub:
        try:                      # a checkpoint already in the local cache loads without a network
            return _load(location, model_class, {**common, "local_files_only": True}, model_kwargs)
        except OSError:
            pass
        if not hub_reachable():
            raise ZooError(
                f"{location!r} is not a zoo model and the Hugging Face Hub cannot be reached from here; "
                f"use a zoo model ({_zoo_names()}), or run the hub profile on a machine with a network"
            ) from None
        try:
            return _load(location, model_class, common, model_kwargs)
        except OSError as error:
            raise ZooError(f"could not load {location!r} from the hub ({str(error).splitlines()[0]}); "
                           f"zoo models: {_zoo_names()}") from None
    _check_folder(Path(location), weights=model_class is not None)
    return _load(location, model_class, {**common, "local_files_only": True}, model_kwargs)


def load_image_processor(name_or_hub_id: str):
    """The image processor saved beside a captioner (zoo or hub), through AutoImageProcessor.

    Its Pillow backend, always: the default one needs torchvision (not a dependency) and falls back with a warning.
    """
    from transformers import AutoImageProcessor

    location = resolve(name_or_hub_id)
    try:
        return AutoImageProcessor.from_pretrained(location, local_files_only=True, backend="pil")
    except OSError:
        if Path(location).is_dir():
            raise ZooError(f"{location!r} has no image processor (preprocessor_config.json); save one beside the "
                           "model with image_processor.save_pretrained(folder)") from None
    if not hub_reachable():
        raise ZooError(f"{location!r} is not in the local cache and the Hugging Face Hub cannot be reached from here; "
                       f"use a zoo model ({_zoo_names()})") from None
    return AutoImageProcessor.from_pretrained(location, backend="pil")


def _check_folder(folder: Path, weights: bool) -> None:
    """One sentence, not a traceback, for a local folder that lacks what loading needs."""
    names = {p.name for p in folder.iterdir()}
    if not names & {"tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json", "spiece.model"}:
        raise ZooError(f"{str(folder)!r} has no tokenizer files (tokenizer.json or tokenizer_config.json); "
                       "save the tokenizer into the same folder with tokenizer.save_pretrained(folder)")
    if weights and not any(n.endswith(".safetensors") or n == "model.safetensors.index.json" for n in names):
        found = sorted(n for n in names if n.endswith((".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack")))
        raise ZooError(f"{str(folder)!r} has no safetensors weights{' (only ' + ', '.join(found) + ')' if found else ''}; "
                       "this workbook loads safetensors only (pickle files can run code when loaded): "
                       "convert the checkpoint with save_pretrained(folder) where you trust it, then point here again")


def _load(location: str, model_class: type | None, common: dict, model_kwargs: dict):
    tokenizer = AutoTokenizer.from_pretrained(location, **common)
    if model_class is None:
        return tokenizer, None
    from .runtime import quiet_libraries

    # transformers logs a LOAD REPORT table whenever checkpoint and class differ, its rows in an order that changes
    # run to run. A checkpoint's extra heads (the zoo BERT's and bert-base-uncased's pooler and next-sentence head,
    # loaded as BertForMaskedLM) are harmless and go unsaid; weights the class had to initialise new are named in one
    # sorted line, since they must be trained before they mean anything. Both lists stay on `model.loading_info`.
    with quiet_libraries():
        model, info = model_class.from_pretrained(location, use_safetensors=True, output_loading_info=True,
                                                  **common, **model_kwargs)
    wanted = model_kwargs.get("attn_implementation")
    parts = [getattr(model.config, key, None) for key in getattr(model.config, "sub_configs", {})]
    if isinstance(wanted, str) and any(getattr(part, "_attn_implementation", wanted) != wanted for part in parts):
        model.set_attn_implementation(wanted)   # transformers 5.1 set it on a composite's outer config only (compat)
    model.loading_info = {key: sorted(value) for key, value in info.items() if isinstance(value, (list, set))}
    if model.loading_info.get("missing_keys"):
        print(f"NOTE: {type(model).__name__} initialised new weights that {location} has not: "
              f"{', '.join(model.loading_info['missing_keys'])}; train them before use")
    model.eval()
    return tokenizer, model


def describe() -> list[dict[str, str]]:
    """One row per zoo model: name, family, architecture, tokenizer, parameters, size on disk, hub peer."""
    import json

    rows = []
    for model in ZOO.values():
        weights = model.path / "model.safetensors"
        params = "?"
        if (model.path / "card.json").exists():
            params = f"{json.loads((model.path / 'card.json').read_text(encoding='utf-8'))['parameters'] / 1e6:.2f} M"
        size = f"{weights.stat().st_size / 2**20:.1f} MiB" if weights.exists() else "missing"
        rows.append({"name": model.name, "family": model.family, "class": model.architecture,
                     "tokenizer": model.tokenizer, "parameters": params, "size": size,
                     "hub peer": model.hub_peer})
    return rows
