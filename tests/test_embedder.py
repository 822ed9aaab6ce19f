"""Encoding many texts: batches sized by length, vectors as if each text were encoded alone."""

from __future__ import annotations

import numpy as np

from index.embedder import BATCH_CHARS_PER_TEXT, LONGEST_COUNTED, batches


def test_long_texts_go_in_smaller_batches_and_every_text_once():
    lengths = [40] * 100 + [400] * 30 + [5000] * 12
    order = np.argsort(lengths, kind="stable")
    found = list(batches(order, lengths, 64))
    assert np.array_equal(np.concatenate(found), order)
    sizes = [len(b) for b in found]
    assert sizes[0] == 64  # short texts fill whole batches
    for batch in found:
        longest = min(max(lengths[i] for i in batch), LONGEST_COUNTED)
        assert len(batch) <= 64 and (len(batch) == 1 or len(batch) * longest <= 64 * BATCH_CHARS_PER_TEXT)
    assert [len(b) for b in found if lengths[b[0]] == 5000] == [10, 2]


def test_a_mixed_batch_gives_the_vectors_each_text_gets_alone(embedder):
    from conftest import NK_SENTENCE

    texts = [
        NK_SENTENCE,
        "Fed holds rates.",
        "The council met. " * 120,
        "A mid-length sentence about a storm.",
    ]
    together = embedder.encode(texts, batch_size=64)
    alone = np.vstack([embedder.encode([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert together.shape == (4, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
