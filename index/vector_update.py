"""Keeps a version's vectors in step with its rows: what to embed, what to drop, what to reuse."""

from __future__ import annotations

import sys

import numpy as np
from tqdm import tqdm

from .embedder import Embedder
from .embedding_text import embedding_text
from .store import Store
from .vectors import VectorIndex, choose_spec


class VectorUpdate:
    """The sentences written and dropped by one build; `apply` brings the vectors in line.

    A text is embedded at most once, and never when a stored vector for the same text exists: in
    the version replaced by a pipeline change, among the sentences dropped in this run, or in an
    article kept (the same wording carried by another outlet).
    """

    def __init__(self) -> None:
        self.pending: dict[int, str] = {}  # new sentence id -> what the encoder sees
        self.removed: list[int] = []
        self.retired: dict[int, str] = {}  # dropped sentence id -> its text, while its vector is still there
        self.carried: dict[str, int] = {}
        self.carried_vectors: VectorIndex | None = None

    def carry(self, texts: dict[str, int], vectors: VectorIndex) -> None:
        """Offer the vectors of a version replaced by a pipeline change, by the encoder's text."""
        self.carried, self.carried_vectors = texts, vectors

    def add(self, ids: list[int], texts: list[str]) -> None:
        self.pending.update(zip(ids, texts))

    def drop(self, sentences: list[tuple[int, str]]) -> None:
        """Forget these sentences; a vector already stored is remembered for reuse."""
        for sentence_id, text in sentences:
            if self.pending.pop(sentence_id, None) is not None:
                continue  # written in this run: it has no vector yet
            self.removed.append(sentence_id)
            self.retired[sentence_id] = text

    def apply(
        self,
        vectors: VectorIndex,
        store: Store,
        embedder: Embedder | None,
        *,
        batch_size: int,
        quiet: bool,
    ) -> tuple[VectorIndex, int, int]:
        """Drop the removed vectors and add the pending ones; returns (vectors, embedded, reused)."""
        reusable = self._reusable(vectors, store)
        vectors.remove(self.removed)
        if not self.pending:
            return vectors, 0, 0
        to_encode = [t for t in dict.fromkeys(self.pending.values()) if t not in reusable]
        assert embedder is not None
        with tqdm(
            total=len(to_encode), desc="embedding", unit=" sentences", disable=quiet, file=sys.stderr
        ) as bar:
            encoded = embedder.encode(to_encode, batch_size=batch_size, progress=bar.update)
        by_text = dict(reusable)
        by_text.update(zip(to_encode, encoded))
        ids = np.array(list(self.pending), dtype=np.int64)
        matrix = np.vstack([by_text[text] for text in self.pending.values()]).astype(np.float32)
        spec = choose_spec(vectors.count + len(ids))
        if spec.kind == vectors.spec.kind:
            vectors.add(matrix, ids)
        else:
            old_vectors, old_ids = vectors.vectors_and_ids()
            vectors = VectorIndex.build(
                np.vstack([old_vectors, matrix]), np.concatenate([old_ids, ids]), spec
            )
        return vectors, len(to_encode), len(self.pending) - len(to_encode)

    def _reusable(self, vectors: VectorIndex, store: Store) -> dict[str, np.ndarray]:
        """Stored vectors for the texts to embed, read before any vector is removed."""
        if not self.pending:
            return {}
        wanted = set(self.pending.values())
        found: dict[str, np.ndarray] = {}
        if self.carried_vectors is not None:
            pairs = [(self.carried[t], t) for t in wanted if t in self.carried]
            found.update(zip([t for _, t in pairs], self.carried_vectors.reconstruct([i for i, _ in pairs])))
        # A dropped id may have been taken again by a new row of this run: only the old vector counts.
        pairs = [(i, t) for i, t in self.retired.items() if t in wanted and t not in found]
        kept = {
            embedding_text(title, text): i
            for i, title, text in store.embedded_with_texts(wanted - found.keys())
            if i not in self.pending
        }
        pairs += [(i, t) for t, i in kept.items() if t in wanted and t not in found]
        found.update(zip([t for _, t in pairs], vectors.reconstruct([i for i, _ in pairs])))
        return found
