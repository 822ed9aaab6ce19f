"""The sentences a build has written but not yet embedded, kept on disk rather than in memory.

A build of a large archive writes millions of new sentences before it embeds any, and a Python map
from each id to its text grew with the archive (about 500 MB at 1.2M lines). Here they wait in a
SQLite file attached to the build's connection, in the new version's folder (so on the index's
disk, never in a RAM-backed /tmp, and discarded with the folder if the build dies), are grouped by
text there so each distinct text is encoded once, and are read back a chunk at a time: what the
writer holds stays one chunk, however many sentences wait. `close` removes the file before the
version is published.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

FILE_NAME = "waiting-for-vectors.db"


class PendingTexts:
    table = "waiting.pending_texts"  # (id, the text the encoder sees)

    def __init__(self, conn: sqlite3.Connection, folder: Path) -> None:
        self._conn = conn
        self.path = folder / FILE_NAME
        conn.commit()  # ATTACH cannot run inside a transaction
        conn.execute("ATTACH DATABASE ? AS waiting", [str(self.path)])
        conn.execute("PRAGMA waiting.journal_mode=OFF")
        conn.execute("PRAGMA waiting.synchronous=OFF")
        conn.execute("CREATE TABLE waiting.pending_texts (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        conn.execute("CREATE INDEX waiting.pending_texts_by_text ON pending_texts (text)")

    def close(self) -> None:
        """Detach and delete the file; the build's own database stays open."""
        self._conn.commit()
        self._conn.execute("DETACH DATABASE waiting")
        self.path.unlink(missing_ok=True)

    def add(self, rows: Iterable[tuple[int, str]]) -> None:
        """(sentence id, what the encoder sees) for sentences that need a vector."""
        self._conn.executemany("INSERT OR REPLACE INTO pending_texts (id, text) VALUES (?, ?)", rows)

    def discard(self, sentence_id: int) -> bool:
        """Forget a sentence; True when it was waiting (written in this run, so it has no vector)."""
        return self._conn.execute("DELETE FROM pending_texts WHERE id = ?", [sentence_id]).rowcount > 0

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM pending_texts").fetchone()[0])

    def distinct_texts(self, page: int) -> Iterator[list[str]]:
        """Every waiting text once, `page` at a time."""
        last = None
        while True:
            rows = self._conn.execute(
                "SELECT DISTINCT text FROM pending_texts WHERE ?1 IS NULL OR text > ?1 "
                "ORDER BY text LIMIT ?2",
                [last, page],
            ).fetchall()
            if not rows:
                return
            yield [row[0] for row in rows]
            last = rows[-1][0]

    def ids_of(self, texts: Iterable[str]) -> dict[str, list[int]]:
        """The waiting sentence ids of each of `texts`."""
        self._conn.execute("DROP TABLE IF EXISTS waiting.asked_texts")
        self._conn.execute("CREATE TABLE waiting.asked_texts (text TEXT PRIMARY KEY)")
        self._conn.executemany("INSERT OR IGNORE INTO asked_texts (text) VALUES (?)", ((t,) for t in texts))
        rows = self._conn.execute(
            "SELECT text, group_concat(id) FROM pending_texts "
            "WHERE text IN (SELECT text FROM asked_texts) GROUP BY text"
        )
        return {text: sorted(int(i) for i in ids.split(",")) for text, ids in rows}

    def queue(self, skip: Iterable[str], spread_first: int = 0) -> EncodeQueue:
        """The texts to encode, each once, in the order their first sentence was written; `skip`
        (texts whose vector is reused) is left out.

        With `spread_first`, at least that many texts taken at an even stride through the whole
        queue come first: IVF trains on the first vectors encoded, and k-means should see the
        whole archive, not its first articles.
        """
        self._conn.execute("DROP TABLE IF EXISTS waiting.reused_texts")
        self._conn.execute("CREATE TABLE waiting.reused_texts (text TEXT PRIMARY KEY)")
        self._conn.executemany("INSERT OR IGNORE INTO reused_texts (text) VALUES (?)", ((t,) for t in skip))
        self._conn.execute("DROP TABLE IF EXISTS waiting.encode_queue")
        self._conn.execute("CREATE TABLE waiting.encode_queue (n INTEGER PRIMARY KEY, text TEXT, ids TEXT)")
        # n counts from 1 in insertion order, which follows the ORDER BY; `written` numbers the
        # texts in the order they were written, and every `stride`-th of them goes first.
        self._conn.execute(
            "INSERT INTO encode_queue (text, ids) SELECT text, ids FROM ("
            "  SELECT text, group_concat(id) AS ids,"
            "    row_number() OVER (ORDER BY min(id)) - 1 AS written, count(*) OVER () AS total"
            "  FROM pending_texts WHERE text NOT IN (SELECT text FROM reused_texts) GROUP BY text"
            ") ORDER BY CASE WHEN ?1 > 0 THEN written % max(1, total / ?1) != 0 ELSE 0 END, written",
            [spread_first],
        )
        return EncodeQueue(self._conn)


class EncodeQueue(Sequence[str]):
    """The distinct texts to encode, read from disk by position: a `Sequence` an encoder can slice."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._length = int(conn.execute("SELECT count(*) FROM encode_queue").fetchone()[0])

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                raise ValueError("the encode queue is read in contiguous slices")
            return [row[0] for row in self._rows("text", start, stop)]
        if not -self._length <= index < self._length:
            raise IndexError(index)
        position = index % self._length
        return str(self._rows("text", position, position + 1)[0][0])

    def ids(self, start: int, stop: int) -> list[list[int]]:
        """The sentence ids that share each text of `self[start:stop]`."""
        return [[int(i) for i in row[0].split(",")] for row in self._rows("ids", start, stop)]

    def _rows(self, column: str, start: int, stop: int) -> list[tuple[str]]:
        return self._conn.execute(
            f"SELECT {column} FROM encode_queue WHERE n > ? AND n <= ? ORDER BY n", [start, stop]
        ).fetchall()
