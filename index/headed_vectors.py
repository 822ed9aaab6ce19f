"""Each answerable sentence's vector read with its headline, made once at build and read at question time.

The second stage (index/second_stage.py) scores a candidate by its cosine to the question twice:
for the sentence alone (the first stage's vector) and for "headline. sentence", because the
headline often names who and where when the sentence only says "he" or "the city". Encoding the
headed texts of the best 10 for every question took ~110 ms on two cores; stored at build (half
precision, in the version's database), the stage is a lookup. It costs a second encoding of
every sentence at build, and 768 bytes a sentence on disk; `NEWSDESK_HEADED_VECTORS=0` skips it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from .store import Store, headed_key, headed_text

if TYPE_CHECKING:
    from .embedder import TextEncoder

# Sentences read, encoded and written at a time: a chunk's texts and vectors are all a fill holds.
FILL_CHUNK = 8192
STORED_DTYPE = np.float16


def fill_missing(store: Store, encoder: TextEncoder, *, batch_size: int, quiet: bool) -> tuple[int, int]:
    """Give every answerable sentence that lacks one its headed vector; returns how many were
    encoded and how many reused.

    A vector is reused wherever the same headed text has one: another sentence's (wire copy under
    the same headline), one deleted in this build (an updated article's unchanged sentences), or
    the previous version's (a rebuild after a pipeline change, Store.attach_previous). A sentence's
    row is deleted with it and a changed headline changes the text, so a stored row is never stale.
    """
    missing = store.count_without_headed_vector()
    encoded_count = reused = 0
    after = 0
    with tqdm(
        total=missing,
        desc="embedding with headlines",
        unit=" sentences",
        disable=quiet or not missing,
        file=sys.stderr,
    ) as bar:
        while rows := store.sentences_without_headed_vector(after, FILL_CHUNK):
            keys = [headed_key(headed_text(text, title)) for _, title, text in rows]
            vectors = store.known_headed_vectors(sorted(set(keys)))
            wanted = {
                key: headed_text(text, title)
                for key, (_, title, text) in zip(keys, rows)
                if key not in vectors
            }
            if wanted:
                chunks = encoder.encode_chunks(
                    list(wanted.values()), size=FILL_CHUNK, batch_size=batch_size, progress=bar.update
                )
                encoded = np.vstack(list(chunks)).astype(STORED_DTYPE)
                vectors.update((key, vector.tobytes()) for key, vector in zip(wanted, encoded, strict=True))
            store.put_headed_vectors(
                (sentence_id, key, vectors[key]) for (sentence_id, _, _), key in zip(rows, keys)
            )
            store.commit()
            encoded_count += len(wanted)
            reused += len(rows) - len(wanted)
            bar.update(len(rows) - len(wanted))
            after = rows[-1][0]
    store.forget_spare_headed_vectors()
    return encoded_count, reused


def stored(store: Store, ids: Sequence[int]) -> list[np.ndarray | None]:
    """The headed vectors of these sentences in their order; None where the index has none."""
    blobs = store.headed_vector_blobs(ids)
    return [
        np.frombuffer(blobs[i], dtype=STORED_DTYPE).astype(np.float32) if i in blobs else None for i in ids
    ]
