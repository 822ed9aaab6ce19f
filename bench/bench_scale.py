"""Scale benchmark: build and ask over N sentences (synthetic articles, real sentences).

    .venv/bin/python -m bench.bench_scale [--sentences 1000000] [--work DIR] [--data ../shared/data]
                                          [--parts N] [--no-build]

Writes the synthetic archive (bench/scale_corpus.py) plus the real RealTime QA articles, builds
one index of both with `newsdesk index build` in a child process, and reports: build wall time
and sentences/s, the build's peak RSS, disk (total and bytes per sentence), warm `ask` p50/p95
by stage, cold `newsdesk ask`, serving RSS (bench/bench_ask.py), and the quiz questions' R@5 on
this index: the real articles are inside the synthetic ones, so a drop there is what the extra
sentences cost. Files stay under --work, so a second run reuses the corpus (and, with
--no-build, the index).

With --parts N the archive is built as a newsroom grows one: the synthetic articles are cut into
N equal runs of lines, the first built with the real articles (`index build`), each other added
(`index add`), every step a published version timed on its own. Steps done are recorded in
--work, so a run that stops (a session's end) goes on from the next step when started again.
"""

from __future__ import annotations

import argparse
import json
import os
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
    parser.add_argument("--parts", type=int, default=1, help="Build in this many published steps.")
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
        report["build"] = build_in_steps(index, corpus, work / "realtimeqa-articles.jsonl", args.parts)
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
        # Lines indexed over the build's wall time; steps skipped on a rerun count their old time.
        report["build"]["sentences_per_s"] = round(stats["sentences"] / report["build"]["seconds"], 1)
    report["ask"] = json.loads(run([sys.executable, "-m", "bench.bench_ask", "--index", str(index)]))
    quiz = json.loads(
        run([NEWSDESK, "eval", str(work / "realtimeqa-qa.jsonl"), "--index", str(index), "--json", "-q"])
    )
    report["quiz"] = {key: quiz[key] for key in ("questions", "mrr", "p_at_1", "r_at_5", "r_at_10")}
    print(json.dumps(report, indent=2))


def build_in_steps(index: Path, corpus: Path, real: Path, parts: int) -> dict[str, Any]:
    """Build (parts=1), or build the first part and add the others; steps done are skipped."""
    log = index.parent / f"steps-of-{parts}.json"
    steps: list[dict[str, Any]] = json.loads(log.read_text()) if log.exists() else []
    inputs = [corpus] if parts == 1 else split(corpus, parts)
    for number in range(len(steps), parts):
        verb = "build" if number == 0 else "add"
        files = [inputs[number], real] if number == 0 else [inputs[number]]
        command = [NEWSDESK, "index", verb, *map(str, files), "--index", str(index), "-q", "--json"]
        started = time.perf_counter()
        out, peak_kb = run_measured(command)
        report = json.loads(out)
        steps.append(
            {
                "step": f"{verb} {', '.join(f.name for f in files)}",
                "seconds": round(time.perf_counter() - started, 1),
                "peak_rss_mb": round(peak_kb / 1024),
                "embedded": report["sentences_embedded"],
                "embed_seconds": round(report["embed_seconds"], 1),
                "sentences_after": report["sentences_total"],
                "encoder": report.get("encoder", "torch"),
                "index_type": report["index_type"],
            }
        )
        log.write_text(json.dumps(steps, indent=2))
    return {
        "steps": steps,
        "seconds": round(sum(s["seconds"] for s in steps), 1),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in steps),
    }


def split(corpus: Path, parts: int) -> list[Path]:
    """`corpus` cut into `parts` files of consecutive lines (whole articles), written once."""
    paths = [corpus.with_name(f"part-{k + 1}-of-{parts}.jsonl") for k in range(parts)]
    if not all(p.exists() for p in paths):
        lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
        bounds = [len(lines) * k // parts for k in range(parts + 1)]
        for k, path in enumerate(paths):
            path.write_text("".join(lines[bounds[k] : bounds[k + 1]]), encoding="utf-8")
    return paths


def run_measured(command: list[str]) -> tuple[str, int]:
    """A child's stdout and its own peak RSS in KB (progress goes to this process's stderr)."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, command)
    return out, usage.ru_maxrss


def run(command: list[str]) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    main()
