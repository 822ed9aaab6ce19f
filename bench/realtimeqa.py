"""RealTime QA (../shared/data/realtimeqa) as newsdesk articles and questions, for benchmarks."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "realtimeqa"
GCS = DATA / "gcs_2024-01-05_to_2024-04-12.jsonl.gz"
QA = DATA / "qa_weekly_2020-2026.jsonl.gz"
OUTLETS = {"www.usatoday.com": "USA Today", "www.cnn.com": "CNN", "theweek.co.uk": "The Week"}


def unique_articles(gcs_path: Path = GCS) -> Iterator[dict[str, Any]]:
    """Every distinct retrieved article (by URL) as a newsdesk JSONL record."""
    seen: set[str] = set()
    with gzip.open(gcs_path, "rt", encoding="utf-8") as lines:
        for line in lines:
            for result in json.loads(line)["search_result"]:
                url = result["url"]
                if url in seen or not result.get("text"):
                    continue
                seen.add(url)
                host = urlparse(url).netloc
                yield {
                    "url": url,
                    "title": result.get("title") or "",
                    "text": result["text"],
                    "authors": result.get("authors") or [],
                    "date": (result.get("publish_date") or "").replace("/", "-") or None,
                    "source": OUTLETS.get(host, host),
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
    with gzip.open(gcs_path, "rt", encoding="utf-8") as lines:
        wanted = [json.loads(line)["question_id"] for line in lines]
    by_id: dict[str, str] = {}
    with gzip.open(qa_path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            by_id.setdefault(record["question_id"], record["question_sentence"])
    return [by_id[q] for q in wanted if q in by_id]
