"""Sentence vectors in half precision beside a compressed FAISS index, in the version's database.

A product-quantised index (index/vectors.py, `IVF_PQ`) keeps 64 bytes a vector in memory, which is
what lets an archive of tens of millions of sentences be served on one machine, but its codes are
too coarse to rank by (recall@10 0.75 to 0.80 against exact search, docs/benchmarks.md) and to hand
back as a sentence's vector when a build reuses it. So that kind keeps each vector here as well
(768 bytes on disk, read by primary key, held in memory only as SQLite's page cache holds it): the
index proposes candidates, these vectors rank them and stand in wherever a stored vector is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .store import Store

STORED_DTYPE = np.float16


class ExactVectors:
    """The `sentence_vectors` table of one version's database, as float32 rows by sentence id."""

    def __init__(self, store: Store, dimension: int) -> None:
        self.store = store
        self.dimension = dimension

    def put(self, rows: np.ndarray, ids: np.ndarray) -> None:
        half = np.asarray(rows, dtype=STORED_DTYPE)
        self.store.put_sentence_vectors(
            (int(i), vector.tobytes()) for i, vector in zip(ids.tolist(), half, strict=True)
        )

    def drop(self, ids: Sequence[int]) -> None:
        self.store.drop_sentence_vectors(ids)

    def clear(self) -> None:
        self.store.clear_sentence_vectors()

    def get(self, ids: Sequence[int]) -> np.ndarray:
        """The vectors of `ids` in their order; a KeyError names the first id with none."""
        blobs = self.store.sentence_vector_blobs(ids)
        rows = np.empty((len(ids), self.dimension), dtype=np.float32)
        for n, sentence_id in enumerate(ids):
            blob = blobs.get(int(sentence_id))
            if blob is None:
                raise KeyError(int(sentence_id))
            rows[n] = np.frombuffer(blob, dtype=STORED_DTYPE)
        return rows

    def chunks(self, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every stored vector with its id, in id order, `size` at a time."""
        after = -1
        while rows := self.store.sentence_vector_rows(after, size):
            ids = np.array([sentence_id for sentence_id, _ in rows], dtype=np.int64)
            matrix = np.frombuffer(b"".join(blob for _, blob in rows), dtype=STORED_DTYPE)
            yield matrix.reshape(len(rows), self.dimension).astype(np.float32), ids
            after = int(ids[-1])

    def ids(self) -> set[int]:
        return self.store.sentence_vector_ids()

    def count(self) -> int:
        return self.store.sentence_vector_count()
