"""A larger sentence encoder as a second stage over the shipped ranking: what it earns, what it costs.

For every question of each QA file, the shipped ranking's top 50 are re-scored with the other
model's cosine to the question, for the sentence alone (m) and for "headline. sentence" (mt), as
`(m + mt)/2 - weight * ln(rank)` over the top `depth`. Every variant of the grid is printed for
each file; choose on dev, report test. Then the cost: the question plus its top n candidates
encoded per question, as a query-time reranker would.

    .venv/bin/python -m bench.second_model --index DIR --model MODEL_DIR \\
        bench/data/reporter/dev.jsonl bench/data/reporter/test.jsonl

MODEL_DIR is a sentence-transformers folder (all-mpnet-base-v2: docs/search.md says where the
registry has it and how its weights were checked).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer

from bench.stats import machine, percentile
from index.config import Settings
from index.embedder import Embedder
from index.evaluate import QAItem, read_qa
from index.search import Searcher

DEPTH = 50
DEPTHS = (10, 20, 50)
WEIGHTS = (0.02, 0.05, 0.1, 0.2)
COST_SIZES = (1, 5, 10, 20)

Candidate = tuple[str, str, bool]  # sentence, headline, gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("qa", type=Path, nargs="+")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=args.index)
    embedder = Embedder(settings)
    searcher = Searcher.open(settings, embedder)
    embedder.warm()
    other = SentenceTransformer(str(args.model), device="cpu")
    print(f"Machine: {machine()}; second model {args.model.name}")
    for path in args.qa:
        items = [item for item in read_qa(path) if item.answerable]
        ranked = [(item, top_candidates(searcher, item)) for item in items]
        scored = [(cands, second_scores(other, item.question, cands)) for item, cands in ranked]
        print(f"\n{path} ({len(items)} answerable): P@1 / R@3 / MRR")
        print(f"| shipped order | {metrics([(c, [-float(n) for n in range(len(c))]) for c, _ in scored])} |")
        print(f"| second model alone, m | {metrics([(c, list(m)) for c, (m, _) in scored])} |")
        for depth in DEPTHS:
            for weight in WEIGHTS:
                combined = [(c, combine(m, mt, depth, weight)) for c, (m, mt) in scored]
                print(f"| (m+mt)/2 - {weight} ln(rank), top {depth} | {metrics(combined)} |")
    print("\nQuery-time cost (question + its top n sentences, 30 questions):")
    questions = [(item, top_candidates(searcher, item)) for item in read_qa(args.qa[0])[:30]]
    for n in COST_SIZES:
        took = []
        for item, cands in questions:
            started = time.perf_counter()
            other.encode([item.question] + [text for text, _, _ in cands[:n]])
            took.append((time.perf_counter() - started) * 1000)
        print(f"| {n} | p50 {percentile(took, 50):.0f} ms | p95 {percentile(took, 95):.0f} ms |")


def top_candidates(searcher: Searcher, item: QAItem) -> list[Candidate]:
    answer = searcher.rank(item.question, DEPTH)
    return [(hit.text, hit.title, item.is_answered_by(hit.text)) for hit in answer.results]


def second_scores(
    model: SentenceTransformer, question: str, cands: list[Candidate]
) -> tuple[np.ndarray, np.ndarray]:
    if not cands:
        return np.zeros(0), np.zeros(0)
    texts = [text for text, _, _ in cands] + [f"{title}. {text}" for text, title, _ in cands]
    vectors = model.encode([question] + texts, normalize_embeddings=True, batch_size=64)
    cosines = vectors[1:] @ vectors[0]
    return cosines[: len(cands)], cosines[len(cands) :]


def combine(m: np.ndarray, mt: np.ndarray, depth: int, weight: float) -> list[float]:
    return [(m[n] + mt[n]) / 2 - weight * math.log(n + 1) if n < depth else -10.0 - n for n in range(len(m))]


def metrics(ranked: list[tuple[list[Candidate], list[float]]]) -> str:
    ranks = []
    for cands, scores in ranked:
        order = sorted(range(len(cands)), key=lambda n: -scores[n])[:10]
        ranks.append(next((r for r, n in enumerate(order, 1) if cands[n][2]), None))
    count = len(ranks) or 1
    p1 = sum(r == 1 for r in ranks) / count
    r3 = sum(r is not None and r <= 3 for r in ranks) / count
    mrr = sum(1 / r for r in ranks if r) / count
    return f"{p1:.3f} / {r3:.3f} / {mrr:.3f}"


if __name__ == "__main__":
    main()
