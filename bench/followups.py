"""Follow-up questions with and without their earlier question: is the gold sentence in the top 3?

Each line of the triples file holds `earlier`, `follow_up` and `gold` (the sentence that answers the
follow-up, exactly as stored). The follow-up is ranked alone, then as index/followup.py reads it
after the earlier question (as the bot and `newsdesk ask --after` do). A question the rule reads
as standing on its own is searched as asked both times.

    .venv/bin/python -m bench.followups bench/data/followups.jsonl --index /work/bench-work/rtqa-index
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from index import followup
from index.config import Settings
from index.embedder import Embedder
from index.search import Searcher

TOP = 3


def in_top(searcher: Searcher, question: str, gold: str) -> int | None:
    """The rank (1-based) of `gold` among the first TOP sentences, whatever the no-answer rule says."""
    texts = [hit.text for hit in searcher.rank(question, k=TOP).results]
    return texts.index(gold) + 1 if gold in texts else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=Path)
    parser.add_argument("--index", type=Path, required=True)
    args = parser.parse_args()

    triples = [json.loads(line) for line in args.triples.read_text("utf-8").splitlines() if line.strip()]
    settings = Settings(index_dir=args.index)
    embedder = Embedder(settings)
    searcher = Searcher.open(settings, embedder)
    alone = with_context = read_as_follow_up = 0
    for triple in triples:
        reading = followup.read(triple["follow_up"], triple["earlier"])
        before = in_top(searcher, triple["follow_up"], triple["gold"])
        after = in_top(searcher, reading.text, triple["gold"])
        alone += before is not None
        with_context += after is not None
        read_as_follow_up += reading.follow_up
        ranks = f"{before or '-'!s:>2} -> {after or '-'!s:>2}"
        print(
            f"{ranks}  {triple['follow_up']!r} after {triple['earlier']!r}"
            + (f"\n         searched as {reading.text!r} ({reading.reason})" if reading.follow_up else "")
        )
    count = len(triples)
    print(
        f"\n{count} follow-ups, {read_as_follow_up} read as follow-ups; gold sentence in the top {TOP}: "
        f"{alone}/{count} alone, {with_context}/{count} with the earlier question"
    )


if __name__ == "__main__":
    main()
