"""Question latency: warm `Searcher.search` p50/p95 over 100 questions, and cold `newsdesk ask`.

    .venv/bin/python -m bench.bench_ask --index DIR [--questions 100] [--runs 3] [--cold-runs 5 (0: none)] \
        [--rerank-model DIR]

Each warm run asks the same 100 RealTime QA quiz questions in one process with the query
cache emptied first; the figures are the median over runs. Questions are encoded as `newsdesk ask`
and the Slack app encode them: by the index's ONNX export when it has one (`--torch-queries`
times torch instead). The query-encoding share is timed
separately, so the rest (FAISS, FTS5, SQLite, fusion, formatting) is what search adds; one
more run times each stage (bench/stages.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.realtimeqa import GCS, QA, questions
from bench.stages import timed_stages
from bench.stats import machine, median, percentile
from index.config import Settings
from index.embedder import Embedder
from index.query_encoder import query_encoder_for
from index.search import Searcher
from index.second_stage import SecondStage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--qa", type=Path, default=QA)
    parser.add_argument("--gcs", type=Path, default=GCS)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument(
        "--rerank-model", help="A second-stage model folder (NEWSDESK_RERANK_MODEL) to time as well."
    )
    parser.add_argument("--torch-queries", action="store_true", help="Encode questions with torch.")
    args = parser.parse_args()

    asked = questions(args.qa, args.gcs)[: args.questions]
    # NEWSDESK_MODEL and the other variables count, as they do for `newsdesk ask`.
    settings = Settings.from_env(index_dir=args.index, rerank_model_path=args.rerank_model)
    embedder = Embedder(settings) if args.torch_queries else query_encoder_for(settings)
    searcher = Searcher.open(settings, embedder, second_stage=SecondStage.load(settings, embedder))
    embedder.warm()
    runs = []
    for _ in range(args.runs):
        embedder.forget_queries()
        encode = []
        for question in asked:
            started = time.perf_counter()
            embedder.encode_query(question)
            encode.append(time.perf_counter() - started)
        embedder.forget_queries()
        total = []
        for question in asked:
            started = time.perf_counter()
            searcher.search(question, limit=3)
            total.append(time.perf_counter() - started)
        runs.append(
            {
                "p50_ms": percentile(total, 50) * 1000,
                "p95_ms": percentile(total, 95) * 1000,
                "encode_p50_ms": percentile(encode, 50) * 1000,
            }
        )
    embedder.forget_queries()
    with timed_stages() as times:
        for question in asked:
            searcher.search(question, limit=3)
            times.next_question()
    stages = {
        label: {"p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1)}
        for label, ms in times.per_question.items()
    }
    warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    command = [str(Path(sys.executable).parent / "newsdesk"), "ask", asked[0], "--index", str(args.index)]
    env = dict(os.environ)
    if args.rerank_model:
        env["NEWSDESK_RERANK_MODEL"] = args.rerank_model
    cold = []
    for _ in range(args.cold_runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        cold.append(time.perf_counter() - started)

    stats = searcher.stats()
    print(
        json.dumps(
            {
                "machine": machine(),
                "index": f"{stats.articles} articles, {stats.sentences} sentences, {stats.index_type}",
                "questions": len(asked),
                "model": settings.model_path or "bundled",
                "second_stage": args.rerank_model,
                "query_encoder": type(embedder).__name__,
                "warm_p50_ms": round(median([r["p50_ms"] for r in runs]), 1),
                "warm_p95_ms": round(median([r["p95_ms"] for r in runs]), 1),
                "query_encode_p50_ms": round(median([r["encode_p50_ms"] for r in runs]), 1),
                "stages_one_run": stages,
                "warm_process_peak_rss_mb": round(warm_rss),
                "cold_ask_median_s": round(median(cold), 2) if cold else None,
                "cold_ask_runs_s": [round(c, 2) for c in cold],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
