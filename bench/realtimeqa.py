"""RealTime QA (../shared/data/realtimeqa) as newsdesk articles and questions, for benchmarks.

Articles: every unique retrieved article (by URL) with text. Questions: the quiz questions the
articles were retrieved for; for quality evaluation only those whose correct choice occurs in
the corpus (case-insensitive, as whole words), counted as answered where a returned sentence
contains that choice.

    .venv/bin/python -m bench.realtimeqa OUT_DIR [--gcs FILE] [--qa FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "realtimeqa"
GCS = DATA / "gcs_2024-01-05_to_2024-04-12.jsonl.gz"
QA = DATA / "qa_weekly_2020-2026.jsonl.gz"
OUTLETS = {"usatoday.com": "USA Today", "cnn.com": "CNN", "theweek.co.uk": "The Week"}


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def outlet(url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return OUTLETS.get(host, host)


def unique_articles(gcs_path: Path = GCS) -> Iterator[dict[str, Any]]:
    """Every distinct retrieved article (by URL) as a newsdesk JSONL record."""
    seen: set[str] = set()
    for retrieval in read_jsonl(gcs_path):
        for result in retrieval["search_result"]:
            url = result["url"]
            if url in seen or not result.get("text"):
                continue
            seen.add(url)
            yield {
                "url": url,
                "title": result.get("title") or "",
                "text": result["text"],
                "authors": result.get("authors") or [],
                "date": (result.get("publish_date") or "").replace("/", "-") or None,
                "source": outlet(url),
            }


def write_articles(out: Path, gcs_path: Path = GCS, limit: int | None = None) -> int:
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for count, article in enumerate(unique_articles(gcs_path), 1):
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
            if limit and count >= limit:
                break
    return count


def questions(qa_path: Path = QA, gcs_path: Path = GCS) -> list[str]:
    """The quiz questions that the retrieved articles were fetched for, in file order."""
    return [record["question_sentence"] for record in _asked(qa_path, gcs_path)]


def contains_words(text: str, phrase: str) -> bool:
    """`phrase` in `text` ignoring case, not inside a longer word ("3" is not in "2023")."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def convert(gcs: Path, qa: Path, out: Path) -> tuple[int, int]:
    """Write realtimeqa-articles.jsonl and realtimeqa-qa.jsonl into `out`; returns (articles, questions)."""
    out.mkdir(parents=True, exist_ok=True)
    articles = write_articles(out / "realtimeqa-articles.jsonl", gcs)
    corpus = "\n".join(article["text"] for article in unique_articles(gcs))
    kept = 0
    with (out / "realtimeqa-qa.jsonl").open("w", encoding="utf-8") as file:
        for record in _asked(qa, gcs):
            answer = record["choices"][int(record["answer"][0])].strip()
            if contains_words(corpus, answer):
                line = {
                    "question": record["question_sentence"],
                    "answer": answer,
                    "id": record["question_id"],
                }
                file.write(json.dumps(line, ensure_ascii=False) + "\n")
                kept += 1
    return articles, kept


def _asked(qa_path: Path, gcs_path: Path) -> list[dict[str, Any]]:
    """The QA records (first of each id) for the questions retrieved in `gcs_path`, in its order."""
    wanted = list(dict.fromkeys(record["question_id"] for record in read_jsonl(gcs_path)))
    by_id: dict[str, dict[str, Any]] = {}
    for record in read_jsonl(qa_path):
        by_id.setdefault(record["question_id"], record)
    return [by_id[q] for q in wanted if q in by_id]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", type=Path, help="Folder for realtimeqa-articles.jsonl and realtimeqa-qa.jsonl."
    )
    parser.add_argument("--gcs", type=Path, default=GCS)
    parser.add_argument("--qa", type=Path, default=QA)
    args = parser.parse_args()
    articles, kept = convert(args.gcs, args.qa, args.out)
    print(f"{articles:,} articles, {kept:,} questions in {args.out}")


if __name__ == "__main__":
    main()
