"""SQuAD v1.1 (its MRQA copy) as triplets, from the first half of its paragraphs only: the
question, the sentence holding the answer's start, another sentence of the paragraph.

Sentence boundaries are MultiReQA's (its candidates file), the ones the SQuAD guard rail scores.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path

from ..errors import NewsdeskError
from .json_lines import read_json_lines
from .quiz import Triplet


def squad_triplets(
    squad: Path, boundaries: Path, rng: random.Random, cap: int
) -> tuple[list[Triplet], dict[str, int]]:
    contexts = list(read_json_lines(squad))[1:]  # line 1 is the MRQA header
    half = len(contexts) // 2
    for number, context in enumerate(contexts, 1):
        if not isinstance(context.get("context"), str) or not isinstance(context.get("qas"), list):
            raise NewsdeskError(f"{squad}: paragraph {number} has no 'context' text or 'qas' list.")
    spans_by_question: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for number, candidate in enumerate(read_json_lines(boundaries), 1):
        try:
            first_question = str(candidate["candidate_id"])[len("SQuAD_") :].split("/")[0]
            spans_by_question[first_question].append((candidate["response_start"], candidate["response_end"]))
        except KeyError as exc:
            raise NewsdeskError(f"{boundaries}:{number} has no {exc.args[0]!r} field.") from exc
    counts: Counter[str] = Counter(paragraphs=len(contexts), paragraphs_used=half)
    triplets: list[Triplet] = []
    for context in contexts[:half]:
        questions = context["qas"]
        spans = next(
            (sorted(spans_by_question[q["qid"]]) for q in questions if q["qid"] in spans_by_question), None
        )
        if not spans:
            counts["paragraph_without_boundaries"] += 1
            continue
        text = context["context"]
        sentences = [(start, end, text[start:end].strip()) for start, end in spans]
        if len(sentences) < 2:
            counts["question_in_one_sentence_paragraph"] += len(questions)
            continue
        for question in questions:
            detected = question.get("detected_answers") or []
            if not detected:
                counts["no_detected_answer"] += 1
                continue
            answer_start = detected[0]["char_spans"][0][0]
            k = next((n for n, (s, e, _) in enumerate(sentences) if s <= answer_start < e), None)
            if k is None:
                counts["answer_outside_sentences"] += 1
                continue
            negative = rng.choice([n for n in range(len(sentences)) if n != k])
            triplets.append(
                {
                    "anchor": question["question"].strip(),
                    "positive": sentences[k][2],
                    "negative": sentences[negative][2],
                    "source": "squad",
                    "negative_kind": "same_passage",
                }
            )
    counts["triplets_found"] = len(triplets)
    if len(triplets) > cap:
        triplets = rng.sample(triplets, cap)
    counts["triplets"] = len(triplets)
    return triplets, dict(counts)
