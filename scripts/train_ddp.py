"""Train the job's small GPT-2 with accelerate: the same loop on 1 or N processes (07_scaling_out launches it).

    torchrun --standalone --nproc_per_node 2 scripts/train_ddp.py --out runs/ddp     # two CPU processes (gloo)
    accelerate launch --num_processes 4 scripts/train_ddp.py --out runs/ddp          # four GPUs (NCCL)

`Accelerator.prepare` wraps the model in DistributedDataParallel and gives each process its own shard of the
data; `accelerator.backward(loss)` calls `loss.backward()`, during which DDP's hooks average the gradients
across processes. Each process writes rank<N>.json: what it saw (a hash per row), its losses and a checksum
of its final weights, so that a caller can check that the shards were disjoint and the weights identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import torch
from accelerate import Accelerator
from transformers import GPT2Config, GPT2LMHeadModel

from helpers import batches, zoo
from helpers.metrics import story_input
from helpers.world import TinyWorld


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16, help="per process")
    parser.add_argument("--out", type=Path, required=True, help="folder for rank<N>.json")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.batch_size < 1 or args.width < 2 or args.width % 2:
        parser.error("--steps and --batch-size must be >= 1, --width an even number >= 2")
    return args


def weights_sha1(model: torch.nn.Module) -> str:
    """One checksum of every weight: equal in two processes only if the weights are bit-identical."""
    return hashlib.sha1(b"".join(w.detach().float().cpu().numpy().tobytes()
                                 for w in model.state_dict().values())).hexdigest()


def main(argv: list[str] | None = None, exit_when_done: bool = False) -> dict:
    args = parse_args(argv)
    # one GPU per process, or every process on the CPU (gloo): two processes on a one-GPU machine share no GPU
    on_cpu = torch.cuda.device_count() < int(os.environ.get("WORLD_SIZE", "1"))
    accelerator = Accelerator(cpu=on_cpu)            # rank, world size and device from the launcher
    torch.manual_seed(0)                                             # the same initial weights in every process
    tokenizer = batches.padding_ready(zoo.load_tokenizer("tiny-gpt2"))
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=args.width, n_layer=2, n_head=2,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id)
    model = GPT2LMHeadModel(config)
    texts = [story_input(tokenizer, t) for t in TinyWorld(seed=0).texts("train")]
    loader = torch.utils.data.DataLoader(texts, batch_size=args.batch_size, shuffle=True,
                                         collate_fn=lambda rows: batches.causal_lm(tokenizer, rows),
                                         generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)   # DDP, and one shard per process
    model.train()
    seen, losses, start = set(), [], time.perf_counter()
    for _, batch in zip(range(args.steps), loader):
        seen.update(hashlib.sha1(row.cpu().numpy().tobytes()).hexdigest() for row in batch["input_ids"])
        loss = model(**batch).loss
        accelerator.backward(loss)              # loss.backward(); DDP's hooks average the gradients
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    report = {"rank": accelerator.process_index, "processes": accelerator.num_processes,
              "distributed": str(accelerator.distributed_type).split(".")[-1], "device": str(accelerator.device),
              "steps": len(losses), "first_loss": losses[0], "last_loss": losses[-1],
              "seconds": time.perf_counter() - start,
              "weights_sha1": weights_sha1(accelerator.unwrap_model(model)), "rows_seen": sorted(seen)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"rank{accelerator.process_index}.json").write_text(json.dumps(report), encoding="utf-8")
    accelerator.wait_for_everyone()
    accelerator.end_training()      # tear the process group down: exiting with it alive can abort a process
    if exit_when_done:
        # Leave from here, with everything written and the process group closed. Returning frees the DDP model:
        # its Reducer's destructor joins gloo's worker thread while holding the GIL, and that thread can be
        # waiting for the GIL (a hang seen under make test, py-spy: ~ProcessGroupGloo in std::thread::join).
        # C++ static destructors at exit can also abort under load ("terminate called without an active
        # exception", seen once in 07).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return report


if __name__ == "__main__":
    main(exit_when_done=True)
