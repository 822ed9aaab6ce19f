"""The small SQLite files kept beside the index versions (feedback.db): opened per call, migrated once.

Each call opens its own connection (these writes are rare, and SQLite connections must not
cross threads); the migrations run on the first call of the process.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .errors import NewsdeskError
from .integrity import is_damaged_database


class SideDatabase:
    """`path` with `migrations` applied; a damaged file is a NewsdeskError that says what to do."""

    def __init__(self, path: str | Path, migrations: Migrations) -> None:
        self.path = Path(path)
        self._migrations = migrations
        self._migrated = False
        self._lock = threading.Lock()

    @contextmanager
    def connect(self) -> Iterator[sqlite_utils.Database]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(self.path)
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            if not self._migrated:
                with self._lock:
                    self._migrations.apply(db)
                    self._migrated = True
            yield db
        except sqlite3.DatabaseError as exc:
            if not is_damaged_database(exc):
                raise
            raise NewsdeskError(
                f"{self.path}: not a readable feedback database ({exc}). Move it aside and newsdesk "
                f"starts a new one; `sqlite3 {self.path} .recover` may save the votes and questions in it."
            ) from None
        finally:
            db.close()
