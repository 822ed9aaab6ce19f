"""MultiReQA-SQuAD to newsdesk input: one article per paragraph with its fixed sentences, plus a QA file.

The candidate pool is the 10,642 sentences whose boundaries MultiReQA fixes; a question's gold
sentences are the candidates of its paragraph that contain the start of a detected answer.

    .venv/bin/python -m bench.squad OUT_DIR [--squad FILE] [--candidates FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SQUAD = DATA / "squad-v1.1-dev-mrqa" / "SQuAD.dev.mrqa.jsonl.gz"
CANDIDATES = DATA / "multireqa-squad-dev" / "candidates.json.gz"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def convert(squad: Path, candidates: Path, out: Path) -> tuple[int, int, int]:
    """Write squad-articles.jsonl and squad-qa.jsonl into `out`; returns (articles, sentences, questions)."""
    contexts = [c for c in read_jsonl(squad) if "context" in c]
    by_qid = {qa["qid"]: number for number, c in enumerate(contexts) for qa in c["qas"]}
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for candidate in read_jsonl(candidates):
        qids, _, index = candidate["candidate_id"].removeprefix("SQuAD_").rpartition("/_")
        context = by_qid[qids.split("/")[0]]
        spans[context].append((int(index), candidate["response_start"], candidate["response_end"]))
    out.mkdir(parents=True, exist_ok=True)
    sentences = questions = 0
    with (
        (out / "squad-articles.jsonl").open("w", encoding="utf-8") as articles,
        (out / "squad-qa.jsonl").open("w", encoding="utf-8") as qa_file,
    ):
        for number, context in enumerate(contexts):
            pieces = sorted(spans[number])
            texts = [context["context"][start:end].strip() for _, start, end in pieces]
            # No title: the MRQA file has none, so newsdesk's own fallback (the first sentence,
            # cut to 80 characters) stands in for a headline, as for any untitled article.
            record = {
                "url": f"squad-dev:{number}",
                "source": "SQuAD",
                "text": context["context"],
                "sentences": texts,
            }
            articles.write(json.dumps(record, ensure_ascii=False) + "\n")
            sentences += len(texts)
            for qa in context["qas"]:
                starts = {span[0] for d in qa["detected_answers"] for span in d["char_spans"]}
                gold = [
                    text
                    for (_, start, end), text in zip(pieces, texts)
                    if any(start <= s < end for s in starts)
                ]
                if not gold:
                    continue
                line = {"question": qa["question"], "expected": list(dict.fromkeys(gold))}
                qa_file.write(json.dumps(line, ensure_ascii=False) + "\n")
                questions += 1
    return len(contexts), sentences, questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="Folder for squad-articles.jsonl and squad-qa.jsonl.")
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--candidates", type=Path, default=CANDIDATES)
    args = parser.parse_args()
    articles, sentences, questions = convert(args.squad, args.candidates, args.out)
    print(f"{articles:,} articles, {sentences:,} sentences, {questions:,} questions in {args.out}")


if __name__ == "__main__":
    main()
