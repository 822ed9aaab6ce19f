"""Keeps a version's vectors in step with its rows: what to embed, what to drop, what to reuse."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .embedder import TextEncoder
from .embedding_text import embedding_text
from .pending_texts import EncodeQueue, PendingTexts
from .store import Store
from .vector_spool import VectorSpool
from .vectors import IndexSpec, VectorIndex, choose_spec, training_size


class VectorUpdate:
    """The sentences written and dropped by one build; `encode` then `indexed` bring the vectors in line.

    A text is embedded at most once, and never when a stored vector for the same text exists: in
    the version replaced by a pipeline change, among the sentences dropped in this run, or in an
    article kept (the same wording carried by another outlet). The sentences waiting for a vector
    wait on disk (index/pending_texts.py), not in memory.
    """

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.pending = PendingTexts(store.db.conn, folder)
        self.spooled: tuple[IndexSpec, VectorSpool] | None = None  # a new index's vectors, waiting
        self.removed: list[int] = []
        self.retired: dict[int, str] = {}  # dropped sentence id -> its text, while its vector is still there
        self.carried: dict[str, int] = {}
        self.carried_vectors: VectorIndex | None = None

    def carry(self, texts: dict[str, int], vectors: VectorIndex) -> None:
        """Offer the vectors of a version replaced by a pipeline change, by the encoder's text."""
        self.carried, self.carried_vectors = texts, vectors

    def add(self, ids: list[int], texts: list[str]) -> None:
        self.pending.add(zip(ids, texts, strict=True))

    def drop(self, sentences: list[tuple[int, str]]) -> None:
        """Forget these sentences; a vector already stored is remembered for reuse."""
        for sentence_id, text in sentences:
            if self.pending.discard(sentence_id):
                continue  # written in this run: it has no vector yet
            self.removed.append(sentence_id)
            self.retired[sentence_id] = text

    def encode(
        self,
        vectors: VectorIndex,
        embedder: TextEncoder | None,
        *,
        batch_size: int,
        quiet: bool,
    ) -> tuple[int, int]:
        """Drop the removed vectors and encode the pending ones; returns (embedded, reused).

        Texts are read from disk a chunk at a time. Their vectors go into `vectors` as each chunk
        is encoded, or, when the archive needs a newly trained (IVF) index, onto disk
        (index/vector_spool.py) until `indexed` builds it, after the encoder has let go of its
        memory: the build never holds the encoder and a growing index at once.
        """
        # On failure the writer discards the whole version folder, these files with it.
        result = self._encode(vectors, embedder, batch_size=batch_size, quiet=quiet)
        self.pending.close()
        return result

    def indexed(self, vectors: VectorIndex) -> VectorIndex:
        """`vectors` with every encoded vector in it: the same index, or the new one a spool fills."""
        if self.spooled is None:
            return vectors
        spec, spool = self.spooled
        rebuilt = vectors.rebuilt_as(spec, spool.chunks)
        spool.remove()
        self.spooled = None
        return rebuilt

    def _encode(
        self, vectors: VectorIndex, embedder: TextEncoder | None, *, batch_size: int, quiet: bool
    ) -> tuple[int, int]:
        pending = self.pending.count()
        reusable = self._reusable(vectors)
        vectors.remove(self.removed)
        if not pending:
            return 0, 0
        spec = choose_spec(vectors.count + pending)
        retrains = _outgrown(vectors.spec, spec)
        to_encode = self.pending.queue(skip=reusable, spread_first=training_size(spec) if retrains else 0)
        if to_encode:
            assert embedder is not None
        with tqdm(
            total=len(to_encode), desc="embedding", unit=" sentences", disable=quiet, file=sys.stderr
        ) as bar:
            reused_ids = self.pending.ids_of(reusable)
            chunks = _chunks(reusable, reused_ids, to_encode, embedder, batch_size, bar.update)
            keep: Callable[[np.ndarray, np.ndarray], None] = vectors.add
            if retrains:
                spool = VectorSpool(self.folder, vectors.dimension)
                self.spooled, keep = (spec, spool), spool.append
            for matrix, ids in chunks:
                keep(matrix, ids)
        return len(to_encode), pending - len(to_encode)

    def _reusable(self, vectors: VectorIndex) -> dict[str, np.ndarray]:
        """Stored vectors for the texts to embed, read before any vector is removed."""
        found: dict[str, np.ndarray] = {}
        if self.carried_vectors is not None:
            for wanted in self.pending.distinct_texts(ENCODE_CHUNK):
                pairs = [(self.carried[t], t) for t in wanted if t in self.carried]
                found.update(
                    zip([t for _, t in pairs], self.carried_vectors.reconstruct([i for i, _ in pairs]))
                )
        # A dropped id may have been taken again by a new row of this run: only the old vector counts.
        retired = {text: i for i, text in self.retired.items() if text not in found}
        pairs = [(retired[t], t) for t in self.pending.ids_of(retired)]
        kept = {
            embedding_text(title, text): i
            for i, title, text in self.store.embedded_copies(self.pending.table)
        }
        pairs += [(i, t) for t, i in kept.items() if t not in found]
        found.update(zip([t for _, t in pairs], vectors.reconstruct([i for i, _ in pairs])))
        return found


def _outgrown(held: IndexSpec, wanted: IndexSpec) -> bool:
    """An index is rebuilt when the archive needs another kind, or twice the IVF lists it was
    trained with: an archive that crossed into IVF at 200k sentences and grew to a million would
    otherwise keep 2,048 lists where 4,096 suit it (lists cap at MAX_NLIST, so this happens once
    or twice in an archive's life, and the held vectors come back from their 8-bit codes)."""
    return wanted.kind != held.kind or wanted.nlist >= 2 * held.nlist > 0


ENCODE_CHUNK = 8192  # texts encoded, then added to FAISS, at a time: about 12 MB of vectors


def _chunks(
    reusable: dict[str, np.ndarray],
    reused_ids: dict[str, list[int]],
    to_encode: EncodeQueue,
    embedder: TextEncoder | None,
    batch_size: int,
    progress: Callable[[int], object],
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(vectors, ids) for every pending sentence: stored vectors first, then new ones as encoded."""
    if reusable:
        yield _rows(list(reusable.values()), [reused_ids.get(text, []) for text in reusable])
    if not to_encode:
        return
    assert embedder is not None
    encoded = embedder.encode_chunks(to_encode, size=ENCODE_CHUNK, batch_size=batch_size, progress=progress)
    for start, vectors in zip(range(0, len(to_encode), ENCODE_CHUNK), encoded, strict=True):
        yield _rows(list(vectors), to_encode.ids(start, start + len(vectors)))


def _rows(vectors: list[np.ndarray], ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """One row per sentence id: a text several sentences share gives each the same vector."""
    flat = [sentence_id for group in ids for sentence_id in group]
    if not flat:
        return np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64)
    matrix = [vector for vector, group in zip(vectors, ids, strict=True) for _ in group]
    return np.vstack(matrix).astype(np.float32), np.array(flat, dtype=np.int64)
