"""The compressed kind (opq-ivf-pq): product-quantised codes propose, stored half-precision vectors rank."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import index.vectors as vectors_module
from index.errors import IndexDamagedError
from index.exact_vectors import ExactVectors
from index.recall import measure_recall
from index.store import Store
from index.vectors import IVF_PQ, IndexSpec, VectorIndex

DIMENSION = 32


def _clustered_vectors(count: int, seed: int = 3) -> np.ndarray:
    """Unit vectors around 40 topics, as sentence vectors cluster around what they are about."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, DIMENSION))
    rows = topics[rng.integers(0, 40, count)] + 0.5 * rng.normal(size=(count, DIMENSION))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _quick_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Train on 2,560 rows in two OPQ rounds: FAISS warns that PQ wants 9,984, which is fine here."""
    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 160)
    monkeypatch.setattr(vectors_module, "OPQ_ITERATIONS", 2)


def _compressed(tmp_path: Path, vectors: np.ndarray, ids: np.ndarray, rescore: int) -> VectorIndex:
    store = Store.open_for_build(tmp_path / f"rescore-{rescore}.db")
    spec = IndexSpec(IVF_PQ, nlist=16, nprobe=4, pq_bytes=8, rescore=rescore)
    chunks = [(vectors[:6_000], ids[:6_000]), (vectors[6_000:], ids[6_000:])]
    return VectorIndex.empty(DIMENSION, ExactVectors(store, DIMENSION)).rebuilt_as(spec, lambda: chunks)


@pytest.fixture(scope="module")
def archive() -> tuple[np.ndarray, np.ndarray]:
    return _clustered_vectors(12_000), np.arange(12_000, dtype=np.int64) * 7 + 3


def test_the_stored_vectors_rank_what_the_codes_propose(monkeypatch, tmp_path, archive):
    """Codes alone lose much of exact search's top 10; re-scoring by the stored vectors wins it
    back, and a stored vector's best match is itself at its exact cosine, 1.0."""
    vectors, ids = archive
    _quick_training(monkeypatch)
    codes_only = _compressed(tmp_path, vectors, ids, rescore=0)
    rescored = _compressed(tmp_path, vectors, ids, rescore=100)

    codes_recall, rescored_recall = measure_recall(codes_only), measure_recall(rescored)
    assert codes_recall is not None and rescored_recall is not None
    assert rescored_recall.at_10 >= 0.9
    assert rescored_recall.at_10 >= codes_recall.at_10 + 0.2
    for row in (0, 4_321, 11_999):
        best_id, best_score = rescored.search(vectors[row], 3)[0]
        assert best_id == ids[row]
        assert best_score == pytest.approx(1.0, abs=2e-3)


def test_a_compressed_index_hands_back_stored_vectors_saves_loads_and_forgets(monkeypatch, tmp_path, archive):
    vectors, ids = archive
    _quick_training(monkeypatch)
    index = _compressed(tmp_path, vectors, ids, rescore=100)
    assert index.exact is not None and index.exact.count() == index.count == 12_000

    wanted = [int(ids[5]), int(ids[9_000])]
    assert np.abs(index.reconstruct(wanted) - vectors[[5, 9_000]]).max() < 1e-3

    path = tmp_path / "vectors.faiss"
    index.save(path)
    index.exact.store.commit()
    spec = index.spec
    assert VectorIndex.glance(path, spec, index.count, DIMENSION) == ""
    with pytest.raises(ValueError, match="needs the vectors its database keeps"):
        VectorIndex.load(path, spec)
    loaded = VectorIndex.load(path, spec, index.exact)
    assert loaded.search(vectors[77], 5) == index.search(vectors[77], 5)

    loaded.remove([int(ids[77])])
    assert loaded.count == index.exact.count() == 11_999
    assert int(ids[77]) not in [found for found, _ in loaded.search(vectors[77], 10)]
    with pytest.raises(IndexDamagedError, match="no stored vector for sentence"):
        loaded.reconstruct([int(ids[77])])


def test_an_archive_past_the_limit_is_built_compressed_and_answers_with_source_and_date(
    monkeypatch, tmp_path, embedder
):
    """The whole path with the real model: a build past COMPRESSED_LIMIT makes the compressed kind
    and records its recall; the answer, its outlet and date come back; an update adds to it; the
    index check finds every code with its stored vector."""
    from conftest import NK_SENTENCE, write_article

    from index.build import add_articles, build_index
    from index.config import Settings
    from index.integrity import check_index
    from index.search import Searcher

    monkeypatch.setattr(vectors_module, "EXACT_SEARCH_LIMIT", 5)
    monkeypatch.setattr(vectors_module, "COMPRESSED_LIMIT", 10)
    monkeypatch.setattr(vectors_module, "PQ_BYTES", 8)
    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 7)  # 64 lists: 441 rows, >= 384 OPQ needs
    monkeypatch.setattr(vectors_module, "OPQ_ITERATIONS", 2)
    _reports(tmp_path / "articles")
    settings = Settings(index_dir=tmp_path / "index", headed_vectors=False)
    report = build_index(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)
    assert report.index_type.startswith("opq-ivf-pq (nlist=64, nprobe=64, PQ8x8")
    meta = json.loads((tmp_path / "index" / "current" / "build.json").read_text())
    assert meta["index"]["kind"] == IVF_PQ and meta["index"]["rescore"] == 100
    assert meta["recall_at_10"] >= 0.9

    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE
    assert (answer.results[0].source, answer.results[0].date.isoformat()) == ("AFP", "2025-06-26")

    write_article(
        tmp_path / "more",
        "late.txt",
        {
            "title": "Harbour bridge reopens",
            "source": "The Courier",
            "date": "2024-07-02",
            "url": "https://example.com/courier/harbour-bridge",
            "text": "The harbour bridge reopened on Tuesday after a repair that cost 4.2 million pounds.",
        },
    )
    added = add_articles(settings, [tmp_path / "more"], embedder=embedder, quiet=True)
    assert added.index_type == report.index_type and added.sentences_embedded == 1
    answer = Searcher.open(settings, embedder).search("how much did fixing the harbour bridge cost?")
    assert answer.results[0].text.startswith("The harbour bridge reopened on Tuesday")
    assert (answer.results[0].source, answer.results[0].date.isoformat()) == ("The Courier", "2024-07-02")

    check = check_index(settings.index_dir, embedder.name, lambda: embedder.dimension)
    assert check.ok, check.problems
    meta = json.loads((tmp_path / "index" / "current" / "build.json").read_text())
    assert check.counts["vectors"] == meta["vectors"] == meta["answerable_sentences"]

    import sqlite3

    database = sqlite3.connect(tmp_path / "index" / "current" / "newsdesk.db")
    with database:
        database.execute(
            "DELETE FROM sentence_vectors WHERE sentence_id = (SELECT min(sentence_id) FROM sentence_vectors)"
        )
    database.close()
    damaged = check_index(settings.index_dir, embedder.name, lambda: embedder.dimension)
    assert any(
        "1 FAISS codes without the sentence vector they are re-scored by" in p for p in damaged.problems
    )


def _reports(folder: Path) -> None:
    """The news articles and 48 council reports of nine lines each: 441 sentences to embed."""
    from conftest import NEWS_ARTICLES, write_article

    topics = ["roads", "schools", "parks", "water", "housing", "buses", "libraries", "bins", "lighting"]
    for number, article in enumerate(NEWS_ARTICLES):
        write_article(folder, f"news-{number}.txt", article)
    for number in range(48):
        town = f"Ward {number}"
        write_article(
            folder,
            f"{number:03d}.txt",
            {
                "title": f"{town} council meets",
                "source": "The Courier",
                "date": "2024-05-01",
                "url": f"https://example.com/courier/ward-{number}",
                "text": "\n\n".join(
                    f"The {town} council spent {n + number} hours on item {n} of its agenda, about {topic}."
                    for n, topic in enumerate(topics)
                ),
            },
        )


def test_archives_past_two_million_sentences_get_the_compressed_kind():
    from index.vectors import choose_spec

    assert choose_spec(2_000_000).kind == "ivf-sq8"
    past = choose_spec(2_000_001)
    assert (past.kind, past.nlist, past.nprobe, past.pq_bytes, past.rescore) == (IVF_PQ, 4096, 128, 64, 100)
    assert IndexSpec("ivf-sq8", 16, 4).to_json() == {"kind": "ivf-sq8", "nlist": 16, "nprobe": 4}
