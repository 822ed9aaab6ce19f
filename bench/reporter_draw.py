"""The seeded draw of RealTime QA articles that reporter questions are written from.

Articles are drawn across outlets and half-years (a fixed seed, so the draw can be checked), then
each is written out as newsdesk splits it, one numbered sentence a line, for the question writer
to read. Nothing is searched: the writer reads one article and writes questions from it.

    .venv/bin/python -m bench.reporter_draw ARTICLES_JSONL OUT_DIR [--count 160] [--seed 8]
        [--exclude bench/data/reporter/draw.jsonl]   (a later draw leaves out the articles already drawn)
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from index.config import Settings
from index.ingest import read_articles
from index.records import Article
from index.sentences import split_sentences

SEED = 8
MIN_SENTENCES = 6
# Every outlet gets at least this share of the draw, so the small ones are not left out.
MIN_OUTLET_SHARE = 0.08


def stratum(article: Article) -> tuple[str, str]:
    """Outlet and half-year: the draw is spread across both."""
    when = article.date.isoformat()[:4] + ("a" if article.date.month <= 6 else "b") if article.date else "?"
    return article.source or "?", when


def draw(articles: list[Article], count: int, seed: int = SEED) -> list[Article]:
    """`count` articles, each stratum getting its share (outlets at least MIN_OUTLET_SHARE)."""
    rng = random.Random(seed)
    by_stratum: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in articles:
        by_stratum[stratum(article)].append(article)
    outlets: dict[str, int] = defaultdict(int)
    for (outlet, _), members in by_stratum.items():
        outlets[outlet] += len(members)
    total = sum(outlets.values())
    floor = round(count * MIN_OUTLET_SHARE)
    outlet_quota = {o: max(round(count * n / total), floor) for o, n in outlets.items()}
    picked: list[Article] = []
    for outlet, quota in sorted(outlet_quota.items()):
        strata = sorted(k for k in by_stratum if k[0] == outlet)
        pool = [a for k in strata for a in by_stratum[k]]
        quota = min(quota, len(pool))
        # Round-robin over the outlet's half-years, a random article from each in turn.
        shuffled = {k: rng.sample(by_stratum[k], len(by_stratum[k])) for k in strata}
        while quota > 0:
            for k in strata:
                if quota and shuffled[k]:
                    picked.append(shuffled[k].pop())
                    quota -= 1
    rng.shuffle(picked)
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=160)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--exclude", type=Path, action="append", default=[], help="An earlier draw.jsonl.")
    args = parser.parse_args()
    settings = Settings()
    drawn = {
        json.loads(line)["url"]
        for path in args.exclude
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    articles = [
        a
        for a in read_articles([args.articles], max_bytes=settings.max_article_bytes)
        if isinstance(a, Article)
        and a.source in {"USA Today", "CNN", "The Week"}
        and len(split_sentences(a.body)) >= MIN_SENTENCES
        and a.url not in drawn
    ]
    picked = draw(articles, args.count, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "draw.jsonl").open("w", encoding="utf-8") as listing:
        for n, article in enumerate(picked, 1):
            listing.write(
                json.dumps(
                    {
                        "n": n,
                        "url": article.url,
                        "source": article.source,
                        "date": article.date.isoformat() if article.date else None,
                        "title": article.title,
                    }
                )
                + "\n"
            )
            lines = [f"# {article.title}", f"# {article.source} · {article.date} · {article.url}", ""]
            lines += [f"[{i}] {s}" for i, s in enumerate(split_sentences(article.body))]
            (args.out / f"{n:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(picked)} articles drawn (seed {args.seed}) into {args.out}")


if __name__ == "__main__":
    main()
