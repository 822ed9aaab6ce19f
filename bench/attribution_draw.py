"""The seeded draw of RealTime QA sentences labelled for attribution (who said it).

Sentences are drawn one per article from the articles as newsdesk splits them (prose lines only),
most of them holding a reporting word or a quote mark and the rest plain, and each article goes
wholly to the tune or the test half. Nothing is extracted here: the labeller reads each sentence
with its article before any extractor runs on it.

    .venv/bin/python -m bench.attribution_draw ARTICLES_JSONL OUT_JSONL [--seed 10]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from index.furniture import TEXT
from index.ingest import read_articles
from index.records import Article
from index.sentences import split_classified

SEED = 10
CUED = 150
PLAIN = 70
# "citing" is rare (one sentence in the cued draw has it), so a small stratum of its own.
CITING = 20
# Deliberately broader than any extractor's cue list, and written apart from it.
HINT = re.compile(
    r"\b(?:said|says|say|told|tells|according to|citing|cited|added|adds|asked|wrote|writes|stated"
    r"|announced|claimed|noted|explained|reported|argued|insisted|warned|tweeted|posted)\b"
    r"|[\"“”]",
    re.I,
)


_CITING = re.compile(r"\bciting\b", re.I)


def lines(article: Article) -> list[str]:
    """Every line newsdesk stores for the article, prose and furniture, in order."""
    return [text for text, _ in split_classified(article.body)]


def draw(articles: list[Article], seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    order = rng.sample(range(len(articles)), len(articles))
    drawn: list[dict[str, object]] = []
    cued = plain = 0
    for index in order:
        article = articles[index]
        split = split_classified(article.body)
        prose = [(p, t) for p, (t, kind) in enumerate(split) if kind == TEXT and len(t) > 30]
        want_cue = cued < CUED
        if not want_cue and plain >= PLAIN:
            break
        pool = [(p, t) for p, t in prose if bool(HINT.search(t)) == want_cue]
        if not pool:
            continue
        position, text = rng.choice(pool)
        drawn.append(
            {
                "url": article.url,
                "position": position,
                "text": text,
                "group": "cue" if want_cue else "plain",
                "half": "tune" if rng.random() < 0.5 else "test",
            }
        )
        cued, plain = cued + want_cue, plain + (not want_cue)
    return drawn + _draw_citing(articles, {str(row["url"]) for row in drawn}, seed)


def _draw_citing(articles: list[Article], taken: set[str], seed: int) -> list[dict[str, object]]:
    """CITING sentences that hold the word "citing", from articles not drawn yet (its own seed)."""
    rng = random.Random(seed + 1)
    drawn: list[dict[str, object]] = []
    for index in rng.sample(range(len(articles)), len(articles)):
        article = articles[index]
        if len(drawn) == CITING:
            break
        if article.url in taken:
            continue
        split = split_classified(article.body)
        pool = [
            (p, t) for p, (t, kind) in enumerate(split) if kind == TEXT and re.search(r"\bciting\b", t, re.I)
        ]
        if pool:
            position, text = rng.choice(pool)
            half = "tune" if rng.random() < 0.5 else "test"
            drawn.append(
                {"url": article.url, "position": position, "text": text, "group": "citing", "half": half}
            )
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    articles = [a for a in read_articles([args.articles], max_bytes=10**8) if isinstance(a, Article)]
    with args.out.open("w") as out:
        for row in draw(articles, args.seed):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
