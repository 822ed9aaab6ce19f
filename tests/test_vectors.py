"""FAISS: half-precision exhaustive search ranks as exact search; full-precision indexes still load."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

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


def test_a_question_s_search_leaves_the_thread_s_faiss_threads_as_they_were():
    import faiss

    vectors = _unit_vectors(500)
    index = VectorIndex.build(vectors, np.arange(500), IndexSpec(FLAT_FP16))
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        assert [i for i, _ in index.search(vectors[3], 1)] == [3]
        assert faiss.omp_get_max_threads() == 2  # a build in this thread keeps its cores
    finally:
        faiss.omp_set_num_threads(before)


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


def test_a_growing_index_is_rebuilt_as_ivf_reading_its_source_to_train_then_to_size_and_fill_lists(
    monkeypatch,
):
    import index.vectors as vectors_module

    # 4 lists x 30 = 120 training vectors: the 100 held and 20 rows of the first chunk of 50.
    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 30)
    vectors = _unit_vectors(400, seed=9)
    small = VectorIndex.build(vectors[:100], np.arange(100), IndexSpec(FLAT_FP16))
    pulled = []

    def chunks():
        for start in range(100, 400, 50):
            pulled.append(start)
            yield vectors[start : start + 50], np.arange(start, start + 50)

    ivf = small.rebuilt_as(IndexSpec("ivf-sq8", nlist=4, nprobe=4), chunks)
    assert ivf.spec.kind == "ivf-sq8" and ivf.count == 400
    assert sorted(ivf.vectors_and_ids()[1].tolist()) == list(range(400))
    assert ivf.search(vectors[321], 1)[0][0] == 321
    assert ivf.search(vectors[140], 1)[0][0] == 140  # from the part of a chunk not trained on
    # Training stops after the first chunk; counting each list's vectors and adding read them all.
    assert pulled == [100] + list(range(100, 400, 50)) * 2


def test_lists_sized_before_filling_hold_what_lists_grown_by_appending_hold(monkeypatch):
    """Allocating each list once at its final size changes nothing FAISS stores or finds."""
    import index.vectors as vectors_module

    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 100)  # 4 lists x 100: trains on all 400
    vectors, ids = _unit_vectors(400, seed=3), np.arange(1_000, 1_400)
    spec = IndexSpec("ivf-sq8", nlist=4, nprobe=2)
    appended = VectorIndex.build(vectors, ids, spec)
    chunks = [(vectors[start : start + 64], ids[start : start + 64]) for start in range(0, 400, 64)]
    sized = VectorIndex.empty(384).rebuilt_as(spec, lambda: chunks)

    for built in (appended, sized):
        assert sorted(built.ids().tolist()) == list(range(1_000, 1_400))
    stored = dict(zip(*reversed(appended.vectors_and_ids())))  # id -> decoded vector
    for vector, row_id in zip(*sized.vectors_and_ids(), strict=True):
        assert np.array_equal(vector, stored[row_id])
    for row in (0, 77, 399):
        assert sized.search(vectors[row], 10) == appended.search(vectors[row], 10)


def test_an_empty_chunk_before_training_is_skipped(monkeypatch):
    """A build whose reused vectors belong to no waiting sentence hands over an empty chunk first."""
    import index.vectors as vectors_module

    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 30)
    vectors = _unit_vectors(200, seed=4)
    chunks = [(np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64))]
    chunks += [(vectors[start : start + 50], np.arange(start, start + 50)) for start in range(0, 200, 50)]
    ivf = VectorIndex.empty(vectors.shape[1]).rebuilt_as(
        IndexSpec("ivf-sq8", nlist=4, nprobe=4), lambda: chunks
    )
    assert ivf.count == 200
    assert ivf.search(vectors[130], 1)[0][0] == 130


def test_lists_and_the_training_sample_stop_growing_at_a_million_vectors():
    from index.vectors import MAX_NLIST, training_size

    at_a_million, at_ten_million = choose_spec(1_000_000), choose_spec(10_000_000)
    assert at_a_million.nlist == at_ten_million.nlist == MAX_NLIST
    assert training_size(at_ten_million) == training_size(at_a_million) == 262_144
    assert training_size(choose_spec(1_000)) == 0


def _council_articles(folder: Path) -> None:
    """The news articles (nine lines) and nine council reports of five lines each: 54 to embed."""
    from conftest import NEWS_ARTICLES, write_article

    towns = ["Ashford", "Bexley", "Carlow", "Dunmore", "Elgin", "Fenwick", "Garston", "Hexham", "Ilford"]
    filler = [
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
    for number, article in enumerate([*NEWS_ARTICLES, *filler]):
        write_article(folder, f"{number:03d}.txt", article)


def _watch_vectors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record in order each call to the encoder, to IVF training and to FAISS's add, with its row count."""
    import index.vectors as vectors_module
    from index.embedder import Embedder

    events: list[tuple[str, int]] = []
    encode, add, new_index = Embedder.encode, VectorIndex.add, vectors_module._new_index

    def watched_encode(self: Embedder, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        events.append(("encode", len(texts)))
        return encode(self, texts, **kwargs)

    def watched_add(self: VectorIndex, vectors: np.ndarray, ids: np.ndarray) -> None:
        events.append(("add", len(ids)))
        add(self, vectors, ids)

    def watched_new_index(spec: IndexSpec, dimension: int, training: np.ndarray) -> Any:
        if len(training):
            events.append(("train", len(training)))
        return new_index(spec, dimension, training)

    monkeypatch.setattr(Embedder, "encode", watched_encode)
    monkeypatch.setattr(VectorIndex, "add", watched_add)
    monkeypatch.setattr(vectors_module, "_new_index", watched_new_index)
    return events


def test_a_build_of_many_small_batches_never_holds_all_its_vectors(monkeypatch, tmp_path, embedder):
    """Each chunk of texts is encoded and handed to FAISS before the next is encoded, so the build
    holds one chunk of new vectors at a time, never all of them."""
    import index.vector_update as vector_update
    from index.build import build_index
    from index.config import Settings

    monkeypatch.setattr(vector_update, "ENCODE_CHUNK", 4)
    _council_articles(tmp_path / "articles")
    events = _watch_vectors(monkeypatch)
    # Headed vectors (tests/test_headed_vectors.py) are left out: only FAISS's vectors are watched.
    settings = Settings(index_dir=tmp_path / "index", headed_vectors=False)
    report = build_index(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)

    encoded = [n for kind, n in events if kind == "encode"]
    assert report.sentences_embedded == sum(encoded) == 54
    assert encoded == [4] * 13 + [2]
    assert [kind for kind, _ in events] == ["encode", "add"] * 14
    assert sum(n for kind, n in events if kind == "add") == report.sentences_total


def test_a_build_past_the_exact_limit_spools_its_vectors_and_builds_ivf_after_encoding(
    monkeypatch, tmp_path, embedder
):
    """Crossing the exhaustive limit, each chunk goes to disk as it is encoded; only when every
    text is encoded and the encoder has let go of its memory is IVF trained and filled, so the
    build never holds the encoder and a growing index at once. The spool is gone when the version
    is published, and the search still finds the sentence."""
    from conftest import NK_SENTENCE

    import index.vector_update as vector_update
    import index.vectors as vectors_module
    from index.build import build_index
    from index.config import Settings
    from index.embedder import Embedder
    from index.search import Searcher
    from index.vector_spool import VectorSpool

    monkeypatch.setattr(vectors_module, "EXACT_SEARCH_LIMIT", 5)
    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 1)
    monkeypatch.setattr(vector_update, "ENCODE_CHUNK", 3)
    _council_articles(tmp_path / "articles")
    events = _watch_vectors(monkeypatch)
    spool_append, release = VectorSpool.append, Embedder.release
    monkeypatch.setattr(
        VectorSpool,
        "append",
        lambda self, m, ids: (events.append(("spool", len(ids))), spool_append(self, m, ids)),
    )
    monkeypatch.setattr(Embedder, "release", lambda self: (events.append(("release", 0)), release(self)))
    settings = Settings(index_dir=tmp_path / "index", headed_vectors=False)
    report = build_index(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)
    assert report.index_type == "ivf-sq8 (nlist=32, nprobe=32)"

    assert events[:36] == [("encode", 3), ("spool", 3)] * 18
    assert events[36:] == [("release", 0), ("train", 32)]  # filled by FAISS's add_core, not `add`
    assert report.sentences_embedded == 54
    version = tmp_path / "index" / "versions" / report.version
    assert not list(version.glob("vectors-waiting*"))

    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE
    assert (answer.results[0].source, answer.results[0].date.isoformat()) == ("AFP", "2025-06-26")


def test_an_ivf_index_that_outgrows_its_lists_is_retrained_and_keeps_every_sentence(
    monkeypatch, tmp_path, embedder
):
    """An archive four times the size its IVF lists were trained for gets twice the lists; the
    sentences already indexed come back from their stored codes, none is embedded again."""
    from conftest import NK_SENTENCE, write_article

    import index.vectors as vectors_module
    from index.build import add_articles, build_index
    from index.config import Settings
    from index.search import Searcher

    monkeypatch.setattr(vectors_module, "EXACT_SEARCH_LIMIT", 5)
    monkeypatch.setattr(vectors_module, "TRAINING_PER_LIST", 1)
    _council_articles(tmp_path / "articles")
    settings = Settings(index_dir=tmp_path / "index")
    first = build_index(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)
    assert first.index_type == "ivf-sq8 (nlist=32, nprobe=32)"

    wards = [f"Ward {n}" for n in range(20)]
    for number, ward in enumerate(wards):
        write_article(
            tmp_path / "more",
            f"{number:03d}.txt",
            {
                "title": f"{ward} report",
                "source": "The Courier",
                "date": "2024-06-01",
                "url": f"https://example.com/courier/ward-{number}",
                "text": "\n\n".join(
                    f"{ward} counted {n * 7 + number} potholes on {street} this spring."
                    for n, street in enumerate(["Mill Lane", "High Street", "Station Road", "Church Walk"])
                ),
            },
        )
    grown = add_articles(settings, [tmp_path / "more"], embedder=embedder, quiet=True)
    assert grown.sentences_embedded == 80 and grown.sentences_reused == 0
    assert grown.index_type == "ivf-sq8 (nlist=64, nprobe=64)"
    assert grown.sentences_total == first.sentences_total + 80

    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE
    assert (answer.results[0].source, answer.results[0].date.isoformat()) == ("AFP", "2025-06-26")
