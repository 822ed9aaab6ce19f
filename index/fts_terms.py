"""The terms FTS5 indexes for a text, from SQLite's own tokenizer in a private in-memory database.

A question word's IDF needs how many sentences hold it. Counting that in the index walks the word's
posting list (20 ms a question at 1.46M lines); the index's `term_sentences` table keeps the count
per term instead, and this module is how both sides name a term exactly as FTS5 does ("soldiers"
and "soldier" are one porter term) without re-implementing the stemmer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

# Must be the tokenizer the sentences' full-text index was made with (store.m001, m002).
TOKENIZER = "porter"

_local = threading.local()


def terms_of_each(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The indexed terms of each word, in order: one for a plain word, several for "covid-19"."""
    conn = _stemming_connection()
    with conn:
        conn.executemany("INSERT INTO words (rowid, text) VALUES (?, ?)", list(enumerate(words)))
        found: dict[int, list[tuple[int, str]]] = {}
        for doc, offset, term in conn.execute("SELECT doc, offset, term FROM word_terms"):
            found.setdefault(doc, []).append((offset, term))
        conn.execute("DELETE FROM words")
    return [tuple(term for _, term in sorted(found.get(i, []))) for i in range(len(words))]


def _stemming_connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(text, tokenize='{TOKENIZER}')")
        conn.execute("CREATE VIRTUAL TABLE word_terms USING fts5vocab(words, 'instance')")
        _local.conn = conn
    return conn


class TermTally:
    """Sentences per term among texts added and removed since the last `drain`, for one writer."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:")
        self._create_tables()
        self.pending = 0

    def add(self, texts: Sequence[str]) -> None:
        self._insert("added", texts)

    def remove(self, texts: Sequence[str]) -> None:
        self._insert("removed", texts)

    def drain(self) -> dict[str, int]:
        """The change in each term's sentence count; zero changes are left out."""
        change: dict[str, int] = {}
        for table, sign in (("added", 1), ("removed", -1)):
            for term, docs in self._conn.execute(f"SELECT term, doc FROM {table}_terms"):
                change[term] = change.get(term, 0) + sign * docs
            self._conn.execute(f"DROP TABLE {table}_terms")
            self._conn.execute(f"DROP TABLE {table}")
        self._create_tables()
        self.pending = 0
        return {term: n for term, n in change.items() if n}

    def close(self) -> None:
        self._conn.close()

    def _create_tables(self) -> None:
        for table in ("added", "removed"):
            self._conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(text, tokenize='{TOKENIZER}')")
            self._conn.execute(f"CREATE VIRTUAL TABLE {table}_terms USING fts5vocab({table}, 'row')")

    def _insert(self, table: str, texts: Sequence[str]) -> None:
        self._conn.executemany(f"INSERT INTO {table} (text) VALUES (?)", [(t,) for t in texts])
        self.pending += len(texts)
