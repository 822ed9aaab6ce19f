"""Scores `index.attribution` on the hand-labelled sentences in bench/data/attribution/.

Speaker precision and recall (exact, after lower-casing and dropping "the"/"a"; and lenient: the
same last word), cue accuracy on the attributed sentences, citing, and all three right, for the
tune and test halves; and the cost of attributing a sentence with its article before it.

    .venv/bin/python -m bench.attribution ARTICLES_JSONL [--errors tune]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.attribution import Attribution, attribute_at
from index.ingest import read_articles
from index.records import Article
from index.sentences import split_classified

LABELS = Path(__file__).parent / "data" / "attribution" / "labelled.jsonl"


def normalise(text: str | None) -> str:
    if not text:
        return ""
    text = text.casefold().replace("’", "'").replace("‘", "'")
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip())
    return " ".join(re.sub(r"[^\w\s'&-]", " ", text).split())


@dataclass
class Tally:
    sentences: int = 0
    gold: int = 0
    predicted: int = 0
    speaker_right: int = 0
    speaker_lenient: int = 0
    cue_right: int = 0
    gold_with_cue: int = 0
    gold_citing: int = 0
    predicted_citing: int = 0
    citing_right: int = 0
    all_three: int = 0
    all_three_attributed: int = 0

    def add(self, gold: dict[str, Any], got: Attribution | None) -> None:
        self.sentences += 1
        speaker, cue, citing = (got.speaker, got.cue, got.citing) if got else (None, None, None)
        same_speaker = normalise(speaker) == normalise(gold["speaker"])
        same_cue = normalise(cue) == normalise(gold["cue"])
        same_citing = normalise(citing) == normalise(gold["citing"])
        self.gold += gold["speaker"] is not None
        self.predicted += speaker is not None
        if gold["speaker"] and speaker:
            self.speaker_right += same_speaker
            self.speaker_lenient += normalise(speaker).split()[-1:] == normalise(gold["speaker"]).split()[-1:]
        if gold["speaker"] and gold["cue"]:
            self.gold_with_cue += 1
            self.cue_right += same_cue
        self.gold_citing += gold["citing"] is not None
        self.predicted_citing += citing is not None
        self.citing_right += bool(gold["citing"] and citing and same_citing)
        right = same_speaker and same_cue and same_citing
        self.all_three += right
        self.all_three_attributed += bool(gold["speaker"]) and right

    def report(self) -> dict[str, float | int]:
        def share(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "sentences": self.sentences,
            "attributed (gold)": self.gold,
            "speaker precision": share(self.speaker_right, self.predicted),
            "speaker recall": share(self.speaker_right, self.gold),
            "speaker precision, same last word": share(self.speaker_lenient, self.predicted),
            "speaker recall, same last word": share(self.speaker_lenient, self.gold),
            "cue accuracy (attributed, with a cue)": share(self.cue_right, self.gold_with_cue),
            "citing precision": share(self.citing_right, self.predicted_citing),
            "citing recall": share(self.citing_right, self.gold_citing),
            "all three right": share(self.all_three, self.sentences),
            "all three right (attributed)": share(self.all_three_attributed, self.gold),
        }


def load(articles_path: Path) -> list[tuple[dict[str, Any], list[str]]]:
    """Each labelled sentence with its article's headline and lines up to and including it."""
    labelled = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    wanted = {row["url"] for row in labelled}
    articles = {
        a.url: a
        for a in read_articles([articles_path], max_bytes=10**8)
        if isinstance(a, Article) and a.url in wanted
    }
    out = []
    for row in labelled:
        article = articles[row["url"]]
        lines = [text for text, _ in split_classified(article.body)]
        if lines[row["position"]] != row["text"]:
            raise SystemExit(f"sentence {row['id']} no longer splits the same way; redraw the sample")
        out.append((row, [article.title, *lines[: row["position"] + 1]]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=Path)
    parser.add_argument("--errors", choices=["tune", "test"], help="list the misses of one half")
    args = parser.parse_args()
    items = load(args.articles)
    tallies = {"tune": Tally(), "test": Tally(), "all": Tally()}
    started = time.perf_counter()
    results = [(row, attribute_at(lines, len(lines) - 1)) for row, lines in items]
    seconds = time.perf_counter() - started
    lines_read = sum(len(lines) for _, lines in items)
    for row, got in results:
        tallies[row["half"]].add(row, got)
        tallies["all"].add(row, got)
        if args.errors == row["half"]:
            want = (row["speaker"], row["cue"], row["citing"])
            have = (got.speaker, got.cue, got.citing) if got else (None, None, None)
            if tuple(map(normalise, want)) != tuple(map(normalise, have)):
                print(f"[{row['id']}] {row['text'][:160]}\n   want {want}\n   got  {have}")
    print(json.dumps({half: tally.report() for half, tally in tallies.items()}, indent=2))
    print(
        f"{len(items)} sentences attributed, each with its article before it ({lines_read:,} lines), "
        f"in {seconds * 1000:.0f} ms: {seconds / len(items) * 1000:.2f} ms a sentence"
    )


if __name__ == "__main__":
    main()
