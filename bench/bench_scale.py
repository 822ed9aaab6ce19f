"""Scale benchmark: build and ask over N sentences (synthetic articles, real sentences).

    .venv/bin/python -m bench.bench_scale [--sentences 1000000] [--work DIR] [--data ../shared/data]

Writes the synthetic archive (bench/scale_corpus.py) plus the real RealTime QA articles, builds
one index of both with `newsdesk index build` in a child process, and reports: build wall time
and sentences/s, the build's peak RSS, disk (total and bytes per sentence), warm `ask` p50/p95
by stage, cold `newsdesk ask`, serving RSS (bench/bench_ask.py), and the quiz questions' R@5 on
this index: the real articles are inside the synthetic ones, so a drop there is what the extra
sentences cost. Files stay under --work, so a second run reuses the corpus (and, with
--no-build, the index).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import realtimeqa
from bench.scale_corpus import write_corpus
from bench.stats import machine

NEWSDESK = str(Path(sys.executable).parent / "newsdesk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsdesk-scale")
    parser.add_argument("--no-build", action="store_true", help="Measure the index already in --work.")
    args = parser.parse_args()

    work = args.work / f"{args.sentences}"
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "synthetic-articles.jsonl"
    rtqa = args.data / "realtimeqa"
    if not corpus.exists():
        write_corpus(
            corpus,
            args.sentences,
            seed=11,
            gcs=rtqa / "gcs_2024-01-05_to_2024-04-12.jsonl.gz",
            squad=args.data / "squad-v1.1-dev-mrqa" / "SQuAD.dev.mrqa.jsonl.gz",
        )
    realtimeqa.convert(
        rtqa / "gcs_2024-01-05_to_2024-04-12.jsonl.gz", rtqa / "qa_weekly_2020-2026.jsonl.gz", work
    )
    index = work / "index"
    report: dict[str, Any] = {"machine": machine(), "synthetic_sentences_asked_for": args.sentences}
    if not args.no_build:
        report["build"] = build(index, [corpus, work / "realtimeqa-articles.jsonl"])
    stats = json.loads(run([NEWSDESK, "index", "stats", "--index", str(index), "--json"]))
    disk = sum(f.stat().st_size for f in (index / "current").resolve().rglob("*") if f.is_file())
    report["index"] = {
        "articles": stats["articles"],
        "sentences": stats["sentences"],
        "index_type": stats["index_type"],
        "disk_mb": round(disk / 1e6, 1),
        "bytes_per_sentence": round(disk / max(stats["sentences"], 1)),
    }
    if "build" in report:
        report["build"]["sentences_per_s"] = round(stats["sentences"] / report["build"]["seconds"], 1)
    report["ask"] = json.loads(run([sys.executable, "-m", "bench.bench_ask", "--index", str(index)]))
    quiz = json.loads(
        run([NEWSDESK, "eval", str(work / "realtimeqa-qa.jsonl"), "--index", str(index), "--json", "-q"])
    )
    report["quiz"] = {key: quiz[key] for key in ("questions", "mrr", "p_at_1", "r_at_5", "r_at_10")}
    print(json.dumps(report, indent=2))


def build(index: Path, inputs: list[Path]) -> dict[str, Any]:
    started = time.perf_counter()
    command = [NEWSDESK, "index", "build", *map(str, inputs), "--index", str(index), "-q"]
    subprocess.run(command, check=True, stdout=sys.stderr)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak)}


def run(command: list[str]) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    main()
