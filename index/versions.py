"""Index versions on disk: each build writes a new folder, then one symlink swap makes it current.

    <index>/current -> versions/<name>     what readers open (replaced atomically with os.replace)
    <index>/versions/<name>/               newsdesk.db, vectors.faiss, build.json
    <index>/.lock                          held by the one writer at a time
    <index>/feedback.db                    Slack feedback; outside the versions so rebuilds keep it

Killing a build at any moment leaves `current` pointing at the previous, complete version.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import IndexBusyError, IndexMismatchError, IndexMissingError

DB_NAME = "newsdesk.db"
VECTORS_NAME = "vectors.faiss"
META_NAME = "build.json"
# Versions kept besides the current one, for readers that still hold the previous one open.
KEEP_PREVIOUS = 1


def current_version(index_dir: Path) -> Path | None:
    link = index_dir / "current"
    if not link.is_symlink():
        return None
    target = index_dir / os.readlink(link)
    return target if (target / META_NAME).exists() else None


def require_current_version(index_dir: Path) -> Path:
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(index_dir)
    return version


def read_meta(version: Path) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads((version / META_NAME).read_text())
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(
            f"The index at {version} has no readable {META_NAME} ({exc}); "
            "rebuild it with `newsdesk index build --fresh PATH`."
        ) from exc
    return meta


def write_meta(version: Path, meta: dict[str, Any]) -> None:
    (version / META_NAME).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(index_dir) from None
        yield


def new_version_dir(index_dir: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = index_dir / "versions" / f"{stamp}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


def publish(index_dir: Path, version: Path) -> None:
    """Make `version` current in one atomic rename, then drop versions nobody needs."""
    for name in (DB_NAME, VECTORS_NAME, META_NAME):
        _fsync(version / name)
    _fsync(version)
    temporary = index_dir / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(os.path.relpath(version, index_dir), temporary)
    os.replace(temporary, index_dir / "current")
    _fsync(index_dir)
    prune(index_dir)


def prune(index_dir: Path) -> None:
    """Remove failed builds and versions older than the previous one. Call under the lock."""
    versions_dir = index_dir / "versions"
    if not versions_dir.is_dir():
        return
    current = current_version(index_dir)
    complete = sorted(p for p in versions_dir.iterdir() if (p / META_NAME).exists())
    keep = set(complete[-(KEEP_PREVIOUS + 1) :])
    if current is not None:
        keep.add(current)
    for path in versions_dir.iterdir():
        if path not in keep:
            shutil.rmtree(path, ignore_errors=True)


def discard(version: Path) -> None:
    shutil.rmtree(version, ignore_errors=True)


def _fsync(path: Path) -> None:
    if not path.exists():
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
