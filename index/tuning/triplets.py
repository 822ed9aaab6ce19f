"""The training triplets: quiz, then SQuAD, drawn from one seeded random stream."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import NewsdeskError
from .leakage import ExcludedText, drop_leaked
from .quiz import Encode, Triplet, quiz_triplets, read_quiz
from .recipe import QUIZ_FILE, SQUAD_FILE, SQUAD_SENTENCES_FILE, TuneRecipe
from .squad import squad_triplets


def data_files(data: Path) -> dict[str, Path]:
    """The three files the recipe reads under `data` (../shared/data's layout)."""
    files = {
        "quiz": data / QUIZ_FILE,
        "squad": data / SQUAD_FILE,
        "squad_sentences": data / SQUAD_SENTENCES_FILE,
    }
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise NewsdeskError(
            f"Missing training data: {', '.join(missing)}. Point --data at the folder holding "
            "realtimeqa/, squad-v1.1-dev-mrqa/ and multireqa-squad-dev/."
        )
    return files


def build_triplets(
    files: dict[str, Path],
    exclude_articles: Sequence[Path],
    exclude_questions: Sequence[Path],
    recipe: TuneRecipe,
    encode: Encode,
) -> tuple[list[Triplet], dict[str, Any]]:
    rng = random.Random(recipe.seed)
    rows, selected = read_quiz(files["quiz"], recipe.quiz_before)
    excluded = ExcludedText.read(exclude_articles, exclude_questions)
    rows, leakage = drop_leaked(rows, excluded, recipe.leakage_ngram)
    quiz, quiz_counts = quiz_triplets(rows, rng, encode)
    squad, squad_counts = squad_triplets(files["squad"], files["squad_sentences"], rng, recipe.squad_cap)
    if recipe.squad_max and len(squad) > recipe.squad_max:
        # A fresh stream picks which are trained on; they keep their drawn order.
        chosen = set(random.Random(recipe.seed).sample(range(len(squad)), recipe.squad_max))
        squad = [t for i, t in enumerate(squad) if i in chosen]
        squad_counts["trained_on"] = len(squad)
    stats = {"quiz_selection": selected, "leakage": leakage, "quiz": quiz_counts, "squad": squad_counts}
    return quiz + squad, stats
