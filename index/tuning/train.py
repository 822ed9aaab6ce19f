"""Fine-tune the bundled model on triplets with MultipleNegativesRankingLoss.

A plain PyTorch loop doing what sentence-transformers' trainer would (its trainer needs
`datasets` and `accelerate`, which newsdesk does not otherwise need): the library's loss (the
hard negative plus every other answer in the batch), AdamW, linear warm-up then decay, gradient
clipping, and batches in which no text appears twice (as NoDuplicatesBatchSampler does: a SQuAD
sentence shared by two questions is never a false negative).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from .quiz import Triplet
from .recipe import TuneRecipe


def train(
    base_model: Path, triplets: Sequence[Triplet], recipe: TuneRecipe, *, quiet: bool = False
) -> tuple[Any, list[float]]:
    """The fitted model (in eval mode, at the recipe's max_seq_length) and each step's loss."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    torch.set_num_threads(recipe.threads)
    random.seed(recipe.seed)
    np.random.seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    rng = random.Random(recipe.seed)
    model = SentenceTransformer(str(base_model), device="cpu")
    model.max_seq_length = recipe.train_max_seq_length
    model.train()
    loss_function = MultipleNegativesRankingLoss(model)
    batches = [
        b for _ in range(recipe.epochs) for b in batches_without_repeats(triplets, recipe.batch_size, rng)
    ]
    decayed: list[Any] = []
    not_decayed: list[Any] = []
    for name, parameter in model.named_parameters():
        exempt = any(part in name for part in ("bias", "LayerNorm", "norm"))
        (not_decayed if exempt else decayed).append(parameter)
    optimiser = torch.optim.AdamW(
        [
            {"params": decayed, "weight_decay": recipe.weight_decay},
            {"params": not_decayed, "weight_decay": 0.0},
        ],
        lr=recipe.learning_rate,
    )
    schedule = get_linear_schedule_with_warmup(
        optimiser, int(recipe.warmup_share * len(batches)), len(batches)
    )
    losses = []
    for batch in tqdm(batches, desc="training", unit="step", disable=quiet):
        features = [model.preprocess([t[k] for t in batch]) for k in ("anchor", "positive", "negative")]
        loss = loss_function(features, None)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.max_grad_norm)
        optimiser.step()
        schedule.step()
        losses.append(float(loss.item()))
    model.eval()
    model.max_seq_length = recipe.max_seq_length
    return model, losses


def batches_without_repeats(
    triplets: Sequence[Triplet], size: int, rng: random.Random
) -> list[list[Triplet]]:
    """Shuffled batches of up to `size` in which no text appears twice; one that would repeat a
    text waits for a later batch."""
    pending = list(triplets)
    rng.shuffle(pending)
    batches = []
    while pending:
        batch: list[Triplet] = []
        seen: set[str] = set()
        rest = []
        for triplet in pending:
            texts = {triplet["anchor"], triplet["positive"], triplet["negative"]}
            if len(batch) < size and not texts & seen:
                batch.append(triplet)
                seen |= texts
            else:
                rest.append(triplet)
        batches.append(batch)
        pending = rest
    return batches
