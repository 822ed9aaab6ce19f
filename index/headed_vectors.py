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

from .store import Store

if TYPE_CHECKING:
    from .embedder import TextEncoder

# Sentences read, encoded and written at a time: a chunk's texts and vectors are all a fill holds.
FILL_CHUNK = 8192
STORED_DTYPE = np.float16


def headed_text(text: str, title: str) -> str:
    """What the encoder reads for a sentence with its headline; the quoted text is never this."""
    return f"{title}. {text}" if title else text


def fill_missing(store: Store, encoder: TextEncoder, *, batch_size: int, quiet: bool) -> int:
    """Encode and store the headed vector of every answerable sentence that lacks one; returns how many.

    A sentence's row is deleted with it (Store.delete_sentences), and a changed headline changes
    the article's content hash, so its sentences are written anew: a stored row is never stale.
    """
    missing = store.count_without_headed_vector()
    if not missing:
        return 0
    after = 0
    with tqdm(
        total=missing, desc="embedding with headlines", unit=" sentences", disable=quiet, file=sys.stderr
    ) as bar:
        while rows := store.sentences_without_headed_vector(after, FILL_CHUNK):
            texts = [headed_text(text, title) for _, title, text in rows]
            distinct = list(dict.fromkeys(texts))
            chunks = encoder.encode_chunks(
                distinct, size=FILL_CHUNK, batch_size=batch_size, progress=bar.update
            )
            encoded = np.vstack(list(chunks))
            by_text = dict(zip(distinct, encoded.astype(STORED_DTYPE), strict=True))
            store.put_headed_vectors(
                (sentence_id, by_text[text].tobytes()) for (sentence_id, _, _), text in zip(rows, texts)
            )
            store.commit()
            bar.update(len(rows) - len(distinct))  # sentences that shared a text encoded once
            after = rows[-1][0]
    return missing


def stored(store: Store, ids: Sequence[int]) -> list[np.ndarray | None]:
    """The headed vectors of these sentences in their order; None where the index has none."""
    blobs = store.headed_vector_blobs(ids)
    return [
        np.frombuffer(blobs[i], dtype=STORED_DTYPE).astype(np.float32) if i in blobs else None for i in ids
    ]
