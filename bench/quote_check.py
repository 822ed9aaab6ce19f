"""Quote check: verdict accuracy per kind of quote, the right sentence found, and warm latency.

    .venv/bin/python -m bench.quote_check INDEX QUOTES [--runs 3] [--split dev|test|all] [--sweep]

QUOTES is JSONL: {"quote", "kind", "expected": "exact"|"close"|"not_found", "sentence"
(the published sentence(s), for quotes made from one), "split"}; bench/data/quote_check.jsonl
is made from the RealTime QA articles (protocol in docs/benchmarks.md). Latency is one warm
check per quote, the query cache emptied before each run; the figures are medians over runs.
The time to encode the quote is measured apart (`quote_encode_p50_ms`), and the load average
is recorded: on a shared machine the model's share grows with the load.
`--sweep` scores QuotePolicy thresholds on the chosen split from the best candidate of each quote.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.stats import machine, median, percentile
from index.config import Settings
from index.embedder import Embedder
from index.quote_check import QuoteCheck, QuotePolicy, tokens
from index.search import Searcher

# Every candidate passes: the best one of each quote, to sweep thresholds over.
PERMISSIVE = QuotePolicy(min_coverage=0.0, min_precision=0.0, min_cosine=-1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("quotes", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()

    items = [json.loads(line) for line in args.quotes.read_text("utf-8").splitlines() if line.strip()]
    if args.split != "all":
        items = [item for item in items if item.get("split") == args.split]
    settings = Settings(index_dir=args.index)
    embedder = Embedder(settings)
    searcher = Searcher.open(settings, embedder)
    embedder.warm()
    if args.sweep:
        print(json.dumps(sweep(searcher, items), indent=2))
        return

    runs: list[list[float]] = []
    encodes: list[float] = []
    checks: list[QuoteCheck] = []
    for _ in range(args.runs):
        embedder.forget_queries()
        encode = []
        for item in items:
            started = time.perf_counter()
            embedder.encode_query(item["quote"])
            encode.append(time.perf_counter() - started)
        encodes.append(percentile(encode, 50) * 1000)
        embedder.forget_queries()
        times, checks = [], []
        for item in items:
            started = time.perf_counter()
            checks.append(searcher.check_quote(item["quote"]))
            times.append(time.perf_counter() - started)
        runs.append(times)
    result = report(items, checks, runs, searcher)
    result["quote_encode_p50_ms"] = round(median(encodes), 1)
    result["load_average"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2, ensure_ascii=False))


def same_text(a: str, b: str) -> bool:
    return [t.key for t in tokens(a)] == [t.key for t in tokens(b)]


def report(
    items: list[dict[str, Any]], checks: list[QuoteCheck], runs: list[list[float]], searcher: Searcher
) -> dict[str, Any]:
    by_kind: dict[str, list[tuple[bool, bool | None]]] = defaultdict(list)
    wrong = []
    for item, check in zip(items, checks, strict=True):
        right = check.verdict == item["expected"]
        found = None
        if item.get("sentence") and check.matches:
            found = same_text(check.matches[0].text, item["sentence"])
        by_kind[item["kind"]].append((right, found))
        if not right or found is False:
            first = check.matches[0] if check.matches else None
            wrong.append(
                {
                    "kind": item["kind"],
                    "quote": item["quote"],
                    "expected": item["expected"],
                    "got": check.verdict,
                    "first": first.text if first else None,
                    "scores": [first.coverage, first.precision, first.cosine] if first else None,
                }
            )

    def kind_p50(kind: str) -> float:
        picked = [n for n, item in enumerate(items) if item["kind"] == kind]
        return round(median([percentile([t[n] for n in picked], 50) * 1000 for t in runs]), 1)

    kinds = {
        kind: {
            "quotes": len(rows),
            "warm_p50_ms": kind_p50(kind),
            "verdict_accuracy": round(sum(r for r, _ in rows) / len(rows), 3),
            "right_sentence_first": round(sum(bool(f) for r, f in rows if r) / len(rows), 3)
            if any(f is not None for _, f in rows)
            else None,
        }
        for kind, rows in by_kind.items()
    }
    total = [r for rows in by_kind.values() for r, _ in rows]
    stats = searcher.stats()
    return {
        "machine": machine(),
        "index": f"{stats.articles} articles, {stats.sentences} sentences, {stats.index_type}",
        "quotes": len(items),
        "verdict_accuracy": round(sum(total) / len(total), 3),
        "by_kind": kinds,
        "warm_p50_ms": round(median([percentile(t, 50) * 1000 for t in runs]), 1),
        "warm_p95_ms": round(median([percentile(t, 95) * 1000 for t in runs]), 1),
        "runs": len(runs),
        "wrong": wrong,
    }


def sweep(searcher: Searcher, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Verdict accuracy for each threshold triple, from every article's best window of each quote."""
    found = [
        (item["expected"], searcher.check_quote(item["quote"], policy=PERMISSIVE).matches) for item in items
    ]

    def accuracy(policy: QuotePolicy) -> float:
        right = 0
        for expected, matches in found:
            if any(not m.differences for m in matches):
                got = "exact"
            elif any(
                m.coverage >= policy.min_coverage
                and m.precision >= policy.min_precision
                and m.cosine >= policy.min_cosine
                for m in matches
            ):
                got = "close"
            else:
                got = "not_found"
            right += got == expected
        return round(right / len(found), 3)

    grid = [
        QuotePolicy(coverage, precision, cosine)
        for coverage, precision, cosine in itertools.product(
            [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9], [0.0, 0.4, 0.5, 0.6, 0.7], [0.0, 0.5, 0.6, 0.7, 0.8]
        )
    ]
    scored = sorted(((accuracy(p), p) for p in grid), key=lambda r: -r[0])
    return {
        "quotes": len(found),
        "default": {"policy": str(QuotePolicy()), "accuracy": accuracy(QuotePolicy())},
        "best": [{"policy": str(p), "accuracy": a} for a, p in scored[:10]],
        "coverage_alone": {
            str(p.min_coverage): a for a, p in scored if p.min_precision == 0 and p.min_cosine == 0
        },
    }


if __name__ == "__main__":
    main()
