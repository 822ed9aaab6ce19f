"""The questions the bot answered, where and when, kept in SQLite beside the feedback for follow-ups.

A restart keeps them, and Slack's history is never read (no `conversations.replies`, no extra scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .side_db import SideDatabase

TABLE = "asked"

migrations = Migrations("newsdesk.asked")


@migrations()
def m001_create_asked(db: sqlite_utils.Database) -> None:
    db[TABLE].create(  # type: ignore[union-attr]
        {
            "id": int,
            "asked_at": str,
            "channel": str,
            "thread_ts": str,
            "user": str,
            "question": str,
            "searched": str,
        },
        pk="id",
        not_null={"asked_at", "channel", "question", "searched"},
    )
    db[TABLE].create_index(["channel", "thread_ts"])  # type: ignore[union-attr]
    db[TABLE].create_index(["channel", "user", "asked_at"])  # type: ignore[union-attr]


@dataclass(frozen=True)
class Asked:
    """A question the bot answered: as asked, as searched, where, by whom and when."""

    question: str
    searched: str
    channel: str
    thread_ts: str | None
    user: str | None
    asked_at: dt.datetime


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AskedStore:
    """The `asked` table in `path` (created on first use); safe to share between threads.

    `clock` gives the time questions are stamped with and windows are measured from.
    """

    def __init__(self, path: str | Path, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self._database = SideDatabase(self.path, migrations)

    def record(
        self, *, channel: str, question: str, searched: str, thread_ts: str | None, user: str | None
    ) -> int:
        """Remember an answered question; returns its row id."""
        row = {
            "asked_at": self.clock().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "channel": channel,
            "thread_ts": thread_ts,
            "user": user,
            "question": question,
            "searched": searched,
        }
        with self._database.connect() as db:
            table = db.table(TABLE)
            table.insert(row)
            return int(table.last_pk)  # type: ignore[arg-type]

    def last_in_thread(self, channel: str, thread_ts: str) -> Asked | None:
        """The last question answered in a thread, by anyone."""
        return self._last("channel = ? and thread_ts = ?", [channel, thread_ts])

    def last_by(self, channel: str, user: str, within: dt.timedelta) -> Asked | None:
        """`user`'s last question answered in `channel`, if asked less than `within` ago."""
        since = (self.clock() - within).astimezone(dt.UTC).isoformat(timespec="seconds")
        return self._last("channel = ? and user = ? and asked_at >= ?", [channel, user, since])

    def _last(self, where: str, args: list[str]) -> Asked | None:
        if not self.path.exists():
            return None
        with self._database.connect() as db:
            rows = list(db.table(TABLE).rows_where(where, args, order_by="id desc", limit=1))
        if not rows:
            return None
        row = rows[0]
        return Asked(
            question=row["question"],
            searched=row["searched"],
            channel=row["channel"],
            thread_ts=row["thread_ts"],
            user=row["user"],
            asked_at=dt.datetime.fromisoformat(row["asked_at"]),
        )
