"""FAISS: half-precision exhaustive search ranks as exact search; full-precision indexes still load."""

from __future__ import annotations

import numpy as np

from index.vectors import FLAT_FP16, IndexSpec, VectorIndex, choose_spec


def _unit_vectors(count: int, seed: int = 5) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_small_archives_get_half_precision_exhaustive_search():
    assert choose_spec(1_000).kind == FLAT_FP16
    assert choose_spec(1_000_000).kind == "ivf-sq8"


def test_half_precision_search_ranks_as_exact_search_does(tmp_path):
    vectors = _unit_vectors(2_000)
    ids = np.arange(100, 2_100)
    index = VectorIndex.build(vectors, ids, choose_spec(len(ids)))
    index.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss", IndexSpec(FLAT_FP16))
    for row in (0, 7, 1_999):
        query = vectors[row] + 0.05 * vectors[(row + 1) % 2_000]
        query /= np.linalg.norm(query)
        exact = vectors @ query
        expected = [int(ids[i]) for i in np.argsort(-exact)[:10]]
        found = loaded.search(query, 10)
        assert [i for i, _ in found] == expected
        assert max(abs(score - exact[i - 100]) for i, score in found) < 1e-3


def test_stored_vectors_come_back_with_their_ids_for_a_rebuild():
    vectors = _unit_vectors(50)
    ids = np.arange(10, 60)
    index = VectorIndex.build(vectors, ids, IndexSpec(FLAT_FP16))
    index.remove([10, 11])
    back, back_ids = index.vectors_and_ids()
    assert sorted(back_ids.tolist()) == list(range(12, 60))
    by_id = dict(zip(back_ids.tolist(), back))
    assert np.abs(by_id[30] - vectors[20]).max() < 1e-3


def test_an_index_built_with_full_precision_still_loads_and_searches(tmp_path):
    vectors = _unit_vectors(100)
    old = VectorIndex.build(vectors, np.arange(100), IndexSpec("flat"))
    old.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss", IndexSpec("flat"))
    assert loaded.search(vectors[42], 1)[0][0] == 42
    assert loaded.spec.describe() == "flat (exact inner product)"
