"""The SQLite side (sqlite-utils): schema migrations, articles, sentences, FTS5, build metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .fts_terms import TermTally, terms_of_each
from .identity import holds_one_article
from .records import Article

migrations = Migrations("newsdesk")

# Sentences either side of a sentence that, after the headline, make up its `context` column. BM25
# searches it too, at a lower weight (ranking.CONTEXT_WEIGHT), so "he said 600 died" is found by
# the name in the sentence before it or in the headline.
CONTEXT_WINDOW = 2
# The words of the vocabulary table, as spelling.corrections reads a question.
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
# SQLite's limit on bound parameters is 999 in older builds; look words up in chunks this size.
_CHUNK = 900
# A writer folds its lines' term counts into `term_sentences` at every commit and after this many
# lines, so the tally's in-memory index stays small however large the build.
TERM_TALLY_LINES = 20_000
HEADED_VECTORS = "headed_vectors"
SPARE_HEADED_VECTORS = "spare_headed_vectors"
# Half-precision sentence vectors, kept only for a compressed FAISS index (index/exact_vectors.py).
SENTENCE_VECTORS = "sentence_vectors"
# The previous version's database, attached to a rebuild after a pipeline change for its headed vectors.
PREVIOUS = "previous"


@migrations()
def m001_articles_and_sentences(db: sqlite_utils.Database) -> None:
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "title": str,
            "source": str,
            "date": str,
            "authors": str,
            "path": str,
            "content_hash": str,
            "added_at": str,
        },
        pk="id",
    )
    db.table("articles").create_index(["url"])
    db.table("articles").create_index(["content_hash"])
    db.table("articles").create_index(["date"])
    db.table("sentences").create(
        {"id": int, "article_id": int, "position": int, "text": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("sentences").create_index(["article_id", "position"], unique=True)
    db.table("sentences").enable_fts(["text"], tokenize="porter", create_triggers=True)
    db.table("build_info").create({"key": str, "value": str}, pk="key")


@migrations()
def m002_sentence_context(db: sqlite_utils.Database) -> None:
    """Give every sentence its neighbours' text and index both columns for full-text search."""
    db.table("sentences").add_column("context", str)
    lags = [f"lag(sentences.text, {n}) OVER around" for n in range(CONTEXT_WINDOW, 0, -1)]
    leads = [f"lead(sentences.text, {n}) OVER around" for n in range(1, CONTEXT_WINDOW + 1)]
    # Each part and a space, skipping missing and empty parts, as sentence_context joins them.
    parts = " || ".join(
        f"coalesce(nullif({part}, '') || ' ', '')" for part in ["articles.title", *lags, *leads]
    )
    db.execute(
        "UPDATE sentences SET context = neighbours.context FROM "
        f"(SELECT sentences.id, rtrim({parts}, ' ') AS context "
        "FROM sentences JOIN articles ON articles.id = sentences.article_id "
        "WINDOW around AS (PARTITION BY sentences.article_id ORDER BY sentences.position)) AS neighbours "
        "WHERE neighbours.id = sentences.id"
    )
    db.table("sentences").disable_fts()
    db.table("sentences").enable_fts(["text", "context"], tokenize="porter", create_triggers=True)


@migrations()
def m003_sentence_kind(db: sqlite_utils.Database) -> None:
    """What each line is (`furniture.KINDS`); NULL in an index built before lines were classified."""
    db.table("sentences").add_column("kind", str)


@migrations()
def m004_vocabulary(db: sqlite_utils.Database) -> None:
    """How often each lower-case word occurs in the archive, for mending typos in questions."""
    db.execute("CREATE TABLE vocabulary (word TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID")
    counts: Counter[str] = Counter()
    for (text,) in db.execute("SELECT text FROM sentences"):
        counts.update(_words(text))
    _add_words(db.conn, counts, 1)


@migrations()
def m005_article_identity(db: sqlite_utils.Database) -> None:
    """What makes two inputs one article (`identity.identity`), and each article's file as an absolute path.

    Rows stored before keep their URL as identity, else the file that holds only them (resolved
    against the folder the build runs in, as it was read), else their content hash.
    """
    db.table("articles").add_column("identity", str)
    rows = db.execute("SELECT id, url, path, content_hash FROM articles").fetchall()
    updates = []
    for article_id, url, path, digest in rows:
        resolved = os.path.abspath(path) if path else None
        if url:
            key = "url:" + url
        elif resolved and holds_one_article(resolved):
            key = "path:" + resolved
        else:
            key = "text:" + digest
        updates.append((key, resolved, article_id))
    db.conn.executemany("UPDATE articles SET identity = ?, path = ? WHERE id = ?", updates)
    db.table("articles").create_index(["identity"])


@migrations()
def m006_term_sentences(db: sqlite_utils.Database) -> None:
    """How many sentences hold each full-text term, so a question's IDFs are lookups, not index walks."""
    db.execute(
        "CREATE TABLE term_sentences (term TEXT PRIMARY KEY, sentences INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute("CREATE VIRTUAL TABLE temp.sentence_terms USING fts5vocab(main, sentences_fts, 'col')")
    db.execute(
        "INSERT INTO term_sentences (term, sentences) "
        "SELECT term, doc FROM temp.sentence_terms WHERE col = 'text' AND doc > 0"
    )
    db.execute("DROP TABLE temp.sentence_terms")


@migrations()
def m007_headed_vectors(db: sqlite_utils.Database) -> None:
    """Each answerable sentence's vector as "headline. sentence", half precision (index/headed_vectors.py).

    Empty when created: the build that applies this fills it for every sentence already stored.
    """
    db.execute(f"CREATE TABLE {HEADED_VECTORS} (sentence_id INTEGER PRIMARY KEY, vector BLOB NOT NULL)")


@migrations()
def m008_headed_vector_keys(db: sqlite_utils.Database) -> None:
    """Each headed vector's text key (headed_key), so a build reuses the vector of a headed text it
    has seen (an updated article's unchanged sentences, a rebuild after a pipeline change)."""
    db.execute(f"ALTER TABLE {HEADED_VECTORS} ADD COLUMN text_key INTEGER")
    rows = db.execute(
        f"SELECT {HEADED_VECTORS}.sentence_id, articles.title, sentences.text FROM {HEADED_VECTORS} "
        f"JOIN sentences ON sentences.id = {HEADED_VECTORS}.sentence_id "
        "JOIN articles ON articles.id = sentences.article_id"
    ).fetchall()
    db.conn.executemany(
        f"UPDATE {HEADED_VECTORS} SET text_key = ? WHERE sentence_id = ?",
        [(headed_key(headed_text(text, title)), sentence_id) for sentence_id, title, text in rows],
    )
    db.execute(f"CREATE INDEX {HEADED_VECTORS}_text_key ON {HEADED_VECTORS} (text_key)")


@migrations()
def m009_sentence_vectors(db: sqlite_utils.Database) -> None:
    """Each answerable sentence's own vector in half precision, for an index whose FAISS codes are
    too coarse to rank by or to reuse (index/exact_vectors.py); empty for every other kind."""
    db.execute(f"CREATE TABLE {SENTENCE_VECTORS} (sentence_id INTEGER PRIMARY KEY, vector BLOB NOT NULL)")


def headed_text(text: str, title: str) -> str:
    """What the encoder reads for a sentence with its headline; the quoted text is never this."""
    return f"{title}. {text}" if title else text


def headed_key(text: str) -> int:
    """A headed text's 64-bit key: equal texts, equal keys (a collision is one in 2**64 a pair)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _add_words(conn: sqlite3.Connection, counts: Counter[str], sign: int) -> None:
    conn.executemany(
        "INSERT INTO vocabulary (word, count) VALUES (?, ?) "
        "ON CONFLICT (word) DO UPDATE SET count = count + excluded.count",
        [(word, sign * n) for word, n in counts.items()],
    )
    if sign < 0:
        conn.execute("DELETE FROM vocabulary WHERE count <= 0")


# A sentence that may be offered as an answer: prose, or one stored before lines were classified.
_PROSE = "({table}.kind IS NULL OR {table}.kind = 'text')"
# BM25 reads this many times the matches asked for, so furniture dropped after ranking rarely
# leaves fewer than asked (1.3 fell short for 12% of questions on the RealTime QA index).
FTS_DEPTH_MARGIN = 2


def quote_term(term: str) -> str:
    """One FTS5 string, so user text can never be FTS syntax."""
    return '"' + term.replace('"', '""') + '"'


def sentence_context(title: str, texts: Sequence[str], position: int) -> str:
    """The context column of the sentence at `position`: the headline, then the sentences around it."""
    around = [
        *texts[max(0, position - CONTEXT_WINDOW) : position],
        *texts[position + 1 : position + 1 + CONTEXT_WINDOW],
    ]
    return " ".join(part for part in [title, *around] if part)


@dataclass(frozen=True)
class ArticleRow:
    id: int
    url: str | None
    title: str
    source: str | None
    date: dt.date | None
    content_hash: str
    identity: str
    path: str | None


@dataclass(frozen=True)
class SentenceRow:
    id: int
    article_id: int
    position: int
    text: str
    title: str
    source: str | None
    date: dt.date | None
    url: str | None


SENTENCE_COLUMNS = (
    "sentences.id, sentences.article_id, sentences.position, sentences.text, "
    "articles.title, articles.source, articles.date, articles.url"
)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Store:
    """One index version's database. Writers use `open_for_build`; readers open read-only."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.db = sqlite_utils.Database(conn)
        self._classified = self._has_column("sentences", "kind")
        self._has_vocabulary = self.db.table("vocabulary").exists()
        self._has_term_sentences = self.db.table("term_sentences").exists()
        self._has_headed_vectors = self.db.table(HEADED_VECTORS).exists()
        self._has_sentence_vectors = self.db.table(SENTENCE_VECTORS).exists()
        self._previous_headed = False
        self._building = False
        self._tally: TermTally | None = None

    @classmethod
    def open_for_build(cls, path: Path) -> Store:
        # The file lives in a fresh version folder that is discarded if the build dies,
        # so the journal would only cost time.
        conn = sqlite3.connect(str(path))
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        store = cls(conn)
        migrations.apply(store.db)
        store._classified = store._has_vocabulary = store._has_term_sentences = True
        store._has_headed_vectors = store._has_sentence_vectors = True
        store._building = True
        # Headed vectors of sentences deleted in this build, kept until its fill may reuse them.
        conn.execute(f"CREATE TEMP TABLE {SPARE_HEADED_VECTORS} (text_key INTEGER PRIMARY KEY, vector BLOB)")
        store._tally = TermTally()
        return store

    @classmethod
    def open_read_only(cls, path: Path) -> Store:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return cls(conn)

    def copy_to(self, path: Path) -> None:
        target = sqlite3.connect(str(path))
        with target:
            self.db.conn.backup(target)
        target.close()

    def finish(self) -> None:
        """Make the file durable and self-contained before it is swapped in."""
        self._fold_term_tally()
        self.db.conn.commit()
        self.db.conn.execute("PRAGMA journal_mode=DELETE")
        self.db.conn.execute("PRAGMA optimize")
        self.close()

    def close(self) -> None:
        if self._tally is not None:
            self._tally.close()
        self.db.conn.close()

    # -- build side ---------------------------------------------------------------------------

    def commit(self) -> None:
        self._fold_term_tally()
        self.db.conn.commit()

    def _tally_lines(self, texts: Sequence[str], *, added: bool) -> None:
        if self._tally is None:
            return
        if added:
            self._tally.add(texts)
        else:
            self._tally.remove(texts)
        if self._tally.pending >= TERM_TALLY_LINES:
            self._fold_term_tally()

    def _fold_term_tally(self) -> None:
        if self._tally is None or not self._tally.pending:
            return
        change = self._tally.drain()
        self.db.conn.executemany(
            "INSERT INTO term_sentences (term, sentences) VALUES (?, ?) "
            "ON CONFLICT (term) DO UPDATE SET sentences = sentences + excluded.sentences",
            list(change.items()),
        )
        self.db.conn.executemany(
            "DELETE FROM term_sentences WHERE term = ? AND sentences <= 0",
            [(term,) for term, n in change.items() if n < 0],
        )

    def articles_with_identity(self, identity: str) -> list[ArticleRow]:
        """The stored versions of one article, oldest first (more than one only in an older index)."""
        rows = self.db.table("articles").rows_where("identity = ?", [identity], order_by="id")
        return [self._article_row(row) for row in rows]

    def insert_article(self, article: Article, content_hash: str, identity: str, path: str | None) -> int:
        table = self.db.table("articles")
        table.insert(self._article_values(article, content_hash, identity, path))
        return int(table.last_rowid or 0)

    def update_article(
        self, article_id: int, article: Article, content_hash: str, identity: str, path: str | None
    ) -> None:
        self.db.table("articles").update(
            article_id, self._article_values(article, content_hash, identity, path)
        )

    def article_paths(self) -> dict[int, str | None]:
        """Every article's id and the file it was read from."""
        return {int(r[0]): r[1] for r in self.db.execute("SELECT id, path FROM articles").fetchall()}

    def insert_sentences(
        self, article_id: int, title: str, texts: Sequence[str], kinds: Sequence[str]
    ) -> list[int]:
        """Store an article's lines in order; furniture feeds its neighbours' context, never answers."""
        self.db.conn.executemany(
            "INSERT INTO sentences (article_id, position, text, context, kind) VALUES (?, ?, ?, ?, ?)",
            [
                (article_id, position, text, sentence_context(title, texts, position), kind)
                for position, (text, kind) in enumerate(zip(texts, kinds, strict=True))
            ],
        )
        _add_words(self.db.conn, Counter(w for text in texts for w in _words(text)), 1)
        self._tally_lines(texts, added=True)
        return [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM sentences WHERE article_id = ? ORDER BY position", [article_id]
            ).fetchall()
        ]

    def delete_sentences(self, article_id: int) -> list[int]:
        rows = self.db.execute("SELECT id, text FROM sentences WHERE article_id = ?", [article_id]).fetchall()
        self.db.execute("DELETE FROM sentences WHERE article_id = ?", [article_id])
        ids = [(row[0],) for row in rows]
        if self._building:  # keep the vectors for this build's fill to reuse
            self.db.conn.executemany(
                f"INSERT OR REPLACE INTO temp.{SPARE_HEADED_VECTORS} (text_key, vector) SELECT text_key, "
                f"vector FROM {HEADED_VECTORS} WHERE sentence_id = ? AND text_key IS NOT NULL",
                ids,
            )
        self.db.conn.executemany(f"DELETE FROM {HEADED_VECTORS} WHERE sentence_id = ?", ids)
        _add_words(self.db.conn, Counter(w for _, text in rows for w in _words(text)), -1)
        self._tally_lines([text for _, text in rows], added=False)
        return [row[0] for row in rows]

    def delete_article(self, article_id: int) -> list[int]:
        """Remove an article and its sentences; returns the sentence ids (to drop their vectors)."""
        ids = self.delete_sentences(article_id)
        self.db.execute("DELETE FROM articles WHERE id = ?", [article_id])
        return ids

    def article_ids(self) -> set[int]:
        return {row[0] for row in self.db.execute("SELECT id FROM articles").fetchall()}

    def article_ids_by_url(self, url: str) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE url = ?", [url])]

    def read_build_info(self) -> dict[str, Any]:
        if not self.db.table("build_info").exists():
            return {}
        return {row["key"]: json.loads(row["value"]) for row in self.db.table("build_info").rows}

    def write_build_info(self, info: dict[str, Any]) -> None:
        self.db.table("build_info").upsert_all(
            [{"key": key, "value": json.dumps(value)} for key, value in info.items()], pk="key"
        )

    # -- read side ----------------------------------------------------------------------------

    def sentences(self, ids: Iterable[int]) -> dict[int, SentenceRow]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT {SENTENCE_COLUMNS} FROM sentences JOIN articles "
            f"ON articles.id = sentences.article_id WHERE sentences.id IN ({marks})",
            ids,
        ).fetchall()
        return {row[0]: _sentence_row(row) for row in rows}

    def neighbours(self, article_id: int, position: int, window: int) -> list[tuple[int, str]]:
        """(position, text) of the prose sentences within `window` of `position`, in order."""
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT position, text FROM sentences WHERE article_id = ? "
                f"AND position BETWEEN ? AND ? AND {self._prose()} ORDER BY position",
                [article_id, position - window, position + window],
            ).fetchall()
        ]

    def article_lines(self, article_ids: Iterable[int], mentioning: str = "") -> dict[int, list[str]]:
        """Each article's headline then all its lines in order (attribution reads them).

        With `mentioning`, only the articles with a line that contains it (any case).
        """
        ids = sorted(set(article_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        where = f"article_id IN ({marks})"
        params: list[Any] = list(ids)
        if mentioning:
            where += (
                f" AND article_id IN (SELECT article_id FROM sentences WHERE article_id IN ({marks}) "
                "AND instr(lower(text), lower(?)) > 0)"
            )
            params += [*ids, mentioning]
        lines: dict[int, list[str]] = {}
        for article_id, text in self.db.execute(
            f"SELECT article_id, text FROM sentences WHERE {where} ORDER BY article_id, position", params
        ):
            lines.setdefault(int(article_id), []).append(str(text))
        titles = self.db.execute(f"SELECT id, title FROM articles WHERE id IN ({marks})", ids).fetchall()
        return {int(i): [str(t or ""), *lines[int(i)]] for i, t in titles if int(i) in lines}

    def full_text_search(self, match: str, limit: int, context_weight: float) -> list[tuple[int, float]]:
        """(sentence id, BM25 score where higher is better) of prose sentences for an FTS5 MATCH expression.

        A match in the context column counts `context_weight` times a match in the text. FTS5 ranks
        on its own and furniture is dropped after: joining every match to its row before ranking
        cost 40% of the stage (docs/benchmarks.md). When furniture takes more than the margin,
        the query runs again deeper, so the result is the same top `limit`.
        """
        depth = limit * FTS_DEPTH_MARGIN
        while True:
            rows = self.db.execute(
                "SELECT rowid, -bm25(sentences_fts, 1.0, ?) FROM sentences_fts "
                "WHERE sentences_fts MATCH ? ORDER BY bm25(sentences_fts, 1.0, ?) LIMIT ?",
                [context_weight, match, context_weight, depth],
            ).fetchall()
            prose = self._prose_ids([int(r[0]) for r in rows])
            hits = [(int(r[0]), float(r[1])) for r in rows if int(r[0]) in prose]
            if len(hits) >= limit or len(rows) < depth:
                return hits[:limit]
            depth *= 4

    def _prose_ids(self, ids: list[int]) -> set[int]:
        if not self._classified or not ids:
            return set(ids)
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT id FROM sentences WHERE id IN ({marks}) AND {self._prose()}", ids)
        return {int(r[0]) for r in rows}

    def sentences_with_phrase(self, phrase: str, limit: int) -> list[int]:
        """Ids of prose sentences whose text holds these words in this order (stemmed, any case).

        For the quote check: the exact wording, and every outlet that carried it.
        """
        if not phrase.strip():
            return []
        rows = self.db.execute(
            "SELECT sentences_fts.rowid FROM sentences_fts "
            "JOIN sentences ON sentences.id = sentences_fts.rowid "
            f"WHERE sentences_fts MATCH ? AND {self._prose()} LIMIT ?",
            ["text : " + quote_term(phrase), limit],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def answerable_count(self) -> int:
        """Sentences that may be offered as answers: the ones that have vectors."""
        return int(self.db.execute(f"SELECT count(*) FROM sentences WHERE {self._prose()}").fetchone()[0])

    def kind_counts(self) -> dict[str, int]:
        return {
            str(row[0] or "text"): int(row[1])
            for row in self.db.execute("SELECT kind, count(*) FROM sentences GROUP BY kind").fetchall()
        }

    def embedded_copies(self, waiting: str) -> list[tuple[int, str, str]]:
        """(id, headline, text) of the sentences with a vector whose text is also the text of a
        sentence listed in the table `waiting` (id, text) of an attached database, other than those.

        One pass over the sentences, so a build's new wire copy reuses a stored vector.
        """
        return [
            (int(r[0]), str(r[1]), str(r[2]))
            for r in self.db.execute(
                "SELECT sentences.id, articles.title, sentences.text FROM sentences "
                f"JOIN articles ON articles.id = sentences.article_id WHERE {self._prose()} "
                f"AND sentences.id NOT IN (SELECT id FROM {waiting}) "
                f"AND sentences.text IN (SELECT text FROM {waiting})"
            ).fetchall()
        ]

    def embedded_texts(self, article_id: int | None = None) -> list[tuple[int, str, str]]:
        """(id, headline, text) of the sentences with a vector, of one article or all of them.

        So vectors can be reused for unchanged text when an article changes or the pipeline does.
        """
        where = self._prose() + (" AND sentences.article_id = ?" if article_id is not None else "")
        return [
            (int(r[0]), str(r[1]), str(r[2]))
            for r in self.db.execute(
                "SELECT sentences.id, articles.title, sentences.text FROM sentences "
                f"JOIN articles ON articles.id = sentences.article_id WHERE {where}",
                [] if article_id is None else [article_id],
            ).fetchall()
        ]

    def sentences_without_headed_vector(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        """(id, headline, text) of up to `limit` answerable sentences past id `after` that have no
        headed vector yet, in id order."""
        return [
            (int(r[0]), str(r[1]), str(r[2]))
            for r in self.db.execute(
                "SELECT sentences.id, articles.title, sentences.text FROM sentences "
                "JOIN articles ON articles.id = sentences.article_id "
                f"WHERE sentences.id > ? AND {self._prose()} AND NOT EXISTS "
                f"(SELECT 1 FROM {HEADED_VECTORS} WHERE sentence_id = sentences.id) "
                "ORDER BY sentences.id LIMIT ?",
                [after, limit],
            ).fetchall()
        ]

    def count_without_headed_vector(self) -> int:
        return int(
            self.db.execute(
                f"SELECT count(*) FROM sentences WHERE {self._prose()} AND NOT EXISTS "
                f"(SELECT 1 FROM {HEADED_VECTORS} WHERE sentence_id = sentences.id)"
            ).fetchone()[0]
        )

    def put_headed_vectors(self, rows: Iterable[tuple[int, int, bytes]]) -> None:
        """(sentence id, text key, vector) rows."""
        self.db.conn.executemany(
            f"INSERT OR REPLACE INTO {HEADED_VECTORS} (sentence_id, text_key, vector) VALUES (?, ?, ?)", rows
        )

    def clear_headed_vectors(self) -> None:
        self.db.execute(f"DELETE FROM {HEADED_VECTORS}")

    def known_headed_vectors(self, keys: Sequence[int]) -> dict[int, bytes]:
        """Vectors this build can reuse for these text keys: stored for another sentence, kept from a
        sentence deleted in this build, or in the previous version (`attach_previous`)."""
        if not keys:
            return {}
        sources = [HEADED_VECTORS, f"temp.{SPARE_HEADED_VECTORS}"]
        if self._previous_headed:
            sources.append(f"{PREVIOUS}.{HEADED_VECTORS}")
        found: dict[int, bytes] = {}
        for source in sources:
            wanted = [k for k in keys if k not in found]
            if not wanted:
                break
            found.update(self._vector_blobs(source, "text_key", wanted))
        return found

    def attach_previous(self, path: Path) -> bool:
        """Read the headed vectors of the version at `path` too (never written); False when it has
        none with text keys (built before them)."""
        self.db.execute(f"ATTACH DATABASE ? AS {PREVIOUS}", [str(path)])
        columns = {r[1] for r in self.db.execute(f"PRAGMA {PREVIOUS}.table_info({HEADED_VECTORS})")}
        self._previous_headed = "text_key" in columns
        if not self._previous_headed:
            self.detach_previous()
        return self._previous_headed

    def detach_previous(self) -> None:
        self.db.conn.commit()
        self.db.execute(f"DETACH DATABASE {PREVIOUS}")
        self._previous_headed = False

    def forget_spare_headed_vectors(self) -> None:
        self.db.execute(f"DELETE FROM temp.{SPARE_HEADED_VECTORS}")

    def headed_vector_count(self) -> int:
        return self.count(HEADED_VECTORS) if self._has_headed_vectors else 0

    def headed_vector_ids(self) -> set[int]:
        if not self._has_headed_vectors:
            return set()
        return {int(r[0]) for r in self.db.execute(f"SELECT sentence_id FROM {HEADED_VECTORS}")}

    def headed_vector_blobs(self, ids: Sequence[int]) -> dict[int, bytes]:
        """The stored headed vectors of these sentences (none in an index built before them)."""
        if not ids or not self._has_headed_vectors:
            return {}
        return self._vector_blobs(HEADED_VECTORS, "sentence_id", ids)

    def put_sentence_vectors(self, rows: Iterable[tuple[int, bytes]]) -> None:
        """(sentence id, half-precision vector) rows."""
        self.db.conn.executemany(
            f"INSERT OR REPLACE INTO {SENTENCE_VECTORS} (sentence_id, vector) VALUES (?, ?)", rows
        )

    def drop_sentence_vectors(self, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), _CHUNK):
            part = list(ids[start : start + _CHUNK])
            marks = ",".join("?" * len(part))
            self.db.execute(f"DELETE FROM {SENTENCE_VECTORS} WHERE sentence_id IN ({marks})", part)

    def clear_sentence_vectors(self) -> None:
        if self._has_sentence_vectors:
            self.db.execute(f"DELETE FROM {SENTENCE_VECTORS}")

    def sentence_vector_blobs(self, ids: Sequence[int]) -> dict[int, bytes]:
        """The stored vectors of these sentences (an index of another kind stores none)."""
        if not ids or not self._has_sentence_vectors:
            return {}
        return self._vector_blobs(SENTENCE_VECTORS, "sentence_id", ids)

    def _vector_blobs(self, table: str, key: str, keys: Sequence[int]) -> dict[int, bytes]:
        """`key` -> `vector` of the rows of `table` whose `key` is among `keys`, _CHUNK at a time."""
        found: dict[int, bytes] = {}
        for start in range(0, len(keys), _CHUNK):
            part = [int(k) for k in keys[start : start + _CHUNK]]
            marks = ",".join("?" * len(part))
            found.update(
                (int(r[0]), bytes(r[1]))
                for r in self.db.execute(f"SELECT {key}, vector FROM {table} WHERE {key} IN ({marks})", part)
            )
        return found

    def sentence_vector_rows(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Up to `limit` (sentence id, vector) rows with ids above `after`, in id order."""
        if not self._has_sentence_vectors:
            return []
        return [
            (int(r[0]), bytes(r[1]))
            for r in self.db.execute(
                f"SELECT sentence_id, vector FROM {SENTENCE_VECTORS} WHERE sentence_id > ? "
                "ORDER BY sentence_id LIMIT ?",
                [after, limit],
            )
        ]

    def sentence_vector_ids(self) -> set[int]:
        if not self._has_sentence_vectors:
            return set()
        return {int(r[0]) for r in self.db.execute(f"SELECT sentence_id FROM {SENTENCE_VECTORS}")}

    def sentence_vector_count(self) -> int:
        return self.count(SENTENCE_VECTORS) if self._has_sentence_vectors else 0

    def contexts(self, ids: Iterable[int]) -> dict[int, str]:
        """Each sentence's context column: its headline and the lines around it."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {
            int(r[0]): str(r[1] or "")
            for r in self.db.execute(f"SELECT id, context FROM sentences WHERE id IN ({marks})", ids)
        }

    def prose_neighbours(self, ids: Iterable[int]) -> dict[int, list[int]]:
        """For each sentence, the ids of the prose sentences right before and after it in its article."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        found: dict[int, list[int]] = {i: [] for i in ids}
        for sentence_id, neighbour_id in self.db.execute(
            "SELECT s.id, n.id FROM sentences AS s JOIN sentences AS n ON n.article_id = s.article_id "
            "AND n.position IN (s.position - 1, s.position + 1) "
            f"WHERE s.id IN ({marks}) AND {self._prose('n')}",
            ids,
        ).fetchall():
            found[int(sentence_id)].append(int(neighbour_id))
        return found

    # -- evidence for ranking and the answer policy ------------------------------------------

    def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        """How many sentences contain each term, up to `cap`.

        A one-term word is looked up in `term_sentences`; a word FTS5 splits ("covid-19", a phrase)
        and any word in an index older than that table are counted in the full-text index, which
        stops at `cap` so a common word costs no more than a rare one.
        """
        counts: dict[str, int] = {}
        split = terms_of_each(terms) if self._has_term_sentences else [()] * len(terms)
        for term, indexed in zip(terms, split, strict=True):
            if len(indexed) == 1:
                row = self.db.execute(
                    "SELECT sentences FROM term_sentences WHERE term = ?", [indexed[0]]
                ).fetchone()
                counts[term] = min(int(row[0]) if row else 0, cap)
            else:
                counts[term] = self._counted_in_index(term, cap)
        return counts

    def _counted_in_index(self, term: str, cap: int) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM (SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT ?)",
                ["text : " + quote_term(term), cap],
            ).fetchone()[0]
        )

    def mentions_anywhere(self, term: str) -> bool:
        """Whether any sentence, context (so any headline) contains the term, in any case."""
        row = self.db.execute(
            "SELECT 1 FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT 1", [quote_term(term)]
        )
        return row.fetchone() is not None

    def article_mentions(self, article_id: int, title: str, term: str) -> bool:
        """Whether the article's headline or any of its lines contains the term."""
        if re.search(rf"\b{re.escape(term)}", title, re.IGNORECASE):
            return True
        row = self.db.execute(
            "SELECT 1 FROM sentences_fts JOIN sentences ON sentences.id = sentences_fts.rowid "
            "WHERE sentences_fts MATCH ? AND sentences.article_id = ? LIMIT 1",
            [quote_term(term), article_id],
        ).fetchone()
        return row is not None

    def word_counts(self, words: Iterable[str]) -> dict[str, int]:
        """How often each of these lower-case words occurs in the archive; unused words are left out."""
        if not self._has_vocabulary:
            return {}
        wanted = list(words)
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                (str(r[0]), int(r[1]))
                for r in self.db.execute(f"SELECT word, count FROM vocabulary WHERE word IN ({marks})", chunk)
            )
        return found

    def article_text(self, article_id: int) -> str:
        """The article's headline and every line, one a line."""
        title = self.db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()
        lines = self.db.execute(
            "SELECT text FROM sentences WHERE article_id = ? ORDER BY position", [article_id]
        ).fetchall()
        return "\n".join([str(title[0] or "") if title else "", *(str(r[0]) for r in lines)])

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])

    def outlet_counts(self) -> list[tuple[str, int]]:
        return [
            (row[0] or "unknown", int(row[1]))
            for row in self.db.execute(
                "SELECT source, count(*) FROM articles GROUP BY source ORDER BY count(*) DESC"
            ).fetchall()
        ]

    def date_range(self) -> tuple[dt.date | None, dt.date | None, int]:
        low, high, undated = self.db.execute(
            "SELECT min(date), max(date), sum(date IS NULL) FROM articles"
        ).fetchone()
        return _date(low), _date(high), int(undated or 0)

    # -- integrity (newsdesk index check) -----------------------------------------------------

    def missing_tables(self, names: Sequence[str]) -> list[str]:
        """Which of these tables the database lacks, after reading its page count: that makes
        SQLite compare the header with the file, so a truncated file raises here."""
        self.db.execute("PRAGMA page_count").fetchone()
        return [name for name in names if not self.db.table(name).exists()]

    def integrity_problems(self, limit: int = 10) -> list[str]:
        """SQLite's own check of every page and index, then of foreign keys; [] when sound."""
        rows = [str(r[0]) for r in self.db.execute(f"PRAGMA integrity_check({int(limit)})")]
        problems = [] if rows == ["ok"] else rows
        orphans = len(self.db.execute("PRAGMA foreign_key_check").fetchall())
        if orphans:
            problems.append(f"{orphans:,} rows point at an article that is not there")
        return problems

    def sentence_ids(self, *, answerable: bool = False) -> set[int]:
        """Every sentence id, or only those that may answer (and so have a vector)."""
        where = self._prose() if answerable else "1"
        return {int(r[0]) for r in self.db.execute(f"SELECT id FROM sentences WHERE {where}")}

    def full_text_ids(self) -> set[int]:
        """The sentence ids the FTS5 index holds (its docsize table has a row for each)."""
        return {int(r[0]) for r in self.db.execute("SELECT id FROM sentences_fts_docsize")}

    # -- helpers ------------------------------------------------------------------------------

    def _prose(self, table: str = "sentences") -> str:
        """SQL true for a sentence that may answer: in an index built before lines were classified, all."""
        return _PROSE.format(table=table) if self._classified else "1"

    def _has_column(self, table: str, column: str) -> bool:
        return column in {c.name for c in self.db.table(table).columns}

    @staticmethod
    def _article_values(
        article: Article, content_hash: str, identity: str, path: str | None
    ) -> dict[str, Any]:
        return {
            "identity": identity,
            "url": article.url,
            "title": article.title,
            "source": article.source,
            "date": article.date.isoformat() if article.date else None,
            "authors": json.dumps(list(article.authors)) if article.authors else None,
            "path": path,
            "content_hash": content_hash,
            "added_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }

    @staticmethod
    def _article_row(row: dict[str, Any]) -> ArticleRow:
        return ArticleRow(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            source=row["source"],
            date=_date(row["date"]),
            content_hash=row["content_hash"],
            identity=row["identity"],
            path=row["path"],
        )


def _sentence_row(row: Sequence[Any]) -> SentenceRow:
    return SentenceRow(
        id=row[0],
        article_id=row[1],
        position=row[2],
        text=row[3],
        title=row[4],
        source=row[5],
        date=_date(row[6]),
        url=row[7],
    )
