"""The rebuild/update pipeline: read, split, store, embed, then swap the new version in atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from . import versions
from .config import Settings
from .embedder import Embedder
from .embedding_text import EMBEDDING_INPUT, embedding_text
from .errors import IndexMismatchError, IngestError, NewsdeskError
from .furniture import TEXT
from .ingest import read_articles
from .records import Article, IngestWarning
from .sentences import all_text, split_classified
from .store import Store
from .vectors import IndexSpec, VectorIndex, choose_spec

# Bump when cleaning or splitting changes, so a rebuild re-splits articles whose text is unchanged.
# Vectors of sentences whose text is unchanged are reused across the bump (same model and input).
# 2: lines are classified as prose or furniture (index/furniture.py); furniture gets no vector.
PIPELINE_VERSION = 2


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
    failures: tuple[IngestError, ...] = ()
    warnings: tuple[IngestWarning, ...] = ()
    seconds: float = 0.0
    embed_seconds: float = 0.0
    version: str = ""
    index_type: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("failures", "warnings")}
        data["failures"] = [{"path": f.path, "reason": f.reason} for f in self.failures]
        data["warnings"] = [{"path": w.path, "reason": w.reason} for w in self.warnings]
        return data


def build_index(
    settings: Settings,
    paths: Iterable[Path],
    *,
    embedder: Embedder,
    source: str | None = None,
    date: dt.date | None = None,
    fresh: bool = False,
    quiet: bool = False,
) -> BuildReport:
    """Make the index hold exactly the articles under `paths`; unchanged articles keep their vectors."""
    with _VersionWriter(settings, embedder, fresh=fresh, quiet=quiet, rebuild=True) as writer:
        writer.ingest(_articles(settings, paths, source, date, quiet))
        writer.drop_unseen()
        return writer.publish()


def add_articles(
    settings: Settings,
    paths: Iterable[Path],
    *,
    embedder: Embedder,
    source: str | None = None,
    date: dt.date | None = None,
    quiet: bool = False,
) -> BuildReport:
    """Add new articles and re-embed changed ones; everything else stays as it is."""
    versions.require_current_version(settings.index_dir)
    with _VersionWriter(settings, embedder, fresh=False, quiet=quiet) as writer:
        writer.ingest(_articles(settings, paths, source, date, quiet))
        return writer.publish()


def remove_articles(
    settings: Settings, *, urls: Iterable[str] = (), ids: Iterable[int] = (), quiet: bool = False
) -> BuildReport:
    """Take articles (a retracted story, say) out of the index, by URL or article id."""
    versions.require_current_version(settings.index_dir)
    with _VersionWriter(settings, None, fresh=False, quiet=quiet) as writer:
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


def _articles(
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


@dataclass
class _Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    removed: int = 0
    read: int = 0
    failures: list[IngestError] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)


class _VersionWriter:
    """Writes one new index version, starting from a copy of the current one when compatible."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None,
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
        self.seen: set[int] = set()
        self.pending: list[tuple[int, str]] = []
        self.removed_ids: list[int] = []
        self.retired_texts: dict[int, str] = {}
        self.failed_paths: set[str] = set()
        self.reading = False
        # Vectors of the version being replaced by a pipeline change, found by the encoder's text.
        self.carried: dict[str, int] = {}
        self.carried_vectors: VectorIndex | None = None

    def __enter__(self) -> _VersionWriter:
        self._lock = versions.writer_lock(self.settings.index_dir)
        self._lock.__enter__()
        try:
            versions.prune(self.settings.index_dir)
            self.version = versions.new_version_dir(self.settings.index_dir)
            self._open()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is not None:
                self.store.close()
                versions.discard(self.version)
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def _open(self) -> None:
        previous = versions.current_version(self.settings.index_dir)
        db_path = self.version / versions.DB_NAME
        self.meta: dict[str, Any] = versions.read_meta(previous) if previous else {}
        if previous and self.fresh:
            previous = None
        if previous and not self._compatible(self.meta):
            if not self.rebuild:
                raise IndexMismatchError(self._mismatch_message(self.meta))
            if self._same_vectors(self.meta):
                self._carry_vectors(previous)
            previous = None  # a rebuild with another model or pipeline starts from scratch
        if previous is None:
            self.store = Store.open_for_build(db_path)
            dimension = self.embedder.dimension if self.embedder else 0
            self.vectors = VectorIndex.empty(dimension)
            self.meta = {}
            return
        source = Store.open_read_only(previous / versions.DB_NAME)
        source.copy_to(db_path)
        source.close()
        self.store = Store.open_for_build(db_path)
        self.vectors = VectorIndex.load(previous / versions.VECTORS_NAME, _spec_from_meta(self.meta))

    def _compatible(self, meta: dict[str, Any]) -> bool:
        if meta.get("pipeline_version") != PIPELINE_VERSION:
            return False
        if meta.get("embedding_input") != EMBEDDING_INPUT:
            return False
        if self.embedder is None:
            return True
        return bool(meta.get("model") == self.embedder.name)

    def _same_vectors(self, meta: dict[str, Any]) -> bool:
        """Only the pipeline changed: a sentence with the same text still has the same vector."""
        return bool(
            self.embedder is not None
            and meta.get("model") == self.embedder.name
            and meta.get("embedding_input") == EMBEDDING_INPUT
        )

    def _carry_vectors(self, previous: Path) -> None:
        old = Store.open_read_only(previous / versions.DB_NAME)
        try:
            self.carried = {
                embedding_text(title, text): sentence_id for sentence_id, title, text in old.embedded_texts()
            }
        finally:
            old.close()
        self.carried_vectors = VectorIndex.load(previous / versions.VECTORS_NAME, _spec_from_meta(self.meta))

    def _mismatch_message(self, meta: dict[str, Any]) -> str:
        model = self.embedder.name if self.embedder else "this newsdesk"
        return (
            f"The index at {self.settings.index_dir} was built with model "
            f"{meta.get('model')!r} (pipeline {meta.get('pipeline_version')}, input "
            f"{meta.get('embedding_input')!r}); {model!r} cannot add to it. Rebuild it with "
            "`newsdesk index build --fresh PATH`, or point NEWSDESK_MODEL at the model it was built with."
        )

    # -- changes ------------------------------------------------------------------------------

    def ingest(self, items: Iterable[Article | IngestError | IngestWarning]) -> None:
        self.reading = True
        for item in items:
            if isinstance(item, IngestWarning):
                self.counts.warnings.append(item)
                continue
            if isinstance(item, IngestError):
                self.counts.failures.append(item)
                self.failed_paths.add(item.path.split(":")[0])
                continue
            texts = all_text(list(item.sentences)) if item.sentences else split_classified(item.body)
            if not any(kind == TEXT for _, kind in texts):
                # A story too short to look like prose (one line, no full stop) is still a story.
                texts = all_text([text for text, _ in texts])
            if not texts:
                self.counts.failures.append(
                    IngestError(item.path or item.title, "no sentences left after cleaning")
                )
                continue
            self.counts.read += 1
            self._ingest_one(item, texts)
        self.store.db.conn.commit()

    def _ingest_one(self, article: Article, lines: list[tuple[str, str]]) -> None:
        digest = content_hash(article)
        existing = self.store.find_article(url=article.url, content_hash=digest)
        if existing is not None and existing.id in self.seen:
            self.counts.duplicates += 1
            return
        if existing is None:
            article_id = self.store.insert_article(article, digest)
            self.counts.new += 1
        elif existing.content_hash == digest:
            self.store.update_article(existing.id, article, digest)
            self.seen.add(existing.id)
            self.counts.unchanged += 1
            return
        else:
            article_id = existing.id
            self._retire_sentences(article_id)
            self.store.update_article(article_id, article, digest)
            self.counts.updated += 1
        self.seen.add(article_id)
        texts = [text for text, _ in lines]
        ids = self.store.insert_sentences(article_id, article.title, texts, [kind for _, kind in lines])
        self.pending.extend(
            (sentence_id, embedding_text(article.title, text))
            for sentence_id, (text, kind) in zip(ids, lines)
            if kind == TEXT
        )

    def _retire_sentences(self, article_id: int) -> None:
        """Drop a changed article's sentences, remembering what was embedded so it can be reused."""
        for sentence_id, title, text in self.store.embedded_texts(article_id):
            self.retired_texts[sentence_id] = embedding_text(title, text)
        self.removed_ids.extend(self.store.delete_sentences(article_id))

    def drop_unseen(self) -> None:
        """For a full rebuild: drop articles not in this run, except those whose file failed to read."""
        for article_id in self.store.article_ids() - self.seen:
            row = self.store.db.table("articles").get(article_id)
            if row["path"] and row["path"] in self.failed_paths:
                continue
            self.removed_ids.extend(self.store.delete_article(article_id))
            self.counts.removed += 1
        self.store.db.conn.commit()

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
            self.removed_ids.extend(self.store.delete_article(article_id))
            self.counts.removed += 1
        self.store.db.conn.commit()
        return missing

    # -- finishing ----------------------------------------------------------------------------

    def publish(self) -> BuildReport:
        articles_total = self.store.count("articles")
        if self.reading and self.counts.read == 0:
            reasons = "; ".join(str(f) for f in self.counts.failures[:5]) or "no article files found"
            raise NewsdeskError(
                f"No article could be read, so the index was not changed ({reasons}). "
                "newsdesk reads .txt .md .json .jsonl .html (optionally .gz)."
            )
        embed_started = time.perf_counter()
        embedded, reused = self._update_vectors()
        embed_seconds = time.perf_counter() - embed_started
        sentences_total = self.store.count("sentences")
        answerable = self.store.answerable_count()
        self.meta = {
            "model": self.embedder.name if self.embedder else self.meta.get("model"),
            "dimension": self.vectors.dimension,
            "index": self.vectors.spec.to_json(),
            "index_type": self.vectors.spec.describe(),
            "vectors": self.vectors.count,
            "articles": articles_total,
            "sentences": sentences_total,
            "answerable_sentences": answerable,
            "pipeline_version": PIPELINE_VERSION,
            "embedding_input": EMBEDDING_INPUT,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if self.vectors.count != answerable:
            raise NewsdeskError(
                f"Internal check failed: {self.vectors.count} vectors for {answerable} "
                "answerable sentences. The previous index was kept; please report this."
            )
        self.vectors.save(self.version / versions.VECTORS_NAME)
        self.store.write_build_info(self.meta)
        self.store.finish()
        versions.write_meta(self.version, self.meta)
        versions.publish(self.settings.index_dir, self.version)
        return BuildReport(
            articles_new=self.counts.new,
            articles_updated=self.counts.updated,
            articles_unchanged=self.counts.unchanged,
            duplicates=self.counts.duplicates,
            articles_removed=self.counts.removed,
            articles_total=articles_total,
            sentences_total=sentences_total,
            sentences_embedded=embedded,
            sentences_reused=reused,
            failures=tuple(self.counts.failures),
            warnings=tuple(self.counts.warnings),
            seconds=time.perf_counter() - self.started,
            embed_seconds=embed_seconds,
            version=self.version.name,
            index_type=self.vectors.spec.describe(),
        )

    def _update_vectors(self) -> tuple[int, int]:
        """Embed pending sentences (each distinct text once), reusing retired vectors by text."""
        reusable = self._reusable_vectors()
        self.vectors.remove(self.removed_ids)
        if not self.pending:
            return 0, 0
        unique_texts = list(dict.fromkeys(text for _, text in self.pending))
        to_encode = [t for t in unique_texts if t not in reusable]
        assert self.embedder is not None
        with tqdm(
            total=len(to_encode),
            desc="embedding",
            unit=" sentences",
            disable=self.quiet,
            file=sys.stderr,
        ) as bar:
            encoded = self.embedder.encode(
                to_encode, batch_size=self.settings.embed_batch_size, progress=bar.update
            )
        by_text = dict(reusable)
        by_text.update(zip(to_encode, encoded))
        ids = np.array([sentence_id for sentence_id, _ in self.pending], dtype=np.int64)
        matrix = np.vstack([by_text[text] for _, text in self.pending]).astype(np.float32)
        spec = choose_spec(self.vectors.count + len(ids))
        if spec.kind == self.vectors.spec.kind:
            self.vectors.add(matrix, ids)
        else:
            old_vectors, old_ids = self.vectors.vectors_and_ids()
            self.vectors = VectorIndex.build(
                np.vstack([old_vectors, matrix]), np.concatenate([old_ids, ids]), spec
            )
        return len(to_encode), len(self.pending) - len(to_encode)

    def _reusable_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of sentences being replaced, keyed by their text as the encoder saw it."""
        if not self.pending:
            return {}
        wanted = {text for _, text in self.pending}
        if self.carried_vectors is not None:
            pairs = [(self.carried[t], t) for t in wanted if t in self.carried]
            vectors = self.carried_vectors.reconstruct([i for i, _ in pairs])
            return {t: v for (_, t), v in zip(pairs, vectors)}
        if not self.retired_texts:
            return {}
        # Retired ids may have been taken again by this run's new rows; only old vectors count.
        pairs = [(i, t) for i, t in self.retired_texts.items() if t in wanted]
        if not pairs:
            return {}
        vectors = self.vectors.reconstruct([i for i, _ in pairs])
        return {t: v for (_, t), v in zip(pairs, vectors)}


def _spec_from_meta(meta: dict[str, Any]) -> IndexSpec:
    return IndexSpec(**meta["index"])
