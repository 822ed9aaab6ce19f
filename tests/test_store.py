"""The SQLite store: each sentence's context column, and BM25 over sentence and context."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from index import store
from index.store import Store, sentence_context

TITLE = "Seoul says North Korean troops are dying in Kursk"
TEXTS = [
    "Lee Seong-kweon briefed lawmakers in Seoul on Friday.",
    "He said about 600 soldiers had been killed.",
    "Thousands more were wounded, he added.",
    "The ministry gave no further details.",
]


def test_context_is_the_headline_and_two_sentences_either_side():
    assert sentence_context(TITLE, TEXTS, 0) == f"{TITLE} {TEXTS[1]} {TEXTS[2]}"
    assert sentence_context(TITLE, TEXTS, 3) == f"{TITLE} {TEXTS[1]} {TEXTS[2]}"
    assert sentence_context("", TEXTS, 2) == f"{TEXTS[0]} {TEXTS[1]} {TEXTS[3]}"


def test_upgrading_an_older_index_fills_the_context_as_a_new_build_would(tmp_path):
    """An index built before the context column gets the same context from the migration's SQL."""
    db = sqlite_utils.Database(tmp_path / "old.db")
    store.m001_articles_and_sentences(db)
    db.table("articles").insert({"id": 1, "title": TITLE})
    db.table("sentences").insert_all(
        {"article_id": 1, "position": n, "text": text} for n, text in enumerate(TEXTS)
    )
    store.m002_sentence_context(db)
    migrated = [row["context"] for row in db.table("sentences").rows_where(order_by="position")]
    assert migrated == [sentence_context(TITLE, TEXTS, n) for n in range(len(TEXTS))]
    hits = db.execute("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH 'Seong'").fetchall()
    assert len(hits) == 3  # its own sentence, and the two after it through their context


def test_bm25_finds_a_sentence_by_the_name_in_the_sentence_before_it(tmp_path):
    built = Store.open_for_build(tmp_path / "index.db")
    built.db.table("articles").insert_all([{"id": 1, "title": "Casualties"}, {"id": 2, "title": "Weather"}])
    ids = built.insert_sentences(1, "Casualties", TEXTS, ["text"] * len(TEXTS))
    rain = [f"Rain is expected on day {n}." for n in range(20)]
    built.insert_sentences(2, "Weather", rain, ["text"] * len(rain))
    built.finish()
    reader = Store.open_read_only(tmp_path / "index.db")

    found = [sentence_id for sentence_id, _ in reader.full_text_search('"seong"', 10, context_weight=0.2)]
    assert found[0] == ids[0]  # the name in the sentence itself counts most
    assert sorted(found[1:]) == [ids[1], ids[2]]  # "He said about 600 soldiers had been killed."

    alone = reader.full_text_search('text : ("seong")', 10, context_weight=0.2)
    assert [sentence_id for sentence_id, _ in alone] == [ids[0]]


def test_furniture_feeds_its_neighbours_context_but_is_never_a_candidate_or_context_shown(tmp_path):
    built = Store.open_for_build(tmp_path / "index.db")
    built.db.table("articles").insert({"id": 1, "title": "Casualties"})
    lines = [
        "Kursk fighting",
        "About 600 soldiers had been killed, officials said.",
        "More:Kursk offensive stalls",
    ]
    ids = built.insert_sentences(1, "Casualties", lines, ["heading", "text", "related"])
    built.finish()
    reader = Store.open_read_only(tmp_path / "index.db")

    assert [i for i, _ in reader.full_text_search('"kursk"', 10, context_weight=0.2)] == [ids[1]]
    assert reader.neighbours(1, 1, 1) == [(1, lines[1])]
    assert reader.answerable_count() == 1
    assert reader.kind_counts() == {"heading": 1, "text": 1, "related": 1}


def test_bm25_returns_the_prose_top_k_when_furniture_outranks_it(tmp_path):
    """Short furniture lines score higher and are dropped after ranking; the query goes deeper."""
    built = Store.open_for_build(tmp_path / "index.db")
    built.db.table("articles").insert({"id": 1, "title": "War"})
    teasers = [f"Kursk {n}" for n in range(9)]
    prose = [
        "Fighting around Kursk went on through the winter, officials in Kyiv said on Monday.",
        "About 600 soldiers were killed near Kursk, according to the briefing given to lawmakers.",
    ]
    ids = built.insert_sentences(1, "War", teasers + prose, ["related"] * len(teasers) + ["text"] * 2)
    built.finish()
    reader = Store.open_read_only(tmp_path / "index.db")

    found = reader.full_text_search('"kursk"', 2, context_weight=0.0)
    assert sorted(i for i, _ in found) == sorted(ids[-2:])
    assert found[0][1] >= found[1][1] > 0


def _index_before_lines_were_classified(path: Path) -> sqlite_utils.Database:
    """The sample article in an index of the first two schema versions."""
    db = sqlite_utils.Database(path)
    store.m001_articles_and_sentences(db)
    store.m002_sentence_context(db)
    db.table("articles").insert({"id": 1, "title": TITLE})
    db.table("sentences").insert_all(
        {"article_id": 1, "position": n, "text": text, "context": ""} for n, text in enumerate(TEXTS)
    )
    return db


def test_an_index_built_before_lines_were_classified_offers_every_sentence(tmp_path):
    db = _index_before_lines_were_classified(tmp_path / "old.db")
    db.close()
    reader = Store.open_read_only(tmp_path / "old.db")
    assert [i for i, _ in reader.full_text_search('"seong"', 10, context_weight=0.2)] == [1]
    assert reader.answerable_count() == len(TEXTS)


def test_upgrading_an_older_index_gives_each_article_its_identity(tmp_path, monkeypatch):
    """URL first; else a file that holds one article, resolved where the build runs; else the text."""
    monkeypatch.chdir(tmp_path)
    db = sqlite_utils.Database(tmp_path / "old.db")
    store.m001_articles_and_sentences(db)
    db.table("articles").insert_all(
        [
            {
                "id": 1,
                "title": "a",
                "url": "https://example.com/a",
                "path": "desk/a.txt",
                "content_hash": "h1",
            },
            {"id": 2, "title": "b", "url": None, "path": "desk/b.txt", "content_hash": "h2"},
            {"id": 3, "title": "c", "url": None, "path": "desk/feed.jsonl", "content_hash": "h3"},
        ]
    )
    store.m005_article_identity(db)
    rows = {row["id"]: (row["identity"], row["path"]) for row in db.table("articles").rows}
    assert rows == {
        1: ("url:https://example.com/a", str(tmp_path / "desk" / "a.txt")),
        2: (f"path:{tmp_path / 'desk' / 'b.txt'}", str(tmp_path / "desk" / "b.txt")),
        3: ("text:h3", str(tmp_path / "desk" / "feed.jsonl")),
    }


WORDS = ["soldiers", "Soldier", "killed", "rain", "seoul", "covid-19", "expected", "absent"]


def _recounted(reader: Store) -> dict[str, int]:
    """Every term's sentences as the full-text index itself counts them."""
    reader.db.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, sentences_fts, 'col')")
    rows = reader.db.execute("SELECT term, doc FROM temp.terms WHERE col = 'text' AND doc > 0")
    return dict(rows.fetchall())


def test_term_counts_follow_every_add_and_removal_as_the_full_text_index_counts_them(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "TERM_TALLY_LINES", 7)  # fold mid-build as well as at commits
    built = Store.open_for_build(tmp_path / "index.db")
    built.db.table("articles").insert_all([{"id": n, "title": str(n)} for n in (1, 2, 3)])
    built.insert_sentences(1, TITLE, TEXTS, ["text"] * len(TEXTS))
    built.insert_sentences(2, "Weather", [f"Rain is expected on day {n}." for n in range(20)], ["text"] * 20)
    built.commit()
    built.insert_sentences(3, "Covid", ["Covid-19 soldiers were killed, Seoul said."], ["text"])
    built.delete_sentences(2)
    built.insert_sentences(2, "Weather", ["Rain again.", "Rain stopped the soldier."], ["text"] * 2)
    built.finish()

    reader = Store.open_read_only(tmp_path / "index.db")
    kept = dict(reader.db.execute("SELECT term, sentences FROM term_sentences").fetchall())
    assert kept == _recounted(reader)
    assert kept["soldier"] == 3 and kept["rain"] == 2 and "dai" not in kept  # the removed days are gone
    live = {word: reader._counted_in_index(word, 1000) for word in WORDS}
    assert reader.term_counts(WORDS, 1000) == live
    assert live["soldiers"] == 3 and live["covid-19"] == 1 and live["absent"] == 0
    assert reader.term_counts(["soldiers", "absent"], 2) == {"soldiers": 2, "absent": 0}


def test_an_older_index_counts_terms_in_its_full_text_index_until_the_migration_adds_the_table(tmp_path):
    db = _index_before_lines_were_classified(tmp_path / "old.db")
    before = Store.open_read_only(tmp_path / "old.db").term_counts(WORDS, 1000)
    store.m006_term_sentences(db)
    db.close()
    after = Store.open_read_only(tmp_path / "old.db")
    assert after.term_counts(WORDS, 1000) == before
    assert before["soldiers"] == 1 and before["seoul"] == 1 and before["rain"] == 0
    assert after.db.execute("SELECT sentences FROM term_sentences WHERE term = 'soldier'").fetchone() == (1,)
