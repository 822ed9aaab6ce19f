"""Keeps a version's vectors in step with its rows: what to embed, what to drop, what to reuse."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import numpy as np
from tqdm import tqdm

from . import heap
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
        """Drop the removed vectors and add the pending ones; returns (vectors, embedded, reused).

        New vectors go into the index a chunk at a time as they are encoded, so the build never
        holds every new vector at once (its memory stays flat as the archive grows).
        """
        reusable = self._reusable(vectors, store)
        vectors.remove(self.removed)
        if not self.pending:
            return vectors, 0, 0
        ids_by_text: dict[str, list[int]] = {}
        for sentence_id, text in self.pending.items():
            ids_by_text.setdefault(text, []).append(sentence_id)
        to_encode = [text for text in ids_by_text if text not in reusable]
        if to_encode:
            assert embedder is not None
        spec = choose_spec(vectors.count + len(self.pending))
        with tqdm(
            total=len(to_encode), desc="embedding", unit=" sentences", disable=quiet, file=sys.stderr
        ) as bar:
            chunks = _chunks(reusable, to_encode, ids_by_text, embedder, batch_size, bar.update)
            if spec.kind == vectors.spec.kind:
                for matrix, ids in chunks:
                    vectors.add(matrix, ids)
            else:
                vectors = vectors.rebuilt_as(spec, chunks)
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


ENCODE_CHUNK = 8192  # texts encoded, then added to FAISS, at a time: about 12 MB of vectors


def _chunks(
    reusable: dict[str, np.ndarray],
    to_encode: list[str],
    ids_by_text: dict[str, list[int]],
    embedder: Embedder | None,
    batch_size: int,
    progress: Callable[[int], object],
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(vectors, ids) for every pending sentence: stored vectors first, then new ones as encoded."""
    if reusable:
        yield _rows(reusable, ids_by_text)
    for start in range(0, len(to_encode), ENCODE_CHUNK):
        texts = to_encode[start : start + ENCODE_CHUNK]
        assert embedder is not None
        # What the last chunk's tensors left free between the vectors now in FAISS goes back to
        # the system, so the heap does not grow chunk after chunk.
        heap.release_free_memory()
        encoded = embedder.encode(texts, batch_size=batch_size, progress=progress)
        yield _rows(dict(zip(texts, encoded)), ids_by_text)


def _rows(by_text: dict[str, np.ndarray], ids_by_text: dict[str, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """One row per sentence id: a text several sentences share gives each the same vector."""
    ids = [sentence_id for text in by_text for sentence_id in ids_by_text.get(text, [])]
    matrix = [by_text[text] for text in by_text for _ in ids_by_text.get(text, [])]
    if not ids:
        return np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64)
    return np.vstack(matrix).astype(np.float32), np.array(ids, dtype=np.int64)
