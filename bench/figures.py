"""Figures over time on the reporter questions: dump each figure question's timeline, score labelled entries.

    .venv/bin/python -m bench.figures --index DIR --margins 0.15,0.3 dump bench/data/reporter/dev.jsonl
    .venv/bin/python -m bench.figures --index DIR --margins 0.15,0.3 score \\
        bench/data/figures/timeline-labels.jsonl bench/data/reporter/dev.jsonl bench/data/reporter/test.jsonl

`dump` writes one line per timeline entry (question, split, date, source, figure, text, the
smallest timeline margin that shows it) with `on_subject` left null, for a reader to label;
`score` asks the questions again at each margin and reports, per split, the share of timeline
entries labelled on the question's subject (an entry not yet labelled is counted apart).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.config import Settings
from index.embedder import Embedder
from index.figures import FigurePolicy, read_question
from index.search import Searcher


def figure_questions(path: Path) -> Iterator[str]:
    """The answerable figure questions of a reporter set."""
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("answerable", True) and read_question(item["question"]) is not None:
            yield item["question"]


def entries(searcher: Searcher, path: Path) -> Iterator[dict[str, Any]]:
    split = path.stem
    for question in figure_questions(path):
        answer = searcher.search(question)
        for entry in answer.timeline:
            yield {
                "split": split,
                "question": question,
                "date": entry.date.isoformat(),
                "source": entry.source,
                "figure": entry.figure,
                "text": entry.text,
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump")
    dump.add_argument("qa", type=Path, nargs="+")
    score = sub.add_parser("score")
    score.add_argument("labels", type=Path)
    score.add_argument("qa", type=Path, nargs="+")
    parser.add_argument(
        "--margins", default=str(FigurePolicy().timeline_margin), help="timeline margins, comma-separated"
    )
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=args.index)
    default = Searcher.open(settings, Embedder(settings))
    margins = [float(m) for m in args.margins.split(",")]
    searchers = {
        m: Searcher(
            settings, default.embedder, default._loaded, figure_policy=FigurePolicy(timeline_margin=m)
        )
        for m in margins
    }
    if args.command == "dump":
        seen: set[tuple[str, str]] = set()
        for path in args.qa:
            for margin, searcher in searchers.items():
                for entry in entries(searcher, path):
                    if (entry["question"], entry["text"]) not in seen:
                        seen.add((entry["question"], entry["text"]))
                        print(json.dumps({**entry, "margin": margin, "on_subject": None}, ensure_ascii=False))
        return
    labels = {}
    for line in args.labels.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        labels[(item["question"], item["text"])] = item["on_subject"]
    print(
        "| split | margin | figure questions | with a timeline | entries | on subject | share | unlabelled |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for path, (margin, searcher) in ((p, m) for p in args.qa for m in searchers.items()):
        questions = list(figure_questions(path))
        found = list(entries(searcher, path))
        known = [labels[(e["question"], e["text"])] for e in found if (e["question"], e["text"]) in labels]
        on = sum(1 for label in known if label)
        with_timeline = len({e["question"] for e in found})
        share = f"{on / len(known):.1%}" if known else "n/a"
        print(
            f"| {path.stem} | {margin} | {len(questions)} | {with_timeline} | {len(found)} | {on} | "
            f"{share} | {len(found) - len(known)} |"
        )


if __name__ == "__main__":
    main()
