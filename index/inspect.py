"""Index statistics without loading the model (for `newsdesk index stats` and App Home)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import integrity, versions
from .build_encoding import encoding_of
from .config import Settings
from .records import IndexStats
from .store import Store


def read_stats(settings: Settings) -> IndexStats:
    version = versions.require_current_version(settings.index_dir)
    meta = integrity.glance(version)
    store = integrity.open_store(version)
    try:
        with integrity.reading_database(version):
            return stats_for(version, meta, store)
    finally:
        store.close()


def stats_for(version: Path, meta: dict[str, Any], store: Store) -> IndexStats:
    date_min, date_max, undated = store.date_range()
    return IndexStats(
        articles=store.count("articles"),
        sentences=store.count("sentences"),
        line_kinds=tuple(sorted(store.kind_counts().items(), key=lambda kv: -kv[1])),
        outlets=tuple(store.outlet_counts()),
        date_min=date_min,
        date_max=date_max,
        undated_articles=undated,
        model=str(meta.get("model")),
        dimension=int(meta.get("dimension", 0)),
        encoder=encoding_of(meta),
        index_type=str(meta.get("index_type")),
        built_at=str(meta.get("created")),
        size_bytes=sum(p.stat().st_size for p in version.iterdir() if p.is_file()),
        path=os.path.realpath(version),
        recall_at_10=meta.get("recall_at_10"),
        recall_sample=int(meta.get("recall_sample", 0)),
        headed_vectors=store.headed_vector_count(),
    )
