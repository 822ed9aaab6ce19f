"""An archive's database alone, at sizes this machine cannot embed: N lines, no vectors.

    .venv/bin/python -m bench.fts_archive OUT_DIR [--sentences 10000000] [--real FILE.jsonl ...]
                                           [--data ../shared/data] [--seed 11]

Writes OUT_DIR/newsdesk.db as a build writes it (the same reading, cleaning, splitting, line kinds,
context column, vocabulary and term counts, through `Store`) for the real articles given (the
RealTime QA articles, so the quiz and reporter questions have their answers inside) and for N lines
of the synthetic archive of bench/scale_corpus.py, and stops before embedding. The BM25 stage and
the term counts (bench/bench_fts.py) read only this file, so this is how they are measured at 10M
lines: embedding that many would take this host about a day. Reports lines, articles, wall time,
peak RSS and bytes a line as JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench.scale_corpus import GCS, SQUAD, write_corpus
from bench.stats import machine
from index.build import article_lines, content_hash
from index.config import Settings
from index.identity import identity, source_path
from index.ingest import read_articles
from index.records import Article
from index.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sentences", type=int, default=10_000_000)
    parser.add_argument("--real", type=Path, nargs="*", default=[])
    parser.add_argument("--data", type=Path, default=GCS.parents[1])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    database = args.out / "newsdesk.db"
    if database.exists():
        parser.error(f"{database} exists; give an empty folder")
    corpus = args.out / "synthetic-articles.jsonl"
    started = time.perf_counter()
    if not corpus.exists():
        write_corpus(
            corpus,
            args.sentences,
            args.seed,
            gcs=args.data / GCS.parent.name / GCS.name,
            squad=args.data / SQUAD.parent.name / SQUAD.name,
        )
    generated = time.perf_counter()
    report = write_database(database, [*args.real, corpus])
    report.update(
        machine=machine(),
        corpus_seconds=round(generated - started, 1),
        bytes_a_line=round(database.stat().st_size / max(report["lines"], 1)),
        database_bytes=database.stat().st_size,
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    print(json.dumps(report, indent=2))


def write_database(database: Path, inputs: list[Path]) -> dict[str, Any]:
    """Every readable article of `inputs` as a build stores it; the embedding step is left out."""
    store = Store.open_for_build(database)
    started = time.perf_counter()
    articles = lines = skipped = 0
    items = read_articles(inputs, max_bytes=Settings.from_env().max_article_bytes)
    for item in tqdm(items, desc="articles", unit=" articles", mininterval=30):
        if not isinstance(item, Article):
            skipped += 1
            continue
        classified = article_lines(item)
        if not classified:
            skipped += 1
            continue
        article_id = store.insert_article(item, content_hash(item), identity(item), source_path(item))
        store.insert_sentences(article_id, item.title, [t for t, _ in classified], [k for _, k in classified])
        articles += 1
        lines += len(classified)
        if articles % 2000 == 0:
            store.commit()
    store.finish()
    return {
        "articles": articles,
        "lines": lines,
        "skipped": skipped,
        "write_seconds": round(time.perf_counter() - started, 1),
    }


if __name__ == "__main__":
    main()
