"""Fuses dense (cosine) and lexical (BM25) candidates and decides whether anything answers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

RRF_K = 60
# Below this cosine similarity the best sentence is not evidence for an answer (see docs/search.md).
MIN_ANSWER_COSINE = 0.40

# Function words that carry no evidence; everything else goes into the BM25 OR-query.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "during",
        "each",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "many",
        "much",
    ]
)
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Scored:
    sentence_id: int
    score: float
    cosine: float


def lexical_terms(question: str) -> list[str]:
    terms = [w.lower() for w in WORD.findall(question)]
    return list(dict.fromkeys(t for t in terms if t not in STOP_WORDS))


def fts_match(terms: Sequence[str]) -> str:
    """An FTS5 OR-query with every term quoted, so user text can never be FTS syntax."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def fuse(
    dense: Sequence[tuple[int, float]],
    lexical: Sequence[tuple[int, float]],
    cosines: dict[int, float],
) -> list[Scored]:
    """Reciprocal rank fusion of the two candidate lists, best first."""
    scores: dict[int, float] = {}
    for ranked in (dense, lexical):
        for rank, (sentence_id, _) in enumerate(ranked):
            scores[sentence_id] = scores.get(sentence_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    ordered = sorted(scores.items(), key=lambda item: (-item[1], -cosines.get(item[0], 0.0)))
    return [Scored(i, s, cosines.get(i, 0.0)) for i, s in ordered]


def is_answered(best: Scored | None) -> bool:
    return best is not None and best.cosine >= MIN_ANSWER_COSINE
