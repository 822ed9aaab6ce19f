"""Rebuild the news adapter (index/news_adapter.py) that the default model adds to the bundled one.

The recipe's seeded draw of triplets (every SQuAD triplet it finds, `squad_max` 0), of which only
the SQuAD ones are trained on: SQuAD is CC BY-SA 4.0, so the change learnt from it can ship in
the repository, while the quiz passages, which carry no licence, stay out of it. The quiz file is
still read because the draw is one seeded stream; the same data and exclusions give the same file.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..checksums import file_sha256
from ..errors import NewsdeskError
from ..news_adapter import WEIGHTS_FILE, adapter_from
from .recipe import TuneRecipe
from .train import train
from .tune import BASE_MODEL, data_provenance, draw_triplets

ADAPTER_RECIPE = dataclasses.replace(TuneRecipe(), squad_max=0)
TRAINED_ON = (
    "SQuAD triplets only; the quiz file is read because the draw is one seeded stream, and none "
    "of its triplets is trained on"
)


def make_adapter(
    data: Path,
    out: Path,
    *,
    exclude_articles: Sequence[Path] = (),
    exclude_questions: Sequence[Path] = (),
    recipe: TuneRecipe = ADAPTER_RECIPE,
    quiet: bool = False,
) -> dict[str, Any]:
    """Train on the SQuAD triplets, write the adapter to `out` and its provenance beside it."""
    from safetensors.torch import load_file, save_file

    started = time.monotonic()
    files, base, drawn, counts = draw_triplets(data, exclude_articles, exclude_questions, recipe)
    squad = [t for t in drawn if t["source"] == "squad"]
    if not squad:
        raise NewsdeskError(f"No SQuAD triplets came from {files['squad']}: check the file.")
    model, losses = train(base, squad, recipe, quiet=quiet)
    tuned = {key: value.detach().cpu() for key, value in model[0].auto_model.state_dict().items()}
    adapter = adapter_from(load_file(str(base / WEIGHTS_FILE)), tuned)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(adapter, str(out))
    provenance = {
        "base_model": BASE_MODEL,
        "recipe": recipe.as_dict(),
        "trained_on": TRAINED_ON,
        **data_provenance(files, exclude_articles, exclude_questions),
        "squad_counts": counts["squad"],
        "triplets": len(squad),
        "steps": len(losses),
        "adapter_sha256": file_sha256(out),
        "seconds": round(time.monotonic() - started, 1),
    }
    out.with_suffix(".json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return provenance
