"""Build benchmark: `newsdesk index build` over the RealTime QA articles, against encode-only speed.

    .venv/bin/python -m bench.bench_build [--gcs PATH] [--index DIR] [--limit N]

Reports articles and sentences indexed (and given a headed vector: NEWSDESK_HEADED_VECTORS=0 turns
that off, to measure its cost), build wall time, sentences/s end to end, the model's
encode-only sentences/s measured in the same run on a sample of the same sentences, peak
memory of the build process, and the index size on disk.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.realtimeqa import GCS, write_articles
from bench.stats import machine
from index.config import Settings
from index.embedder import Embedder
from index.store import Store
from index.versions import DB_NAME, current_version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--gcs", type=Path, default=GCS, help="RealTime QA gcs_*.jsonl.gz")
    parser.add_argument("--index", type=Path, default=None, help="where to build (default: a temp dir)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--encode-sample", type=int, default=3000, help="sentences for encode-only")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    index_dir = args.index or work / "index"
    articles_file = work / "articles.jsonl"
    count = write_articles(articles_file, args.gcs, args.limit)
    print(f"{count} unique articles written to {articles_file}", file=sys.stderr)

    command = [
        str(Path(sys.executable).parent / "newsdesk"),
        "index",
        "build",
        str(articles_file),
        "--index",
        str(index_dir),
        "--fresh",
        "--json",
        "--quiet",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    build_seconds = time.perf_counter() - started
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.exit(f"build failed ({done.returncode}):\n{done.stderr}")
    report = json.loads(done.stdout)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    version = current_version(index_dir)
    assert version is not None
    size_mb = sum(p.stat().st_size for p in version.iterdir()) / 1e6
    store = Store.open_read_only(version / DB_NAME)
    texts = [row[0] for row in store.db.execute("SELECT text FROM sentences").fetchall()]
    sample = random.Random(0).sample(texts, min(args.encode_sample, len(texts)))
    embedder = Embedder(Settings())
    embedder.warm()
    started = time.perf_counter()
    embedder.encode(sample, batch_size=Settings().embed_batch_size)
    encode_rate = len(sample) / (time.perf_counter() - started)

    sentences = report["sentences_total"]
    build_rate = sentences / build_seconds
    result = {
        "machine": machine(),
        "articles_indexed": report["articles_total"],
        "articles_skipped": len(report["failures"]),
        "sentences_indexed": sentences,
        "sentences_embedded": report["sentences_embedded"],
        "headed_vectors_embedded": report["headed_embedded"],
        "headed_vectors_reused": report["headed_reused"],
        "build_seconds": round(build_seconds, 1),
        "embed_seconds_in_build": round(report["embed_seconds"], 1),
        "build_sentences_per_s": round(build_rate, 1),
        "encode_only_sentences_per_s": round(encode_rate, 1),
        "build_vs_encode_only": round(build_rate / encode_rate, 3),
        "peak_rss_mb": round(peak_mb),
        "index_mb_on_disk": round(size_mb, 1),
        "index_type": report["index_type"],
        "index_dir": str(index_dir),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
