"""A synthetic archive of N sentences for the scale benchmark: synthetic articles, real sentences.

Every article is a run of consecutive sentences from one real article (RealTime QA news, or a
SQuAD Wikipedia paragraph), so neighbours and headlines stay coherent; each sentence has its
figures re-drawn (same number of digits) and, where it has none, one name swapped for another
name from the corpus, until it differs from every sentence written before: deduplication
cannot make the build cheap. Each article gets its own URL, an invented outlet and a date
between 2010 and 2025.

    .venv/bin/python -m bench.scale_corpus OUT.jsonl [--sentences 1000000] [--seed 11]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.realtimeqa import GCS, unique_articles
from index.sentences import split_sentences

SQUAD = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "squad-v1.1-dev-mrqa"
    / "SQuAD.dev.mrqa.jsonl.gz"
)
OUTLETS = (
    "The Courier",
    "Daily Ledger",
    "Harbor Gazette",
    "Valley Tribune",
    "Metro Wire",
    "The Sentinel",
    "Capital Dispatch",
    "Evening Post",
)
DIGITS = re.compile(r"\d+")
NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}\b")
MAX_ARTICLE_SENTENCES = 40
START = dt.date(2010, 1, 1)
DAYS = (dt.date(2025, 12, 31) - START).days


def source_articles(gcs: Path, squad: Path) -> list[tuple[str, list[str]]]:
    """(title, sentences) for every real article: RealTime QA news first, then SQuAD paragraphs."""
    found: list[tuple[str, list[str]]] = []
    for article in unique_articles(gcs):
        sentences = split_sentences(article["text"])
        if len(sentences) >= 3:
            found.append((article["title"] or sentences[0], sentences))
    with gzip.open(squad, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if "context" not in record:
                continue
            sentences = split_sentences(record["context"].replace("[PAR]", "\n"))
            if len(sentences) >= 3:
                found.append((sentences[0][:80], sentences))
    return found


def vary(sentence: str, names: list[str], rng: random.Random) -> str:
    """The sentence with its figures re-drawn, or with one name swapped if it has no figures."""
    if DIGITS.search(sentence):

        def redraw(match: re.Match[str]) -> str:
            width = len(match.group())
            first = str(rng.randint(1, 9)) if match.group()[0] != "0" else "0"
            return first + "".join(str(rng.randint(0, 9)) for _ in range(width - 1))

        return DIGITS.sub(redraw, sentence)
    spots = list(NAME.finditer(sentence))
    if not spots:
        return f"{sentence.rstrip()} ({rng.choice(names)} reported.)"
    spot = rng.choice(spots)
    return sentence[: spot.start()] + rng.choice(names) + sentence[spot.end() :]


def synthetic_articles(
    sources: list[tuple[str, list[str]]], sentences_wanted: int, seed: int
) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    names = sorted(
        {m.group() for _, sentences in sources[:2000] for s in sentences for m in NAME.finditer(s)}
    )
    seen: set[bytes] = set()
    written = 0
    number = 0
    while written < sentences_wanted:
        title, sentences = rng.choice(sources)
        start = rng.randrange(0, max(1, len(sentences) - MAX_ARTICLE_SENTENCES + 1))
        chosen = sentences[start : start + MAX_ARTICLE_SENTENCES][: sentences_wanted - written]
        body = []
        for sentence in chosen:
            for _ in range(20):
                candidate = vary(sentence, names, rng)
                key = hashlib.blake2b(candidate.encode(), digest_size=12).digest()
                if key not in seen:
                    seen.add(key)
                    body.append(candidate)
                    break
        if not body:
            continue
        number += 1
        written += len(body)
        yield {
            "url": f"https://synthetic.example/{number:08d}",
            "title": vary(title, names, rng),
            "source": rng.choice(OUTLETS),
            "date": (START + dt.timedelta(days=rng.randrange(DAYS))).isoformat(),
            # One sentence a paragraph: newsdesk splits at paragraph breaks first, so the
            # sentences indexed are exactly the ones written here.
            "text": "\n\n".join(body),
        }


def write_corpus(
    out: Path, sentences: int, seed: int, gcs: Path = GCS, squad: Path = SQUAD
) -> tuple[int, int]:
    """Write the synthetic archive as JSONL; returns (articles, sentences)."""
    sources = source_articles(gcs, squad)
    articles = total = 0
    with out.open("w", encoding="utf-8") as handle:
        for article in synthetic_articles(sources, sentences, seed):
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
            articles += 1
            total += str(article["text"]).count("\n\n") + 1
    return articles, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--gcs", type=Path, default=GCS)
    parser.add_argument("--squad", type=Path, default=SQUAD)
    args = parser.parse_args()
    articles, sentences = write_corpus(args.out, args.sentences, args.seed, args.gcs, args.squad)
    print(f"{articles:,} synthetic articles, {sentences:,} sentences in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
