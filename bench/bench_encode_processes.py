"""Torch threads against processes for the build's encoder: one process of two threads, two of one.

    .venv/bin/python -m bench.bench_encode_processes [--articles FILE.jsonl] [--sentences 3000] [--runs 3]

Encodes the same seeded sample of real news sentences with `Embedder.encode` (length-budgeted
batches, shortest first, as a build does) three ways, each run in fresh processes started with
`spawn`: one process with two torch threads (a build today), one process with one thread, and two
processes of one thread each, every other sentence to each, started together. The rate is the
sentences over the slowest process's encode time (model loading not counted), the median of
--runs, the three ways alternating so that drift in the machine's speed hits each alike.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path
from statistics import median
from typing import Any

from bench.bench_encoders import sample_sentences
from bench.stats import machine

ARTICLES = Path("/work/bench-work/rtqa/realtimeqa-articles.jsonl")
WAYS = {"1 process x 2 threads": (1, 2), "1 process x 1 thread": (1, 1), "2 processes x 1 thread": (2, 1)}


def _encode(texts: list[str], threads: int, results: Any) -> None:
    import torch

    from index.config import Settings
    from index.embedder import Embedder

    torch.set_num_threads(threads)
    embedder = Embedder(Settings.from_env())
    embedder.encode(["warm up"] * 4)
    started = time.perf_counter()
    embedder.encode(texts)
    results.put(time.perf_counter() - started)


def rate(texts: list[str], processes: int, threads: int) -> float:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    shares = [texts[n::processes] for n in range(processes)]
    workers = [context.Process(target=_encode, args=(share, threads, results)) for share in shares]
    for worker in workers:
        worker.start()
    seconds = max(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    return len(texts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    texts = sample_sentences(args.articles, args.sentences)
    rates: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(args.runs):
        for way, (processes, threads) in WAYS.items():
            rates[way].append(round(rate(texts, processes, threads), 1))
            print(way, rates[way][-1], flush=True)
    baseline = median(rates["1 process x 2 threads"])
    report = {
        "machine": machine(),
        "sentences": len(texts),
        "sentences_per_s": {way: {"median": median(r), "runs": r} for way, r in rates.items()},
        "against_one_process_of_two_threads": {
            way: round(median(runs) / baseline, 2) for way, runs in rates.items()
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
