"""The BM25 stage alone (FTS5 term counts and the ranked OR-query), on any index database.

    .venv/bin/python -m bench.bench_fts DB [DB ...] [--questions FILE.jsonl ...] [--runs 3] \
        [--caps 0,5000] [--stand-ins any,all]

Needs only `newsdesk.db`, not the vectors, so it also measures the database of a build that was
stopped before embedding finished. Each question goes through the same analysis as `Searcher`
(shorthand, IDF weights from capped term counts, the BM25 term pruning) and the same FTS5 query
for the top 100. Each cap C is the most sentences a BM25 term may be found in, whatever the
index's size (`ranking.BM25_MAX_MATCHES`; shipped: 5,000); 0 is no cap, the share rule alone.
When every word of a question is over the cap, its two rarest words stand in: `all` asks for a
sentence with both (shipped), `any` for either (before session 12).
Reports per database and cap: p50/p95 of the term counts, of the ranked query and of both
(median of --runs), terms kept per question, how many questions have only stand-ins and the
ranked query's p95 over them, and the share of questions whose answer string is
in one of the 100 sentences returned (the BM25 candidates' recall; dense candidates not counted).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.stats import machine, median, percentile
from index import ranking
from index.evaluate import read_qa
from index.search import CANDIDATES
from index.store import Store

REPORTER = Path(__file__).parent / "data" / "reporter"
QUIZ = Path("/work/bench-work/rtqa/realtimeqa-qa.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("databases", type=Path, nargs="+")
    parser.add_argument(
        "--questions", type=Path, nargs="+", default=[REPORTER / "dev.jsonl", REPORTER / "test.jsonl", QUIZ]
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--caps", default="0,5000", help="Comma-separated largest term counts; 0 = none.")
    parser.add_argument("--stand-ins", default="all", help="Comma-separated: all (both words), any.")
    args = parser.parse_args()
    items = [item for path in args.questions for item in read_qa(path)]
    shorthand = ranking.load_shorthand()
    report: dict[str, Any] = {"machine": machine(), "questions": len(items), "databases": []}
    for path in args.databases:
        store = Store.open_read_only(path)
        count = store.count("sentences")
        rows = []
        for cap in (int(c) for c in args.caps.split(",")):
            for stand_ins in args.stand_ins.split(","):
                runs = [_run(store, count, items, shorthand, cap, stand_ins) for _ in range(args.runs)]
                rows.append({"stand_ins": stand_ins, **_summary(cap, runs)})
        report["databases"].append({"path": str(path), "sentences": count, "caps": rows})
        store.close()
    print(json.dumps(report, indent=2))


def _run(
    store: Store, count: int, items: list[Any], shorthand: dict[str, str], cap: int, stand_ins: str
) -> dict[str, Any]:
    counts_ms, query_ms, kept, found, standing_in = [], [], [], [], []
    most = cap or count

    def weigh(terms: list[str]) -> dict[str, float]:
        return ranking.idf_weights(store.term_counts(terms, ranking.common_cap(count)), count)

    for item in items:
        started = time.perf_counter()
        question = ranking.analyse(item.question, shorthand=shorthand, weigh=weigh)
        counted = time.perf_counter()
        terms = ranking.bm25_terms(question, count, max_matches=most)
        match = ranking.bm25_match(question, count, max_matches=most, both_stand_ins=stand_ins == "all")
        hits = store.full_text_search(match, CANDIDATES, ranking.CONTEXT_WEIGHT) if match else []
        done = time.perf_counter()
        counts_ms.append((counted - started) * 1000)
        query_ms.append((done - counted) * 1000)
        kept.append(len(terms))
        rare = ranking.bm25_terms(question, count, max_matches=most, stand_in=False)
        standing_in.append(bool(terms) and not rare)
        if item.answerable:
            texts = [row.text for row in store.sentences([i for i, _ in hits]).values()]
            found.append(any(item.is_answered_by(text) for text in texts))
    return {"counts": counts_ms, "query": query_ms, "kept": kept, "found": found, "standing_in": standing_in}


def _summary(cap: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    def ms(key: str, q: int) -> float:
        return round(median([percentile(run[key], q) for run in runs]), 1)

    def both(q: int) -> float:
        totals = [[a + b for a, b in zip(run["counts"], run["query"])] for run in runs]
        return round(median([percentile(total, q) for total in totals]), 1)

    first = runs[0]
    stand_in_ms = [
        percentile([ms for ms, standing in zip(run["query"], run["standing_in"]) if standing] or [0.0], 95)
        for run in runs
    ]
    return {
        "cap": cap,
        "term_counts_ms_p50_p95": [ms("counts", 50), ms("counts", 95)],
        "ranked_query_ms_p50_p95": [ms("query", 50), ms("query", 95)],
        "bm25_stage_ms_p50_p95": [both(50), both(95)],
        "terms_kept_mean": round(sum(first["kept"]) / len(first["kept"]), 2),
        "stand_in_questions": sum(first["standing_in"]),
        "stand_in_query_ms_p95": round(median(stand_in_ms), 1),
        "answer_in_bm25_top_100": round(sum(first["found"]) / max(len(first["found"]), 1), 3),
    }


if __name__ == "__main__":
    main()
