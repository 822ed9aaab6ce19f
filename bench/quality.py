"""Search quality on MultiReQA-SQuAD and RealTime QA: baselines against the default ranking, one table.

Converts both data sets, builds (or incrementally refreshes) an index for each, then scores
dense-only, BM25-only, plain RRF and the default ranking with `index.evaluate`. The hand-written
unanswerable questions (bench/data/unanswerable.jsonl) are asked of both indexes too; the reporter
questions (bench/data/reporter/, test split first) of the RealTime QA index.

    .venv/bin/python -m bench.quality [--data ../shared/data] [--work DIR] [--sample N]
        [--only squad|realtimeqa] [--no-build] [--json]

Converted files and both indexes live under --work (default: newsdesk-quality in the temp
folder), so a second run reuses them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import realtimeqa, squad
from index.build import build_index
from index.config import Settings
from index.embedder import Embedder
from index.evaluate import EvalReport, QAItem, evaluate, read_qa
from index.ranking import Recipe
from index.search import Searcher

REPO = Path(__file__).resolve().parents[1]

RECIPES = ("dense", "bm25", "rrf", "best")
UNANSWERABLE = REPO / "bench" / "data" / "unanswerable.jsonl"
REPORTER = REPO / "bench" / "data" / "reporter"
SAMPLES = REPO / "data" / "articles"


@dataclass(frozen=True)
class Dataset:
    name: str
    index: Path
    articles: list[Path]
    questions: list[QAItem]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "newsdesk-quality", help="Files, indexes."
    )
    parser.add_argument("--sample", type=int, help="Every Nth SQuAD question only (quick runs).")
    parser.add_argument("--no-build", action="store_true", help="Use the indexes as they are.")
    parser.add_argument("--only", choices=["squad", "realtimeqa"], help="One data set only.")
    parser.add_argument("--json", action="store_true", help="Print every report as JSON too.")
    args = parser.parse_args()

    squad.convert(
        args.data / "squad-v1.1-dev-mrqa" / "SQuAD.dev.mrqa.jsonl.gz",
        args.data / "multireqa-squad-dev" / "candidates.json.gz",
        args.work,
    )
    rtqa = args.data / "realtimeqa"
    realtimeqa.convert(
        rtqa / "gcs_2024-01-05_to_2024-04-12.jsonl.gz", rtqa / "qa_weekly_2020-2026.jsonl.gz", args.work
    )
    squad_questions = read_qa(args.work / "squad-qa.jsonl")[:: args.sample or 1]
    datasets = [
        Dataset(
            "MultiReQA-SQuAD",
            args.work / "squad-index",
            [args.work / "squad-articles.jsonl"],
            squad_questions,
        ),
        # With the sample articles, as a newsroom would index them: two reporter questions are on them.
        Dataset(
            "RealTime QA",
            args.work / "realtimeqa-index",
            [args.work / "realtimeqa-articles.jsonl", SAMPLES],
            read_qa(args.work / "realtimeqa-qa.jsonl"),
        ),
    ]
    if args.only:
        datasets = [d for d in datasets if (d.name == "RealTime QA") == (args.only == "realtimeqa")]
    embedder = Embedder(Settings())
    embedder.warm()
    unanswerable = read_qa(UNANSWERABLE)
    reports: dict[str, dict[str, EvalReport]] = {}
    for dataset in datasets:
        settings = Settings(index_dir=dataset.index)
        if not args.no_build:
            started = time.perf_counter()
            build = build_index(settings, dataset.articles, embedder=embedder, quiet=True)
            print(
                f"{dataset.name}: {build.articles_total:,} articles, {build.sentences_total:,} "
                f"sentences ({build.sentences_embedded:,} embedded now) in "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        reports[dataset.name] = {}
        for recipe in RECIPES:
            searcher = Searcher.open(settings, embedder, recipe=Recipe.named(recipe))
            reports[dataset.name][recipe] = evaluate(searcher, dataset.questions + unanswerable)
        if dataset.name == "RealTime QA":
            # The reporter questions carry their own unanswerable ones, checked against this corpus.
            for split in ("test", "dev"):
                for recipe in RECIPES:
                    searcher = Searcher.open(settings, embedder, recipe=Recipe.named(recipe))
                    reports.setdefault(f"reporter questions, {split}", {})[recipe] = evaluate(
                        searcher, read_qa(REPORTER / f"{split}.jsonl")
                    )
    print(table(reports))
    if args.json:
        print(json.dumps({d: {r: rep.to_json() for r, rep in by.items()} for d, by in reports.items()}))


def table(reports: dict[str, dict[str, EvalReport]]) -> str:
    lines = [
        "| data set (answerable + unanswerable) | ranking | MRR | P@1 | R@3 | R@5 | R@10 "
        "| as ask shows: MRR | P@1 | R@3 | unanswerable refused | answerable refused | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, by_recipe in reports.items():
        for recipe, r in by_recipe.items():
            lines.append(
                f"| {name} ({r.answerable:,} + {r.unanswerable}) | {recipe} | {r.mrr:.3f} | "
                f"{r.p_at_1:.3f} | {r.r_at_3:.3f} | {r.r_at_5:.3f} | {r.r_at_10:.3f} | "
                f"{r.ask_mrr:.3f} | {r.ask_p_at_1:.3f} | {r.ask_r_at_3:.3f} | {_pct(r.no_answer_accuracy)} | "
                f"{_pct(r.false_refusal_rate)} | {r.latency_p50_ms:.1f} | {r.latency_p95_ms:.1f} |"
            )
    return "\n".join(lines)


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1%}"


if __name__ == "__main__":
    main()
