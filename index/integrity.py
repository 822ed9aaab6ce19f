"""Whether an index version is sound: quick checks when it is opened, the full `newsdesk index check`.

Opening stays cheap (build.json's shape, SQLite's header and tables, the FAISS file read as is);
the full check reads every page and compares the ids on all three sides, so it is a command of
its own rather than a cost on every question.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import versions
from .errors import IndexDamagedError, IndexMissingError, NewsdeskError
from .exact_vectors import ExactVectors
from .news_adapter import older_index_hint
from .store import Store
from .vectors import IVF_PQ, IndexSpec, VectorIndex

# Tables a published version always has; a database without them is not a newsdesk index.
TABLES = ("articles", "sentences", "sentences_fts", "build_info")
# sqlite3 result codes that mean the file itself is bad, not the statement.
_CORRUPT, _NOTADB = 11, 26
# How many examples of mismatched ids a problem names.
EXAMPLES = 5


@contextlib.contextmanager
def reading_database(version: Path | None) -> Iterator[None]:
    """Turn SQLite's "malformed" / "not a database" / "no such table" into an IndexDamagedError."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if version is None or not is_damaged_database(exc):
            raise
        raise IndexDamagedError(
            version.parent.parent, version / versions.DB_NAME, f"not a usable newsdesk database ({exc})"
        ) from None


def is_damaged_database(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error is about the file (malformed, not a database, tables gone)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_CORRUPT, _NOTADB):
        return True
    return str(exc).startswith(("no such table", "no such column"))


def open_store(version: Path) -> Store:
    """The version's database, read-only, after the checks that cost nothing: header and tables."""
    path = version / versions.DB_NAME
    if not path.is_file():
        raise IndexDamagedError(version.parent.parent, path, "missing")
    with reading_database(version):
        store = Store.open_read_only(path)
        try:
            missing = store.missing_tables(TABLES)
        except BaseException:
            store.close()
            raise
    if missing:
        store.close()
        tables = ", ".join(missing)
        raise IndexDamagedError(
            version.parent.parent, path, f"has no {tables} table, so it is not a newsdesk index"
        )
    return store


def glance(version: Path) -> dict[str, Any]:
    """build.json, checked, after a glance at the vectors it describes (without reading them)."""
    meta = versions.read_meta(version)
    path = version / versions.VECTORS_NAME
    problem = VectorIndex.glance(path, IndexSpec(**meta["index"]), meta.get("vectors", 0), meta["dimension"])
    if problem:
        raise IndexDamagedError(version.parent.parent, path, problem)
    return meta


def open_vectors(version: Path, meta: dict[str, Any], store: Store) -> VectorIndex:
    """The version's FAISS index, checked against what build.json says it holds; `store` is the
    version's open database, where a compressed index keeps the vectors it ranks by."""
    path = version / versions.VECTORS_NAME
    vectors = VectorIndex.load(path, IndexSpec(**meta["index"]), ExactVectors(store, meta["dimension"]))
    problem = _vectors_against_meta(vectors, meta)
    if problem:
        raise IndexDamagedError(version.parent.parent, path, problem)
    return vectors


def _vectors_against_meta(vectors: VectorIndex, meta: dict[str, Any]) -> str:
    if vectors.dimension != meta["dimension"]:
        return f"holds {vectors.dimension}-dimension vectors where build.json says {meta['dimension']}"
    if "vectors" in meta and vectors.count != meta["vectors"]:
        return f"holds {vectors.count:,} vectors where build.json says {meta['vectors']:,}"
    return ""


@dataclass(frozen=True)
class IndexCheck:
    """What `newsdesk index check` found; `problems` is empty for a sound index."""

    index_dir: str
    version: str
    problems: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def check_index(index_dir: Path, model_name: str, model_dimension: Callable[[], int]) -> IndexCheck:
    """Verify the current version: build.json against the model, SQLite page by page, and that
    SQLite's answerable sentences, its FTS5 rows and the FAISS vectors are the same ids.

    `model_dimension` is only called when the model names agree (it may load the model).
    """
    version = versions.linked_version(index_dir)
    if version is None:
        raise IndexMissingError(index_dir)
    problems: list[str] = []
    counts: dict[str, int] = {}
    meta = _check_meta(version, model_name, model_dimension, problems)
    ids = _check_database(version, meta, problems, counts)
    if meta is not None:
        _check_vectors(version, meta, ids, problems, counts)
    return IndexCheck(str(index_dir), version.name, tuple(problems), counts)


def _check_meta(
    version: Path, model_name: str, model_dimension: Callable[[], int], problems: list[str]
) -> dict[str, Any] | None:
    try:
        meta = versions.read_meta(version)
    except IndexDamagedError as exc:
        problems.append(f"{exc.path}: {exc.problem}")
        return None
    where = version / versions.META_NAME
    if meta["model"] != model_name:
        problems.append(
            f"{where}: built with model {meta['model']!r}, but newsdesk is set to use {model_name!r} "
            "(set NEWSDESK_MODEL to the model it was built with, or rebuild with --fresh)."
            + older_index_hint(meta["model"])
        )
        return meta
    try:
        dimension = model_dimension()
    except NewsdeskError as exc:
        problems.append(f"the model could not be loaded to compare dimensions: {exc}")
        return meta
    if meta["dimension"] != dimension:
        problems.append(f"{where}: says {meta['dimension']} dimensions, the model makes {dimension}")
    return meta


def _check_database(
    version: Path, meta: dict[str, Any] | None, problems: list[str], counts: dict[str, int]
) -> set[int] | None:
    """SQLite's integrity check and the FTS5 rows; returns the ids of the answerable sentences."""
    path = version / versions.DB_NAME
    try:
        store = open_store(version)
    except IndexDamagedError as exc:
        problems.append(f"{exc.path}: {exc.problem}")
        return None
    try:
        with reading_database(version):
            problems.extend(f"{path}: {line}" for line in store.integrity_problems())
            sentences = store.sentence_ids()
            answerable = store.sentence_ids(answerable=True)
            in_fts = store.full_text_ids()
            headed = store.headed_vector_ids()
            counts.update(
                articles=store.count("articles"),
                sentences=len(sentences),
                answerable_sentences=len(answerable),
                fts_rows=len(in_fts),
                headed_vectors=len(headed),
            )
    except IndexDamagedError as exc:
        problems.append(f"{exc.path}: {exc.problem}")
        return None
    finally:
        store.close()
    _compare(
        problems, f"{path}: full-text index", in_fts, sentences, "rows for no sentence", "sentences not in it"
    )
    if headed:  # an index built without them (NEWSDESK_HEADED_VECTORS=0, or before them) is sound
        _compare(
            problems,
            f"{path}: headed vectors",
            headed,
            answerable,
            "rows for no answerable sentence",
            "answerable sentences without one",
        )
    for key in ("articles", "sentences", "answerable_sentences"):
        if meta is not None and key in meta and meta[key] != counts[key]:
            problems.append(
                f"{version / versions.META_NAME}: says {meta[key]:,} {key.replace('_', ' ')}, "
                f"{versions.DB_NAME} holds {counts[key]:,}"
            )
    return answerable


def _check_vectors(
    version: Path,
    meta: dict[str, Any],
    answerable: set[int] | None,
    problems: list[str],
    counts: dict[str, int],
) -> None:
    spec = IndexSpec(**meta["index"])
    store = None
    try:
        if spec.kind == IVF_PQ:
            store = open_store(version)
        _check_vector_ids(version, meta, spec, store, answerable, problems, counts)
    except IndexDamagedError as exc:
        problems.append(f"{exc.path}: {exc.problem}")
    finally:
        if store is not None:
            store.close()


def _check_vector_ids(
    version: Path,
    meta: dict[str, Any],
    spec: IndexSpec,
    store: Store | None,
    answerable: set[int] | None,
    problems: list[str],
    counts: dict[str, int],
) -> None:
    path = version / versions.VECTORS_NAME
    exact = ExactVectors(store, meta["dimension"]) if store is not None else None
    vectors = VectorIndex.load(path, spec, exact)
    counts["vectors"] = vectors.count
    if exact is not None:
        _compare(
            problems,
            str(version / versions.DB_NAME),
            exact.ids(),
            set(vectors.ids().tolist()),
            "sentence vectors without a FAISS code",
            "FAISS codes without the sentence vector they are re-scored by",
        )
    mismatch = _vectors_against_meta(vectors, meta)
    if mismatch:
        problems.append(f"{path}: {mismatch}")
    ids = vectors.ids()
    stored = set(ids.tolist())
    if len(stored) != len(ids):
        problems.append(f"{path}: {len(ids) - len(stored):,} ids appear more than once")
    if answerable is not None:
        _compare(
            problems,
            str(path),
            stored,
            answerable,
            "vectors for no answerable sentence",
            "answerable sentences without one",
        )


def _compare(
    problems: list[str], what: str, have: set[int], want: set[int], extra: str, lacking: str
) -> None:
    """Name the ids `have` holds beyond `want`, and those of `want` it lacks."""
    surplus, missing = sorted(have - want), sorted(want - have)
    if surplus:
        problems.append(f"{what}: {len(surplus):,} {extra} (ids {_examples(surplus)})")
    if missing:
        problems.append(f"{what}: {len(missing):,} {lacking} (ids {_examples(missing)})")


def _examples(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:EXAMPLES])
    return shown + (", …" if len(ids) > EXAMPLES else "")
