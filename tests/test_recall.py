"""Approximate indexes record their recall@10 against exact search; exhaustive ones record none."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from conftest import NEWS_ARTICLES, write_article

import index.recall as recall_module
import index.vectors as vectors_module
from index.recall import measure_recall
from index.vectors import FLAT_FP16, IndexSpec, VectorIndex
from index.versions import META_NAME, current_version, meta_problem


def _unit_vectors(count: int, seed: int = 3) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _council_articles() -> list[dict[str, object]]:
    towns = ["Ashford", "Bexley", "Carlow", "Dunmore", "Elgin", "Fenwick", "Garston", "Hexham", "Ilford"]
    return [
        {
            "title": f"{town} council meets",
            "source": "The Courier",
            "date": "2024-05-01",
            "url": f"https://example.com/courier/{town.lower()}",
            "text": "\n\n".join(
                f"The {town} council spent {n + 3} hours on item {n} of its agenda, about {topic}."
                for n, topic in enumerate(["roads", "schools", "parks", "water", "housing"])
            ),
        }
        for town in towns
    ]


def _meta(index_dir: Path) -> dict[str, object]:
    version = current_version(index_dir)
    assert version is not None
    return json.loads((version / META_NAME).read_text())  # type: ignore[no-any-return]


def test_a_build_past_the_exact_limit_records_its_recall_and_stats_shows_it(monkeypatch, tmp_path, run):
    monkeypatch.setattr(vectors_module, "EXACT_SEARCH_LIMIT", 5)
    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 1)
    for number, article in enumerate([*NEWS_ARTICLES, *_council_articles()]):
        write_article(tmp_path / "articles", f"{number:03d}.txt", article)
    index_dir = tmp_path / "index"
    built = run("index", "build", str(tmp_path / "articles"), "--index", str(index_dir), "--quiet")
    assert built.exit_code == 0, built.output
    meta = _meta(index_dir)
    assert meta["index"]["kind"] == "ivf-sq8"  # type: ignore[index]
    assert isinstance(meta["recall_at_10"], float) and 0 < meta["recall_at_10"] <= 1
    assert meta["recall_sample"] == meta["vectors"]  # fewer vectors than RECALL_QUERIES: all of them
    assert f"recall@10 vs exact {meta['recall_at_10']:.2f} on {meta['recall_sample']} sampled" in built.output

    stats = run("index", "stats", "--index", str(index_dir))
    assert stats.exit_code == 0, stats.output
    index_line = next(line for line in stats.output.splitlines() if line.startswith("index:"))
    assert index_line.startswith("index:      ivf-sq8 (nlist=")
    assert f", recall@10 vs exact {meta['recall_at_10']:.2f} on {meta['recall_sample']} sampled queries" in (
        index_line
    )
    as_json = json.loads(run("index", "stats", "--index", str(index_dir), "--json").output)
    assert as_json["recall_at_10"] == meta["recall_at_10"]

    # `add` publishes a new approximate version, so it measures again; under the floor it warns.
    monkeypatch.setattr(recall_module, "RECALL_FLOOR", 1.01)
    extra = tmp_path / "more" / "extra.txt"
    write_article(extra.parent, extra.name, {**NEWS_ARTICLES[0], "url": "https://example.com/afp/other"})
    added = run("index", "add", str(extra), "--index", str(index_dir), "--quiet")
    assert added.exit_code == 0, added.output
    assert _meta(index_dir)["recall_sample"] == _meta(index_dir)["vectors"]
    assert "Warning: recall@10 vs exact" in added.output
    assert "under the floor of 1.01" in added.output and "raise nprobe" in added.output


def test_an_exhaustive_build_records_no_recall(make_index, run):
    settings = make_index()
    meta = _meta(settings.index_dir)
    assert meta["index"]["kind"] == FLAT_FP16  # type: ignore[index]
    assert "recall_at_10" not in meta and "recall_sample" not in meta
    stats = run("index", "stats", "--index", str(settings.index_dir))
    assert stats.exit_code == 0, stats.output
    assert "recall" not in stats.output


def test_recall_falls_when_few_lists_are_searched_and_the_warning_says_what_to_do():
    vectors = _unit_vectors(3_000)
    ids = np.arange(1_000, 4_000)
    narrow = VectorIndex.build(vectors, ids, IndexSpec("ivf-sq8", nlist=16, nprobe=1))
    low = measure_recall(narrow, queries=100)
    assert low is not None and low.queries == 100 and low.at_10 < 0.9
    assert "raise nprobe (1 of 16 lists searched" in low.warning(nprobe=1, nlist=16)

    every_list = VectorIndex.build(vectors, ids, IndexSpec("ivf-sq8", nlist=16, nprobe=16))
    full = measure_recall(every_list, queries=100)
    assert full is not None and full.at_10 == 1.0 and full.warning(nprobe=16, nlist=16) == ""
    assert measure_recall(VectorIndex.build(vectors, ids, IndexSpec(FLAT_FP16))) is None


def test_the_exact_pass_gives_the_same_recall_whatever_its_chunk_size(monkeypatch):
    vectors = _unit_vectors(2_000, seed=8)
    index = VectorIndex.build(vectors, np.arange(2_000) * 7, IndexSpec("ivf-sq8", nlist=16, nprobe=2))
    whole = measure_recall(index, queries=50)
    monkeypatch.setattr(vectors_module, "STORED_CHUNK", 97)
    chunked = measure_recall(index, queries=50)
    assert whole is not None and chunked is not None and chunked.at_10 == whole.at_10
    flat = VectorIndex.build(vectors, np.arange(2_000), IndexSpec(FLAT_FP16))
    assert sorted(np.concatenate([ids for _, ids in flat.stored_chunks()]).tolist()) == list(range(2_000))


def test_a_recall_field_is_checked_like_the_others():
    meta = {"model": "m", "dimension": 384, "index": {"kind": "ivf-sq8"}}
    assert meta_problem({**meta, "recall_at_10": 1, "recall_sample": 200}) == ""
    assert meta_problem({**meta, "recall_at_10": True}) == '"recall_at_10" is a boolean, not a number'
    assert (
        meta_problem({**meta, "recall_at_10": -0.1}) == '"recall_at_10" is -0.1, not a share between 0 and 1'
    )
    assert meta_problem({**meta, "recall_sample": 0}) == '"recall_sample" is 0, not a positive number'
