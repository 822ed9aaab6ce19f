"""The rebuild/update pipeline: read, reconcile identities, write rows, embed, then publish atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from . import headed_vectors, heap, integrity, versions
from .build_encoding import encoding_of, setting_for
from .config import Settings
from .embedder import TextEncoder
from .embedding_text import EMBEDDING_INPUT, embedding_text
from .errors import DiskFullError, IndexMismatchError, IngestError, NewsdeskError
from .exact_vectors import ExactVectors
from .furniture import TEXT
from .identity import Version, identity, lies_under, source_path, unread_input
from .ingest import read_articles
from .news_adapter import older_index_hint
from .recall import Recall, measure_recall
from .records import Article, IngestWarning
from .sentences import all_text, split_classified
from .store import Store
from .vector_update import VectorUpdate
from .vectors import IVF_PQ, IndexSpec, VectorIndex

# Bump when cleaning or splitting changes, so a rebuild re-splits articles whose text is unchanged.
# Vectors of sentences whose text is unchanged are reused across the bump (same model and input).
# 2: lines are classified as prose or furniture (index/furniture.py); furniture gets no vector.
# 3: a link glued to the end of a sentence is a related-link line of its own (index/sentences.py).
# 4: so is a photo credit glued before a caption (a caption line).
PIPELINE_VERSION = 4


@dataclass(frozen=True)
class Correction:
    """Two versions of one article in one build: the newer was kept."""

    article: str  # its URL, id or file
    kept: str
    replaced: str


@dataclass(frozen=True)
class BuildReport:
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    duplicates: int = 0
    articles_removed: int = 0
    articles_total: int = 0
    sentences_total: int = 0
    sentences_embedded: int = 0
    sentences_reused: int = 0
    # Sentences given their "headline. sentence" vector in this run (index/headed_vectors.py).
    headed_embedded: int = 0
    headed_reused: int = 0  # given the vector the same headed text already had
    failures: tuple[IngestError, ...] = ()
    corrections: tuple[Correction, ...] = ()
    # Articles kept because the input that held them could not be read: (input, articles).
    kept_unread: tuple[tuple[str, int], ...] = ()
    warnings: tuple[IngestWarning, ...] = ()
    seconds: float = 0.0
    embed_seconds: float = 0.0
    version: str = ""
    index_type: str = ""
    encoder: str = ""  # what made the vectors (index/int8_encoder.py)
    # Approximate indexes only: recall@10 vs exact on a sample of their vectors (index/recall.py).
    recall_at_10: float | None = None
    recall_sample: int = 0
    recall_seconds: float = 0.0
    recall_warning: str = ""
    # Why every article counts as new although the index existed ("" when it did not or nothing changed).
    reread_reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        skip = {"failures", "warnings", "corrections", "kept_unread"}
        data = {k: v for k, v in self.__dict__.items() if k not in skip}
        data["failures"] = [{"path": f.path, "reason": f.reason} for f in self.failures]
        data["warnings"] = [{"path": w.path, "reason": w.reason} for w in self.warnings]
        data["corrections"] = [c.__dict__ for c in self.corrections]
        data["kept_unread"] = [{"path": path, "articles": n} for path, n in self.kept_unread]
        return data


def build_index(
    settings: Settings,
    paths: Iterable[Path],
    *,
    embedder: TextEncoder,
    source: str | None = None,
    date: dt.date | None = None,
    fresh: bool = False,
    prune: bool = False,
    quiet: bool = False,
) -> BuildReport:
    """Make the index hold the articles under `paths`; unchanged articles keep their vectors.

    Articles whose input could not be read this time are kept (and reported) unless `prune`.
    """
    reused = None if fresh else versions.current_version(settings.index_dir)
    with (
        _disk_full_reported(settings),
        integrity.reading_database(reused),
        _VersionWriter(settings, embedder, fresh=fresh, quiet=quiet, rebuild=True) as writer,
    ):
        writer.write(_read(settings, paths, source, date, quiet))
        writer.drop_unseen(prune=prune)
        return writer.publish()


def add_articles(
    settings: Settings,
    paths: Iterable[Path],
    *,
    embedder: TextEncoder,
    source: str | None = None,
    date: dt.date | None = None,
    quiet: bool = False,
) -> BuildReport:
    """Add new articles and replace stored versions of the ones given; everything else stays."""
    current = versions.require_current_version(settings.index_dir)
    with (
        _disk_full_reported(settings),
        integrity.reading_database(current),
        _VersionWriter(settings, embedder, fresh=False, quiet=quiet) as writer,
    ):
        writer.write(_read(settings, paths, source, date, quiet))
        return writer.publish()


def remove_articles(
    settings: Settings, *, urls: Iterable[str] = (), ids: Iterable[int] = (), quiet: bool = False
) -> BuildReport:
    """Take articles (a retracted story, say) out of the index, by URL or article id."""
    current = versions.require_current_version(settings.index_dir)
    with (
        _disk_full_reported(settings),
        integrity.reading_database(current),
        _VersionWriter(settings, None, fresh=False, quiet=quiet) as writer,
    ):
        missing = writer.remove(urls=list(urls), ids=list(ids))
        if missing:
            raise NewsdeskError(
                "Not in the index: " + ", ".join(missing) + ". Nothing was removed; "
                "`newsdesk ask --json` shows article ids and URLs."
            )
        return writer.publish()


def content_hash(article: Article) -> str:
    payload = json.dumps(
        [PIPELINE_VERSION, EMBEDDING_INPUT, article.title, article.body, article.sentences],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# -- step 1: read ---------------------------------------------------------------------------------


def _read(
    settings: Settings,
    paths: Iterable[Path],
    source: str | None,
    date: dt.date | None,
    quiet: bool,
) -> Iterator[Article | IngestError | IngestWarning]:
    items = read_articles(
        paths,
        max_bytes=settings.max_article_bytes,
        source=source,
        date=date,
        date_order=settings.date_order,
        follow_links=settings.follow_links,
    )
    yield from tqdm(items, desc="reading", unit=" articles", disable=quiet, file=sys.stderr)


def article_lines(article: Article) -> list[tuple[str, str]]:
    """The article's lines with their kinds; a story too short to look like prose is still a story."""
    lines = all_text(list(article.sentences)) if article.sentences else split_classified(article.body)
    if not any(kind == TEXT for _, kind in lines):
        lines = all_text([text for text, _ in lines])
    return lines


# -- disk full ------------------------------------------------------------------------------------

_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
# SQLite's names for a write that found no room: SQLITE_FULL on a full disk, SQLITE_IOERR_WRITE when
# a write came up short (a quota or a file size limit).
_SQLITE_NO_ROOM = {"SQLITE_FULL", "SQLITE_IOERR_WRITE"}
# FAISS reports a failed write as "... write error in PATH: 10 != 20 (No space left on device)".
_FAISS_WRITE_ERROR = re.compile(r"write error in .*\((?P<reason>[^()]*)\)\s*$")


@contextlib.contextmanager
def _disk_full_reported(settings: Settings) -> Iterator[None]:
    """A write that runs out of room becomes one message; the served version was never touched."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _DISK_FULL_ERRNOS:
            raise
        raise DiskFullError(settings.index_dir, exc.strerror or str(exc)) from exc
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", None) not in _SQLITE_NO_ROOM:
            raise
        raise DiskFullError(settings.index_dir, str(exc)) from exc
    except RuntimeError as exc:
        found = _FAISS_WRITE_ERROR.search(str(exc))
        if found is None:
            raise
        raise DiskFullError(settings.index_dir, found["reason"]) from exc


# -- steps 2-5: reconcile, write, embed, publish ------------------------------------------------


@dataclass
class _Counts:
    # Articles by what this run did with them: "new", "updated", "unchanged" or "duplicates".
    outcomes: Counter[str] = field(default_factory=Counter)
    removed: int = 0
    read: int = 0
    failures: list[IngestError] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    kept_unread: Counter[str] = field(default_factory=Counter)
    warnings: list[IngestWarning] = field(default_factory=list)


@dataclass
class _Written:
    """An article written in this run, under its identity."""

    article_id: int
    digest: str
    version: Version
    outcome: str  # "new", "updated" or "unchanged"


class _VersionWriter:
    """Writes one new index version, starting from a copy of the current one when compatible."""

    def __init__(
        self,
        settings: Settings,
        embedder: TextEncoder | None,
        *,
        fresh: bool,
        quiet: bool,
        rebuild: bool = False,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.quiet = quiet
        self.fresh = fresh
        self.rebuild = rebuild
        self.started = time.perf_counter()
        self.counts = _Counts()
        self.written: dict[str, _Written] = {}
        self.unread: list[Path] = []
        self.reading = False
        self._carried_store: Store | None = None  # the carried version's database, while it is read

    def __enter__(self) -> _VersionWriter:
        if self.embedder is not None:
            heap.keep_freed_memory()
        self._lock = versions.writer_lock(self.settings.index_dir)
        self._lock.__enter__()
        try:
            versions.prune(self.settings.index_dir)
            self.version = versions.new_version_dir(self.settings.index_dir)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        try:
            self._open()
        except BaseException:
            self._close_carried()
            versions.discard(self.version)
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._close_carried()
        try:
            if exc_type is not None:
                self.store.close()
                versions.discard(self.version)
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def _close_carried(self) -> None:
        if self._carried_store is not None:
            self._carried_store.close()
            self._carried_store = None

    def _open(self) -> None:
        # --fresh reads nothing of the current version, so it also mends a damaged one.
        previous = None if self.fresh else versions.current_version(self.settings.index_dir)
        db_path = self.version / versions.DB_NAME
        self.meta: dict[str, Any] = versions.read_meta(previous) if previous else {}
        carried = None
        self.carried_from: Path | None = None  # the version a pipeline-change rebuild reuses vectors of
        self.reread_reason = ""  # why every article is read afresh although an index exists
        if previous and not self._compatible(self.meta):
            if not self.rebuild:
                raise IndexMismatchError(self._mismatch_message(self.meta))
            if self._same_vectors(self.meta):
                carried = self._carried_vectors(previous)
                self.carried_from = previous
                self.reread_reason = "this newsdesk cleans or splits articles differently"
            else:
                self.reread_reason = "the model or its encoding changed"
            previous = None  # a rebuild with another model or pipeline starts from scratch
        if previous is None:
            self.store = Store.open_for_build(db_path)
            dimension = self.embedder.dimension if self.embedder else 0
            self.vectors = VectorIndex.empty(dimension, ExactVectors(self.store, dimension))
            self.meta = {}
        else:
            source = integrity.open_store(previous)
            try:
                source.copy_to(db_path)
            finally:
                source.close()
            self.store = Store.open_for_build(db_path)
            self.vectors = VectorIndex.load(
                previous / versions.VECTORS_NAME,
                _spec_from_meta(self.meta),
                ExactVectors(self.store, self.meta["dimension"]),
            )
        self.changes = VectorUpdate(self.store, self.version)
        if carried is not None:
            self.changes.carry(*carried)

    def _compatible(self, meta: dict[str, Any]) -> bool:
        if meta.get("pipeline_version") != PIPELINE_VERSION:
            return False
        if meta.get("embedding_input") != EMBEDDING_INPUT:
            return False
        if self.embedder is None:
            return True
        return bool(meta.get("model") == self.embedder.name and encoding_of(meta) == self.embedder.encoding)

    def _same_vectors(self, meta: dict[str, Any]) -> bool:
        """Only the pipeline changed: a sentence with the same text still has the same vector."""
        return bool(
            self.embedder is not None
            and meta.get("model") == self.embedder.name
            and encoding_of(meta) == self.embedder.encoding
            and meta.get("embedding_input") == EMBEDDING_INPUT
        )

    def _carried_vectors(self, previous: Path) -> tuple[dict[str, int], VectorIndex]:
        """The previous version's vectors by the encoder's text, for a rebuild after a pipeline change."""
        old = Store.open_read_only(previous / versions.DB_NAME)
        try:
            texts = {
                embedding_text(title, text): sentence_id for sentence_id, title, text in old.embedded_texts()
            }
            spec = _spec_from_meta(self.meta)
            exact = ExactVectors(old, self.meta["dimension"])
            vectors = VectorIndex.load(previous / versions.VECTORS_NAME, spec, exact)
        except BaseException:
            old.close()
            raise
        if spec.kind == IVF_PQ:
            self._carried_store = old  # a compressed index reads its vectors from there
        else:
            old.close()
        return texts, vectors

    def _mismatch_message(self, meta: dict[str, Any]) -> str:
        model = self.embedder.name if self.embedder else "this newsdesk"
        encoding = self.embedder.encoding if self.embedder else encoding_of(meta)
        if encoding != encoding_of(meta) and meta.get("model") == model:
            return (
                f"The index at {self.settings.index_dir} holds vectors made by the {encoding_of(meta)!r} "
                f"encoder; this build encodes with {encoding!r}, and the two do not mix. "
                f"Set NEWSDESK_BUILD_ENCODER to {setting_for(encoding_of(meta))!r} to add to it, or "
                "rebuild it with `newsdesk index build --fresh PATH`."
            )
        return (
            f"The index at {self.settings.index_dir} was built with model "
            f"{meta.get('model')!r} (pipeline {meta.get('pipeline_version')}, input "
            f"{meta.get('embedding_input')!r}); {model!r} cannot add to it. Rebuild it with "
            "`newsdesk index build --fresh PATH`, or point NEWSDESK_MODEL at the model it was built with."
            + older_index_hint(meta.get("model"))
        )

    # -- step 2: reconcile identities ------------------------------------------------------------

    def write(self, items: Iterable[Article | IngestError | IngestWarning]) -> None:
        self.reading = True
        for item in items:
            if isinstance(item, IngestWarning):
                self.counts.warnings.append(item)
                continue
            if isinstance(item, IngestError):
                self.counts.failures.append(item)
                self.unread.append(unread_input(item))
                continue
            lines = article_lines(item)
            if not lines:
                self.counts.failures.append(
                    IngestError(item.path or item.title, "no sentences left after cleaning")
                )
                continue
            self.counts.read += 1
            self._reconcile(item, lines)
        self.store.commit()

    def _reconcile(self, article: Article, lines: list[tuple[str, str]]) -> None:
        """Decide what this input is: new, a new version of a stored article, or a second one in this run."""
        key = identity(article)
        digest = content_hash(article)
        version = Version.of(article)
        earlier = self.written.get(key)
        if earlier is not None:
            if earlier.digest == digest:
                self.counts.outcomes["duplicates"] += 1
                return
            self._correct(key, earlier, article, lines, digest, version)
            return
        stored = self.store.articles_with_identity(key)
        for extra in stored[1:]:  # versions an older newsdesk kept side by side
            self._delete(extra.id)
        if not stored:
            article_id = self._insert(article, lines, digest, key)
            outcome = "new"
        elif stored[0].content_hash == digest:
            article_id = stored[0].id
            self.store.update_article(article_id, article, digest, key, source_path(article))
            outcome = "unchanged"
        else:
            article_id = stored[0].id
            self._replace(article_id, article, lines, digest, key)
            outcome = "updated"
        self.counts.outcomes[outcome] += 1
        self.written[key] = _Written(article_id, digest, version, outcome)

    def _correct(
        self,
        key: str,
        earlier: _Written,
        article: Article,
        lines: list[tuple[str, str]],
        digest: str,
        version: Version,
    ) -> None:
        """Two versions of one article in one run: the newer (by date, then file time) is kept."""
        name = key.split(":", 1)[1]  # a URL, an id or a file (a text key never has two versions)
        if not version.is_newer_than(earlier.version):
            self.counts.corrections.append(Correction(name, kept=earlier.version.path, replaced=version.path))
            return
        self.counts.corrections.append(Correction(name, kept=version.path, replaced=earlier.version.path))
        self._replace(earlier.article_id, article, lines, digest, key)
        outcome = earlier.outcome
        if outcome == "unchanged":  # the stored text matched the first version, not this one
            self.counts.outcomes.update(unchanged=-1, updated=1)
            outcome = "updated"
        self.written[key] = _Written(earlier.article_id, digest, version, outcome)

    # -- step 3: write rows ------------------------------------------------------------------------

    def _insert(self, article: Article, lines: list[tuple[str, str]], digest: str, key: str) -> int:
        article_id = self.store.insert_article(article, digest, key, source_path(article))
        self._insert_sentences(article_id, article.title, lines)
        return article_id

    def _replace(
        self, article_id: int, article: Article, lines: list[tuple[str, str]], digest: str, key: str
    ) -> None:
        self._drop_sentences(article_id)
        self.store.update_article(article_id, article, digest, key, source_path(article))
        self._insert_sentences(article_id, article.title, lines)

    def _insert_sentences(self, article_id: int, title: str, lines: list[tuple[str, str]]) -> None:
        texts = [text for text, _ in lines]
        ids = self.store.insert_sentences(article_id, title, texts, [kind for _, kind in lines])
        prose = [(i, embedding_text(title, text)) for i, (text, kind) in zip(ids, lines) if kind == TEXT]
        self.changes.add([i for i, _ in prose], [t for _, t in prose])

    def _drop_sentences(self, article_id: int) -> None:
        embedded = {
            i: embedding_text(title, text) for i, title, text in self.store.embedded_texts(article_id)
        }
        deleted = self.store.delete_sentences(article_id)
        self.changes.drop([(i, embedded[i]) for i in deleted if i in embedded])

    def _delete(self, article_id: int) -> None:
        self._drop_sentences(article_id)
        self.store.delete_article(article_id)
        self.counts.removed += 1

    def drop_unseen(self, *, prune: bool) -> None:
        """For a full rebuild: drop articles not in this run, except those under an input that failed."""
        written = {w.article_id for w in self.written.values()}
        for article_id, path in self.store.article_paths().items():
            if article_id in written:
                continue
            unread = None if prune else lies_under(path, self.unread)
            if unread is not None:
                self.counts.kept_unread[str(unread)] += 1
                continue
            self._delete(article_id)
        self.store.commit()

    def remove(self, *, urls: list[str], ids: list[int]) -> list[str]:
        missing = []
        targets: set[int] = set()
        for url in urls:
            found = self.store.article_ids_by_url(url)
            if not found:
                missing.append(url)
            targets.update(found)
        known = self.store.article_ids()
        for article_id in ids:
            if article_id in known:
                targets.add(article_id)
            else:
                missing.append(f"article {article_id}")
        for article_id in targets:
            self._delete(article_id)
        self.store.commit()
        return missing

    # -- steps 4 and 5: embed, publish -------------------------------------------------------------

    def publish(self) -> BuildReport:
        if self.reading and self.counts.read == 0:
            reasons = "; ".join(str(f) for f in self.counts.failures[:5]) or "no article files found"
            raise NewsdeskError(
                f"No article could be read, so the index was not changed ({reasons}). "
                "newsdesk reads .txt .md .json .jsonl .html (optionally .gz)."
            )
        embed_started = time.perf_counter()
        embedded, reused = self.changes.encode(
            self.vectors,
            self.embedder,
            batch_size=self.settings.embed_batch_size,
            quiet=self.quiet,
        )
        headed, headed_reused = self._fill_headed_vectors()
        if self.embedder is not None:
            self.embedder.release()
        self.vectors = self.changes.indexed(self.vectors)
        embed_seconds = time.perf_counter() - embed_started
        recall = self._write_version()
        spec = self.vectors.spec
        return BuildReport(
            articles_new=self.counts.outcomes["new"],
            articles_updated=self.counts.outcomes["updated"],
            articles_unchanged=self.counts.outcomes["unchanged"],
            duplicates=self.counts.outcomes["duplicates"],
            articles_removed=self.counts.removed,
            articles_total=self.meta["articles"],
            sentences_total=self.meta["sentences"],
            sentences_embedded=embedded,
            sentences_reused=reused,
            headed_embedded=headed,
            headed_reused=headed_reused,
            failures=tuple(self.counts.failures),
            corrections=tuple(self.counts.corrections),
            kept_unread=tuple(sorted(self.counts.kept_unread.items())),
            warnings=tuple(self.counts.warnings),
            seconds=time.perf_counter() - self.started,
            embed_seconds=embed_seconds,
            version=self.version.name,
            index_type=spec.describe(),
            encoder=self.meta["encoder"],
            recall_at_10=recall.at_10 if recall else None,
            recall_sample=recall.queries if recall else 0,
            recall_seconds=recall.seconds if recall else 0.0,
            recall_warning=recall.warning(spec.nprobe, spec.nlist) if recall else "",
            reread_reason=self.reread_reason,
        )

    def _fill_headed_vectors(self) -> tuple[int, int]:
        """Give every answerable sentence its headed vector, or none at all when they are turned off
        (the second stage never mixes sentences that have one with sentences that do not); returns
        how many were encoded and how many reused."""
        if not self.settings.headed_vectors:
            self.store.clear_headed_vectors()
            return 0, 0
        if self.embedder is None:  # only removals: every remaining sentence kept its row
            return 0, 0
        attached = self.carried_from is not None and self.store.attach_previous(
            self.carried_from / versions.DB_NAME
        )
        try:
            return headed_vectors.fill_missing(
                self.store, self.embedder, batch_size=self.settings.embed_batch_size, quiet=self.quiet
            )
        finally:
            if attached:
                self.store.detach_previous()

    def _write_version(self) -> Recall | None:
        """Save vectors, database and metadata into the new version, then swap it in; an
        approximate index's recall is measured first and recorded with it."""
        answerable = self.store.answerable_count()
        if self.vectors.count != answerable:
            raise NewsdeskError(
                f"Internal check failed: {self.vectors.count} vectors for {answerable} "
                "answerable sentences. The previous index was kept; please report this."
            )
        self.meta = {
            "model": self.embedder.name if self.embedder else self.meta.get("model"),
            "dimension": self.vectors.dimension,
            "index": self.vectors.spec.to_json(),
            "index_type": self.vectors.spec.describe(),
            "vectors": self.vectors.count,
            "articles": self.store.count("articles"),
            "sentences": self.store.count("sentences"),
            "answerable_sentences": answerable,
            "pipeline_version": PIPELINE_VERSION,
            "embedding_input": EMBEDDING_INPUT,
            "encoder": self.embedder.encoding if self.embedder else encoding_of(self.meta),
            "headed_vectors": self.store.headed_vector_count(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        recall = measure_recall(self.vectors)
        if recall is not None:
            self.meta.update(recall_at_10=round(recall.at_10, 4), recall_sample=recall.queries)
        self.vectors.save(self.version / versions.VECTORS_NAME)
        self.store.write_build_info(self.meta)
        self.store.finish()
        versions.write_meta(self.version, self.meta)
        versions.publish(self.settings.index_dir, self.version)
        return recall


def _spec_from_meta(meta: dict[str, Any]) -> IndexSpec:
    return IndexSpec(**meta["index"])
