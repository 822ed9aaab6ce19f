"""Vectors waiting on disk come back exactly, in order, as often as asked, and leave no file behind."""

from __future__ import annotations

import numpy as np
import pytest

import index.vector_spool as vector_spool
from index.vector_spool import VectorSpool


def test_spooled_vectors_come_back_exactly_in_order_on_every_pass(monkeypatch, tmp_path):
    monkeypatch.setattr(vector_spool, "READ_ROWS", 4)
    rng = np.random.default_rng(2)
    written = [(rng.standard_normal((n, 8)).astype(np.float32), np.arange(n) + 10 * n) for n in (3, 0, 5, 2)]
    spool = VectorSpool(tmp_path, 8)
    for matrix, ids in written:
        spool.append(matrix, ids)
    assert spool.count == 10

    expected_rows = np.vstack([matrix for matrix, _ in written])
    expected_ids = np.concatenate([ids for _, ids in written])
    for _ in range(2):
        chunks = list(spool.chunks())
        assert [len(ids) for _, ids in chunks] == [4, 4, 2]
        assert np.array_equal(np.vstack([m for m, _ in chunks]), expected_rows)
        assert np.array_equal(np.concatenate([i for _, i in chunks]), expected_ids)

    spool.remove()
    assert list(tmp_path.iterdir()) == []


def test_rows_of_the_wrong_width_are_refused_with_both_shapes_named(tmp_path):
    spool = VectorSpool(tmp_path, 8)
    with pytest.raises(ValueError, match=r"\(2, 6\) vectors for 2 ids of dimension 8"):
        spool.append(np.zeros((2, 6), dtype=np.float32), np.arange(2))
    spool.remove()
