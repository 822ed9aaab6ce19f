"""Where a warm search spends its time: wraps each stage's function with a timer while measuring."""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from index import embedder, query_encoder, ranking, search, second_stage, store, vectors

STAGES: list[tuple[Any, str, str]] = [
    (embedder.Embedder, "encode_query", "encode the question"),
    (query_encoder.OnnxQueryEncoder, "encode_query", "encode the question"),
    (vectors.VectorIndex, "search", "FAISS search"),
    (vectors.VectorIndex, "reconstruct", "FAISS reconstruct (BM25-only candidates)"),
    (store.Store, "full_text_search", "FTS5 BM25"),
    (store.Store, "term_counts", "term IDFs (term_sentences look-ups)"),
    (store.Store, "sentences", "fetch candidate rows"),
    (ranking, "score", "scoring every candidate (second stage)"),
    (search, "decide", "answer or refuse (evidence)"),
    (search.Searcher, "_mend", "mend typos (vocabulary look-ups)"),
    (search.Searcher, "_neighbour_cosines", "neighbour cosines (second stage)"),
    (store.Store, "contexts", "context text (second stage)"),
    (search.Searcher, "_hits", "hits (dedupe, context, citation)"),
    (second_stage.SecondStage, "reorder", "second stage re-scores the top 10"),
]


class StageTimes:
    """Milliseconds per stage, one list entry per question."""

    def __init__(self) -> None:
        self.per_question: dict[str, list[float]] = defaultdict(list)
        self._current: dict[str, float] = defaultdict(float)

    def add(self, label: str, seconds: float) -> None:
        self._current[label] += seconds * 1000

    def next_question(self) -> None:
        for label in dict.fromkeys(label for _, _, label in STAGES):
            self.per_question[label].append(self._current.get(label, 0.0))
        self._current.clear()


@contextmanager
def timed_stages() -> Iterator[StageTimes]:
    """Time every stage in STAGES until the block ends; call `next_question()` after each search."""
    times = StageTimes()
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in STAGES]
    for (owner, name, label), (_, _, original) in zip(STAGES, originals):
        setattr(owner, name, _timer(original, label, times))
    try:
        yield times
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _timer(function: Callable[..., Any], label: str, times: StageTimes) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times.add(label, time.perf_counter() - started)

    return wrapper
