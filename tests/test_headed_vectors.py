"""Headed vectors: each sentence read with its headline, stored at build for the default second stage."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
from conftest import NEWS_ARTICLES, NK_SENTENCE, write_article

from index import build, headed_vectors
from index.build import add_articles, build_index, remove_articles
from index.config import Settings
from index.search import Searcher
from index.second_stage import NO_SECOND_STAGE, SecondStage
from index.store import Store
from index.versions import DB_NAME, META_NAME, current_version

FED_TITLE = NEWS_ARTICLES[1]["title"]


def _stored(settings: Settings) -> dict[str, tuple[str, np.ndarray]]:
    """Each stored headed vector by its sentence's text, with its article's headline."""
    conn = sqlite3.connect(current_version(settings.index_dir) / DB_NAME)
    rows = conn.execute(
        "SELECT sentences.text, articles.title, headed_vectors.vector FROM headed_vectors "
        "JOIN sentences ON sentences.id = headed_vectors.sentence_id "
        "JOIN articles ON articles.id = sentences.article_id"
    ).fetchall()
    conn.close()
    return {
        text: (title, np.frombuffer(blob, dtype=np.float16).astype(np.float32)) for text, title, blob in rows
    }


def _answerable_texts(settings: Settings) -> set[str]:
    store = Store.open_read_only(current_version(settings.index_dir) / DB_NAME)
    try:
        return {text for _, _, text in store.embedded_texts()}
    finally:
        store.close()


def test_every_answerable_sentence_gets_the_vector_of_its_headline_and_text(make_index, embedder):
    settings = make_index()
    stored = _stored(settings)
    assert set(stored) == _answerable_texts(settings)
    title, vector = stored[NK_SENTENCE]
    assert title == NEWS_ARTICLES[0]["title"]
    expected = embedder.encode([f"{title}. {NK_SENTENCE}"])[0]
    assert float(vector @ expected) > 0.999  # half precision, else the same vector
    meta = json.loads((current_version(settings.index_dir) / META_NAME).read_text())
    assert meta["headed_vectors"] == len(stored)


def test_an_updated_article_gets_new_headed_vectors_and_a_removed_one_loses_them(
    make_index, embedder, tmp_path
):
    settings = make_index()
    changed = dict(NEWS_ARTICLES[1], title="Fed leaves rates alone again")
    folder = tmp_path / "changed"
    write_article(folder, "001.txt", changed)
    report = add_articles(settings, [folder], embedder=embedder, quiet=True)
    assert report.articles_updated == 1
    assert report.headed_embedded == 2  # the Fed story's two sentences, under their new headline
    stored = _stored(settings)
    assert {title for title, _ in stored.values()} >= {"Fed leaves rates alone again"}
    assert FED_TITLE not in {title for title, _ in stored.values()}

    remove_articles(settings, urls=["https://example.com/afp/nk-troops"], quiet=True)
    stored = _stored(settings)
    assert NK_SENTENCE not in stored
    assert set(stored) == _answerable_texts(settings)


def test_an_updated_article_encodes_only_its_new_sentence_with_its_headline(make_index, embedder, tmp_path):
    settings = make_index()
    before = _stored(settings)
    changed = dict(NEWS_ARTICLES[1])
    changed["text"] += "\n\nMarkets rallied after the announcement, with the S&P 500 up 0.9%."
    write_article(tmp_path / "changed", "001.txt", changed)
    report = add_articles(settings, [tmp_path / "changed"], embedder=embedder, quiet=True)
    assert report.articles_updated == 1
    assert (report.headed_embedded, report.headed_reused) == (1, 2)  # the new sentence; the two kept
    stored = _stored(settings)
    assert set(stored) == _answerable_texts(settings)
    new = next(text for text in stored if text.startswith("Markets rallied"))
    expected = embedder.encode([f"{FED_TITLE}. {new}"])[0]
    assert float(stored[new][1] @ expected) > 0.999
    for text, (_, vector) in before.items():
        assert np.array_equal(stored[text][1], vector), text


def test_an_index_from_before_text_keys_gets_them_and_reuses_its_vectors(make_index, embedder, tmp_path):
    settings = make_index()
    db = current_version(settings.index_dir) / DB_NAME
    conn = sqlite3.connect(db)  # back to what the m007 schema stored: vectors without text keys
    with conn:
        conn.execute("DROP INDEX headed_vectors_text_key")
        conn.execute("ALTER TABLE headed_vectors DROP COLUMN text_key")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_headed_vector_keys'")
    conn.close()
    changed = dict(NEWS_ARTICLES[1])
    changed["text"] += "\n\nMarkets rallied after the announcement, with the S&P 500 up 0.9%."
    write_article(tmp_path / "changed", "001.txt", changed)
    report = add_articles(settings, [tmp_path / "changed"], embedder=embedder, quiet=True)
    assert (report.headed_embedded, report.headed_reused) == (1, 2)


def test_a_pipeline_change_reuses_the_previous_version_s_headed_vectors(
    make_index, embedder, tmp_path, monkeypatch
):
    settings = make_index()
    before = _stored(settings)
    monkeypatch.setattr(build, "PIPELINE_VERSION", build.PIPELINE_VERSION + 1)
    report = build_index(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)
    assert report.articles_new == len(NEWS_ARTICLES)  # every article written anew
    assert (report.headed_embedded, report.headed_reused) == (0, len(before))
    after = _stored(settings)
    assert set(after) == set(before)
    for text, (_, vector) in before.items():
        assert np.array_equal(after[text][1], vector), text


def test_turned_off_a_build_stores_none_and_the_first_stage_order_stands(tmp_path, embedder, write_articles):
    settings = Settings(index_dir=tmp_path / "index", headed_vectors=False)
    report = build_index(settings, [write_articles(NEWS_ARTICLES)], embedder=embedder, quiet=True)
    assert report.headed_embedded == 0
    assert _stored(settings) == {}
    plain = Searcher.open(settings, embedder)
    staged = Searcher.open(settings, embedder, second_stage=SecondStage.load(Settings()))
    question = "how many NK soldiers died?"
    assert [h.text for h in staged.search(question).results] == [
        h.text for h in plain.search(question).results
    ]


def test_the_default_second_stage_reads_stored_vectors_and_encodes_nothing(make_index, embedder):
    settings = make_index()
    stage = SecondStage.load(settings)
    assert stage is not None and stage.encoder is None and stage.own_model
    first = (
        Searcher.open(settings, embedder, second_stage=stage).search("how many NK soldiers died?").results[0]
    )
    assert (first.text, first.source, first.date.isoformat()) == (NK_SENTENCE, "AFP", "2025-06-26")


def test_stored_vectors_score_as_encoding_the_headed_sentences_would(embedder):
    question = "how many NK soldiers died?"
    teaser = ("Trump says he will meet Kim Jong Un again", "More: North Korea news")
    answer = (NK_SENTENCE, "North Korea to send more troops to Russia, Seoul says")
    ranked = [teaser, answer]
    vectors = embedder.encode([question, *(text for text, _ in ranked)])
    cosine_of = dict(zip(ranked, (float(v @ vectors[0]) for v in vectors[1:]))).__getitem__
    headed = dict(zip(ranked, embedder.encode([headed_vectors.headed_text(*item) for item in ranked])))

    stored_only = SecondStage(None, own_model=True)
    order = stored_only.reorder(
        question, ranked, lambda item: item, (vectors[0], cosine_of), lambda items: [headed[i] for i in items]
    )
    encoding = SecondStage(embedder, own_model=True)
    assert (
        order
        == encoding.reorder(question, ranked, lambda item: item, (vectors[0], cosine_of))
        == [answer, teaser]
    )
    # Nothing stored and nothing to encode with: the first stage's order is kept.
    nothing = stored_only.reorder(
        question, ranked, lambda item: item, (vectors[0], cosine_of), lambda items: [None] * len(items)
    )
    assert nothing == ranked


def test_none_turns_the_second_stage_off():
    assert SecondStage.load(Settings(rerank_model_path=NO_SECOND_STAGE)) is None
    assert Settings.from_env({"NEWSDESK_HEADED_VECTORS": "0"}).headed_vectors is False
    assert Settings.from_env({}).headed_vectors is True


def test_the_fill_holds_one_chunk_of_sentences_at_a_time(monkeypatch, tmp_path, embedder, write_articles):
    monkeypatch.setattr(headed_vectors, "FILL_CHUNK", 3)
    asked: list[int] = []

    class Recording:
        encoding, name, dimension = embedder.encoding, embedder.name, embedder.dimension

        def encode_chunks(self, texts, **kwargs):
            asked.append(len(texts))
            return embedder.encode_chunks(texts, **kwargs)

        def release(self):
            embedder.release()

    settings = Settings(index_dir=tmp_path / "index")
    report = build_index(settings, [write_articles(NEWS_ARTICLES)], embedder=Recording(), quiet=True)
    headed_calls = asked[1:]  # the first call embeds the sentences themselves
    assert max(headed_calls) <= 3 and sum(headed_calls) == report.headed_embedded == len(_stored(settings))
