"""Checks a reporter-question file against the protocol, and splits it into dev and test by a fixed seed.

Each answerable line must name gold sentences that exist, exactly, as sentences of the article at
each URL (as newsdesk splits it), and its question must not copy three consecutive content words
from any gold sentence. Unanswerable lines must say what was checked.

    .venv/bin/python -m bench.reporter_check ARTICLES_JSONL QUESTIONS.jsonl [...] [--split OUT_DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from bench.realtimeqa import contains_words
from index.config import Settings
from index.ingest import read_articles
from index.ranking import STOP_WORDS
from index.records import Article
from index.sentences import split_sentences

SPLIT_SALT = "newsdesk-reporter-v1"
TEST_SHARE = 0.5
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and not w.startswith("'")]


def copied_run(question: str, sentence: str, length: int = 3) -> tuple[str, ...] | None:
    """The first run of `length` consecutive content words the question shares with the sentence."""
    q, s = content_words(question), content_words(sentence)
    runs = {tuple(s[i : i + length]) for i in range(len(s) - length + 1)}
    return next((r for i in range(len(q) - length + 1) if (r := tuple(q[i : i + length])) in runs), None)


def split_of(question: str) -> str:
    """'dev' or 'test', fixed by a hash of the question text, so adding questions moves none."""
    digest = hashlib.sha256((SPLIT_SALT + question.strip().lower()).encode("utf-8")).digest()
    return "test" if digest[0] / 256 < TEST_SHARE else "dev"


def check(record: dict[str, Any], sentences_by_url: dict[str, list[str]]) -> list[str]:
    problems = []
    question = record.get("question", "")
    if not question.strip():
        return ["no question"]
    if record.get("answerable") is False:
        if not record.get("checked"):
            problems.append("unanswerable but no 'checked' note saying what was searched")
        return problems
    if record.get("answer"):
        # The older questions (issue 4) name a phrase the answering sentence contains.
        answers = [record["answer"]] if isinstance(record["answer"], str) else record["answer"]
        return [
            f"no sentence contains {a!r}"
            for a in answers
            if not any(contains_words(s, a) for ss in sentences_by_url.values() for s in ss)
        ]
    expected, urls = record.get("expected") or [], record.get("urls") or []
    if not expected or len(expected) != len(urls):
        return ["needs 'expected' sentences and one 'urls' entry for each"]
    for text, url in zip(expected, urls):
        if url not in sentences_by_url:
            problems.append(f"no article with URL {url}")
        elif text not in sentences_by_url[url]:
            problems.append(f"not a sentence of {url}: {text[:70]!r}")
    run = copied_run(question, expected[0])
    if run:
        problems.append(f"copies three content words from the answer: {' '.join(run)!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path, help="realtimeqa-articles.jsonl (bench.realtimeqa)")
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--samples", type=Path, default=Path("data/articles"))
    parser.add_argument("--split", type=Path, help="Write reporter-dev.jsonl and reporter-test.jsonl here.")
    args = parser.parse_args()
    sentences_by_url = {
        (a.url or a.path): split_sentences(a.body)
        for a in read_articles([args.articles, args.samples], max_bytes=Settings().max_article_bytes)
        if isinstance(a, Article) and (a.url or a.path)
    }
    failed = 0
    records = []
    for path in args.questions:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            record = json.loads(line)
            for problem in check(record, sentences_by_url):
                failed += 1
                print(f"{path}:{number}: {problem}", file=sys.stderr)
            records.append(record)
    answerable = sum(r.get("answerable") is not False for r in records)
    print(f"{len(records)} questions ({answerable} answerable), {failed} problems")
    if args.split and not failed:
        args.split.mkdir(parents=True, exist_ok=True)
        for part in ("dev", "test"):
            chosen = [r for r in records if split_of(r["question"]) == part]
            with (args.split / f"reporter-{part}.jsonl").open("w", encoding="utf-8") as out:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen)
            answerable = sum(r.get("answerable") is not False for r in chosen)
            print(f"{part}: {len(chosen)} ({answerable} answerable)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
