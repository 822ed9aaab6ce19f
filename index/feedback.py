"""Votes on answers (👍/👎) kept in SQLite for evaluating search later, exported as JSONL."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .errors import NewsdeskError
from .side_db import SideDatabase

VOTES = ("up", "down")
TABLE = "feedback"

migrations = Migrations("newsdesk.feedback")


@migrations()
def m001_create_feedback(db: sqlite_utils.Database) -> None:
    db[TABLE].create(  # type: ignore[union-attr]
        {
            "id": int,
            "created_at": str,
            "question": str,
            "vote": str,
            "results": str,
            "user": str,
            "channel": str,
        },
        pk="id",
        not_null={"created_at", "question", "vote", "results"},
    )
    db[TABLE].create_index(["created_at"])  # type: ignore[union-attr]


class FeedbackStore:
    """The feedback table in `path` (created on first use); safe to share between threads.

    Each call opens its own connection: votes are rare, and SQLite connections must not
    cross threads.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._database = SideDatabase(self.path, migrations)

    def record(
        self,
        *,
        question: str,
        vote: str,
        results: Sequence[dict[str, Any]],
        user: str | None = None,
        channel: str | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """Store one vote and return its id; `vote` is "up" or "down"."""
        if vote not in VOTES:
            raise NewsdeskError(f"A vote must be one of {', '.join(VOTES)}, got {vote!r}.")
        created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        row = {
            "created_at": created,
            "question": question,
            "vote": vote,
            "results": json.dumps(list(results), ensure_ascii=False, default=str),
            "user": user,
            "channel": channel,
        }
        with self._database.connect() as db:
            table = db.table(TABLE)
            table.insert(row)
            return int(table.last_pk)  # type: ignore[arg-type]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every vote, oldest first, with `results` decoded."""
        if not self.path.exists():
            return
        with self._database.connect() as db:
            for row in db.table(TABLE).rows_where(order_by="id"):
                yield {**row, "results": json.loads(row["results"])}

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._database.connect() as db:
            return db.table(TABLE).count

    def export_jsonl(self, path_or_stream: str | Path | IO[str] | None = None) -> int:
        """Write every vote as one JSON object per line (to stdout for None or "-")."""
        if path_or_stream is None or str(path_or_stream) == "-":
            return self._write(sys.stdout)
        if isinstance(path_or_stream, (str, Path)):
            return self._write_file(Path(path_or_stream))
        return self._write(path_or_stream)

    def _write_file(self, path: Path) -> int:
        # A missing folder is an error, not created: a mistyped path should not grow new folders.
        if not path.parent.is_dir():
            raise NewsdeskError(
                f"Cannot write {path}: the folder {path.parent} does not exist. Create it first, "
                "or name a file in a folder that exists."
            )
        try:
            with open(path, "w", encoding="utf-8") as stream:
                return self._write(stream)
        except OSError as exc:
            raise NewsdeskError(
                f"Cannot write {path} ({exc.strerror or exc}): name a file you can write."
            ) from None

    def _write(self, stream: IO[str]) -> int:
        written = 0
        for row in self.rows():
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
        return written


def export_jsonl(db_path: str | Path, path_or_stream: str | Path | IO[str] | None = None) -> int:
    """Export the votes stored in `db_path` as JSONL; returns how many were written."""
    return FeedbackStore(db_path).export_jsonl(path_or_stream)
