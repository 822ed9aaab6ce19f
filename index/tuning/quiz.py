"""RealTime QA's news quiz as triplets: the question, the evidence sentence holding the right
choice, and another sentence of the same passage as the hard negative."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NewsdeskError
from .json_lines import read_json_lines
from .text import split_sentences, strip_html

Triplet = dict[str, str]
# Encodes texts as unit vectors; the base model, for passages of a single sentence.
Encode = Callable[[list[str]], np.ndarray]


def read_quiz(path: Path, before: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Quiz rows asked before `before` (YYYY/MM/DD) that have evidence, once each."""
    rows = list(read_json_lines(path))
    kept, seen, counts = [], set(), Counter(rows=len(rows))
    for number, row in enumerate(rows, 1):
        try:
            date = str(row["question_date"]).replace("-", "/")
            key = (row["question_id"], row["question_sentence"])
        except KeyError as exc:
            raise NewsdeskError(f"{path}:{number} has no {exc.args[0]!r} field.") from exc
        if date >= before:
            counts["asked_on_or_after_cut_off"] += 1
        elif not str(row.get("evidence") or "").strip():
            counts["no_evidence"] += 1
        elif key in seen:
            counts["duplicate"] += 1
        else:
            seen.add(key)
            kept.append(row)
    counts["eligible"] = len(kept)
    return kept, dict(counts)


def quiz_triplets(
    rows: list[dict[str, Any]], rng: random.Random, encode: Encode
) -> tuple[list[Triplet], dict[str, int]]:
    """One triplet per question whose right choice appears in a sentence of its evidence.

    The negative is a random other sentence of the same passage; a one-sentence passage borrows
    the sentence of another question's passage nearest its answer sentence (by `encode`).
    """
    counts: Counter[str] = Counter()
    items = []
    for row in rows:
        try:
            choice = str(row["choices"][int(row["answer"][0])]).strip()
        except (ValueError, IndexError, KeyError, TypeError):
            choice = ""
        if not choice:
            counts["no_right_choice"] += 1
            continue
        sentences = split_sentences(strip_html(row["evidence"]))
        lowered = choice.lower()
        holding = [s for s in sentences if lowered in s.lower()]
        if not holding:
            counts["no_sentence_holds_choice"] += 1
            continue
        others = [s for s in sentences if lowered not in s.lower()]
        items.append((str(row["question_sentence"]).strip(), holding[0], others, lowered))
    triplets: list[Triplet] = []
    lonely = []
    for i, (question, positive, others, _) in enumerate(items):
        if others:
            triplets.append(_triplet(question, positive, rng.choice(others), "same_passage"))
        else:
            lonely.append(i)
    if lonely:
        triplets.extend(_nearest_negatives(items, lonely, encode))
    counts["triplets"] = len(triplets)
    counts["same_passage_negative"] = sum(t["negative_kind"] == "same_passage" for t in triplets)
    counts["other_passage_negative"] = len(triplets) - counts["same_passage_negative"]
    return triplets, dict(counts)


def _nearest_negatives(items: list[Any], lonely: list[int], encode: Encode) -> list[Triplet]:
    pool, owner = [], []
    for i, (_, positive, others, _) in enumerate(items):
        for sentence in [positive, *others]:
            pool.append(sentence)
            owner.append(i)
    similarities = encode([items[i][1] for i in lonely]) @ encode(pool).T
    triplets = []
    for row, i in enumerate(lonely):
        question, positive, _, lowered = items[i]
        for j in np.argsort(-similarities[row]):
            sentence = pool[j]
            if (
                owner[j] == i
                or lowered in sentence.lower()
                or sentence.strip().lower() == positive.strip().lower()
            ):
                continue
            triplets.append(_triplet(question, positive, sentence, "other_passage_nearest"))
            break
    return triplets


def _triplet(anchor: str, positive: str, negative: str, kind: str) -> Triplet:
    return {
        "anchor": anchor,
        "positive": positive,
        "negative": negative,
        "source": "quiz",
        "negative_kind": kind,
    }
