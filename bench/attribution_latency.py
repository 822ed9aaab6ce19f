"""What attribution adds to a search: the cost of who-said-it for 10 results, and of `said:`.

For every reporter dev question, the ten results are attributed again on their own (the same
call `Searcher.search` makes) and timed; then "what did NAME say about …?" questions, one per
speaker the labelled sample names, are timed whole against the same questions without the speaker.

    .venv/bin/python -m bench.attribution_latency INDEX_DIR
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.stats import machine, median, percentile
from index import search
from index.config import Settings
from index.embedder import Embedder
from index.search import Searcher

HERE = Path(__file__).parent
QUESTIONS = HERE / "data" / "reporter" / "dev.jsonl"
LABELS = HERE / "data" / "attribution" / "labelled.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index", type=Path)
    args = parser.parse_args()
    settings = Settings(index_dir=args.index)
    embedder = Embedder(settings)
    embedder.warm()
    searcher = Searcher.open(settings, embedder)
    store = searcher._loaded.store
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    added = []
    attributed = 0
    for question in questions:
        hits = list(searcher.rank(question, k=10).results)
        started = time.perf_counter()
        again = search._attributed(store, hits)
        added.append((time.perf_counter() - started) * 1000)
        attributed += sum(hit.attribution is not None for hit in again)
    print(
        f"who said it for 10 results, {len(questions)} questions: median {median(added):.1f} ms, "
        f"p95 {percentile(added, 95):.1f} ms ({attributed / len(questions):.1f} of 10 attributed)"
    )
    labelled = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    speakers = sorted({row["speaker"].split()[-1] for row in labelled if row["speaker"] and row["cue"]})
    with_speaker, without, answered = [], [], 0
    for name in speakers:
        started = time.perf_counter()
        answer = searcher.search(f"what did {name} say about it?", limit=10)
        with_speaker.append((time.perf_counter() - started) * 1000)
        answered += answer.answered
        started = time.perf_counter()
        searcher.search(f"{name} said it", limit=10)
        without.append((time.perf_counter() - started) * 1000)
    print(
        f"'what did NAME say about it?' for {len(speakers)} speakers: median {median(with_speaker):.0f} ms, "
        f"p95 {percentile(with_speaker, 95):.0f} ms; the same without the speaker filter: median "
        f"{median(without):.0f} ms; {answered} answered ({machine()})"
    )


if __name__ == "__main__":
    main()
