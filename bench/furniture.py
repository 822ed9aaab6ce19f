"""Precision of the furniture classifier on hand-labelled lines of the RealTime QA outlets.

bench/data/furniture/labelled-lines.jsonl: 360 paragraphs (per outlet, 70 that the classifier
called furniture and 50 it called prose when drawn, seed 20261201), labelled blind by a reader
who never saw the classifier's output: "prose" or a kind of furniture.

    .venv/bin/python -m bench.furniture [--labels FILE]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from index.furniture import TEXT, classify

LABELS = Path(__file__).resolve().parent / "data" / "furniture" / "labelled-lines.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args()
    counts: dict[str, Counter[tuple[bool, bool]]] = defaultdict(Counter)
    wrong = []
    for line in args.labels.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        furniture = classify(row["line"], row["position"], row["paragraphs"]) != TEXT
        truly = row["label"] != "prose"
        for outlet in (row["outlet"], "all"):
            counts[outlet][(furniture, truly)] += 1
        if furniture != truly:
            wrong.append((row["label"], row["line"][:100]))
    print("| outlet | called furniture | of them furniture (precision) | called prose | of them prose |")
    print("|---|---|---|---|---|")
    for outlet, c in sorted(counts.items(), key=lambda kv: kv[0] == "all"):
        called, right = c[(True, True)] + c[(True, False)], c[(True, True)]
        kept, prose = c[(False, False)] + c[(False, True)], c[(False, False)]
        precision, prose_share = right / called, prose / kept
        print(f"| {outlet} | {called} | {right} ({precision:.1%}) | {kept} | {prose} ({prose_share:.1%}) |")
    for label, text in wrong:
        print(f"disagrees ({label}): {text}")


if __name__ == "__main__":
    main()
