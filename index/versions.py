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

from .errors import IndexBusyError, IndexDamagedError, IndexMissingError, NewsdeskError

DB_NAME = "newsdesk.db"
VECTORS_NAME = "vectors.faiss"
META_NAME = "build.json"
# Versions kept besides the current one, for readers that still hold the previous one open.
KEEP_PREVIOUS = 1
# What build.json must hold, and the type of each field it may hold.
REQUIRED_META = ("model", "dimension", "index")
META_TYPES: dict[str, type] = {
    "model": str,
    "dimension": int,
    "index": dict,
    "index_type": str,
    "vectors": int,
    "articles": int,
    "sentences": int,
    "answerable_sentences": int,
    "pipeline_version": int,
    "embedding_input": str,
    "encoder": str,
    "headed_vectors": int,
    "created": str,
    # Approximate kinds only (index/recall.py): recall@10 vs exact and how many queries measured it.
    "recall_at_10": float,
    "recall_sample": int,
}
INDEX_SPEC_TYPES: dict[str, type] = {
    "kind": str,
    "nlist": int,
    "nprobe": int,
    "pq_bytes": int,
    "rescore": int,
}
# A build.json is a few hundred bytes; anything far bigger is not one.
MAX_META_BYTES = 1_000_000


def linked_version(index_dir: Path) -> Path | None:
    """Where `current` points, complete or not."""
    link = index_dir / "current"
    return index_dir / os.readlink(link) if link.is_symlink() else None


def current_version(index_dir: Path) -> Path | None:
    target = linked_version(index_dir)
    return target if target is not None and (target / META_NAME).exists() else None


def require_current_version(index_dir: Path) -> Path:
    """The version readers should open; a `current` link to a version without build.json is damage."""
    version = current_version(index_dir)
    if version is not None:
        return version
    target = linked_version(index_dir)
    if target is not None:
        raise IndexDamagedError(index_dir, target / META_NAME, "missing")
    raise IndexMissingError(index_dir)


def read_meta(version: Path) -> dict[str, Any]:
    """build.json of a version, checked for shape: IndexDamagedError names what is wrong."""
    path = version / META_NAME
    index_dir = version.parent.parent
    try:
        if path.stat().st_size > MAX_META_BYTES:
            raise IndexDamagedError(index_dir, path, f"over {MAX_META_BYTES:,} bytes, so not a build record")
        meta = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise IndexDamagedError(index_dir, path, "missing") from None
    except OSError as exc:
        raise IndexDamagedError(index_dir, path, f"cannot be read ({exc.strerror or exc})") from None
    except (ValueError, RecursionError) as exc:
        raise IndexDamagedError(index_dir, path, f"not valid JSON ({_first_line(exc)})") from None
    problem = meta_problem(meta)
    if problem:
        raise IndexDamagedError(index_dir, path, problem)
    assert isinstance(meta, dict)
    return meta


def meta_problem(meta: Any) -> str:
    """What is wrong with the shape of a build record, or "" when nothing is."""
    if not isinstance(meta, dict):
        return f"holds a JSON {type(meta).__name__}, not an object"
    missing = [key for key in REQUIRED_META if key not in meta]
    if missing:
        return "lacks " + ", ".join(f'"{key}"' for key in missing)
    problem = _wrong_types(meta, META_TYPES, "")
    if problem:
        return problem
    if meta["dimension"] <= 0:
        return f'"dimension" is {meta["dimension"]}, not a positive number'
    recall = meta.get("recall_at_10", 0)
    if not 0 <= recall <= 1:
        return f'"recall_at_10" is {recall}, not a share between 0 and 1'
    if meta.get("recall_sample", 1) <= 0:
        return f'"recall_sample" is {meta["recall_sample"]}, not a positive number'
    spec = meta["index"]
    if "kind" not in spec:
        return 'lacks "index.kind"'
    unknown = sorted(set(spec) - set(INDEX_SPEC_TYPES))
    if unknown:
        return "has unknown fields " + ", ".join(f'"index.{key}"' for key in unknown)
    return _wrong_types(spec, INDEX_SPEC_TYPES, "index.")


def _wrong_types(values: dict[str, Any], types: dict[str, type], prefix: str) -> str:
    for key, expected in types.items():
        if key not in values:
            continue
        value = values[key]
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue  # JSON writes 1.0 as 1 from some tools
        # bool is an int to Python, never to a build record.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return f'"{prefix}{key}" is {_json_type(value)}, not {_json_type(expected())}'
    return ""


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", dict: "an object"}
    names.update({list: "a list", type(None): "null"})
    return names.get(type(value), type(value).__name__)


def _first_line(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:200]


def write_meta(version: Path, meta: dict[str, Any]) -> None:
    (version / META_NAME).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".lock", "w")  # noqa: SIM115 (held until the with-block below ends)
    except OSError as exc:
        raise NewsdeskError(
            f"Cannot write the index at {index_dir} ({exc.strerror or exc}): pass an --index folder "
            "you can write to (or set NEWSDESK_INDEX)."
        ) from None
    with handle:
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
