"""How much of exact search's top 10 an approximate index finds, measured on its own vectors."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .config import RECALL_FLOOR, RECALL_QUERIES
from .vectors import EXHAUSTIVE, VectorIndex

TOP = 10
# The same index always draws the same queries, so two builds' figures can be compared.
SEED = 11


@dataclass(frozen=True)
class Recall:
    """recall@10 against exact search over the stored vectors; `queries` of them were the questions."""

    at_10: float
    queries: int
    seconds: float

    def describe(self) -> str:
        return f"recall@10 vs exact {self.at_10:.2f} on {self.queries} sampled queries"

    def warning(self, nprobe: int, nlist: int) -> str:
        """What to do when the recall is under the floor, or ""."""
        if self.at_10 >= RECALL_FLOOR:
            return ""
        return (
            f"{self.describe()}, under the floor of {RECALL_FLOOR:.2f}: some sentences exact search "
            f"would rank in the top 10 are missed. Rebuild with `newsdesk index build --fresh ARTICLES` "
            f"to retrain the lists; if it stays low, raise nprobe ({nprobe} of {nlist} lists searched, "
            "fixed in index/vectors.py choose_spec)."
        )


def measure_recall(vectors: VectorIndex, queries: int = RECALL_QUERIES) -> Recall | None:
    """Recall@10 of `vectors` against a brute-force pass over its own stored vectors; None for the
    exhaustive kinds, which are exact by construction, and for an index too small to ask.

    Each query is a stored vector, left out of its own answers on both sides, since finding
    itself would be a free hit. Exact search reads the stored vectors a chunk at a time.
    """
    if vectors.spec.kind in EXHAUSTIVE or vectors.count < 2:
        return None
    started = time.perf_counter()
    ids = vectors.ids()
    sample = np.sort(np.random.default_rng(SEED).choice(ids, size=min(queries, len(ids)), replace=False))
    matrix = vectors.reconstruct(sample.tolist())
    k = min(TOP, len(ids) - 1)
    exact = _exact_neighbours(vectors, matrix, sample, k)
    _, found = vectors.search_many(matrix, k + 1)
    hits = 0
    for own, row, truth in zip(sample.tolist(), found.tolist(), exact.tolist()):
        approximate = [i for i in row if i not in (own, -1)][:k]
        hits += len(set(approximate) & set(truth))
    return Recall(hits / (k * len(sample)), len(sample), time.perf_counter() - started)


def _exact_neighbours(vectors: VectorIndex, queries: np.ndarray, own: np.ndarray, k: int) -> np.ndarray:
    """The ids of each query's `k` best stored vectors by inner product, itself excluded; `own`
    (the queries' ids) is sorted. Only the running top `k` is kept between chunks."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.full((len(queries), k), -1, dtype=np.int64)
    for chunk, ids in vectors.stored_chunks():
        scores = queries @ chunk.T
        columns = np.flatnonzero(np.isin(ids, own))
        scores[np.searchsorted(own, ids[columns]), columns] = -np.inf
        top = np.argpartition(scores, -k, axis=1)[:, -k:] if scores.shape[1] > k else None
        chunk_scores = scores if top is None else np.take_along_axis(scores, top, axis=1)
        chunk_ids = np.broadcast_to(ids, scores.shape) if top is None else ids[top]
        merged_scores = np.hstack([best_scores, chunk_scores])
        merged_ids = np.hstack([best_ids, chunk_ids])
        keep = np.argpartition(merged_scores, -k, axis=1)[:, -k:]
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
        best_ids = np.take_along_axis(merged_ids, keep, axis=1)
    return best_ids
