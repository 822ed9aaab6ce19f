"""Approximate search on an existing index: IVF-SQ8 as built against exhaustive search and PQ variants.

    .venv/bin/python -m bench.bench_ann INDEX_DIR [--questions QA.jsonl] [--queries 100] [--no-opq]

The stored vectors (IVF-SQ8 codes, decoded) are the corpus for every variant, and exact inner
product over them is the truth. Queries: --queries questions from QA.jsonl (one JSON object a line
with "question"), encoded with the index's model; recall@10 is also given on 200 stored vectors as
queries (themselves left out), as the build records it. Each variant reports recall@10, single-query
latency p50/p95 and bytes a vector in memory. PQ variants reuse the index's coarse lists (OPQ
retrains them in its rotated space); "+rescore" re-ranks the top 100 by exact inner product on
half-precision vectors read from a file on disk (memory-mapped), so they cost disk, not RAM.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.stats import machine, percentile
from index import versions
from index.config import Settings
from index.embedder import Embedder

# faiss as index.vectors loaded it (BLAS core type and threshold set first); the PQ variants are
# benchmark-only, so they are built here rather than in index/.
from index.vectors import IndexSpec, VectorIndex, faiss

TOP = 10
RESCORE = 100
SEED = 11


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument(
        "--questions", type=Path, help="QA JSONL (default: realtimeqa-qa.jsonl beside the index)"
    )
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--no-opq", action="store_true", help="Skip OPQ (it retrains the coarse lists).")
    args = parser.parse_args()

    version = versions.require_current_version(args.index_dir)
    meta = versions.read_meta(version)
    spec = IndexSpec(**meta["index"])
    stored = VectorIndex.load(version / versions.VECTORS_NAME, spec)
    chunks = list(stored.stored_chunks())
    corpus = np.vstack([m for m, _ in chunks])
    ids = np.concatenate([i for _, i in chunks])
    del chunks
    questions = _questions(args.questions or args.index_dir.parent / "realtimeqa-qa.jsonl", args.queries)
    queries = Embedder(Settings(model_path=None)).encode(questions)
    rng = np.random.default_rng(SEED)
    own_rows = rng.choice(len(ids), size=200, replace=False)
    truth_q = _exact(corpus, ids, queries, None)
    truth_s = _exact(corpus, ids, corpus[own_rows], own_rows)
    report: dict[str, Any] = {
        "machine": machine(),
        "index": str(args.index_dir),
        "vectors": len(ids),
        "index_kind": spec.describe(),
        "recorded_recall_at_10": meta.get("recall_at_10"),
        "queries": len(questions),
        "variants": [],
    }

    ivf = faiss.extract_index_ivf(stored._index)  # noqa: SLF001 (the benchmark times the index as served)
    for nprobe in (32, 64, 128):
        ivf.nprobe = nprobe
        report["variants"].append(
            _measure(
                f"ivf-sq8 nprobe {nprobe}",
                stored._index,
                None,
                queries,
                truth_q,
                corpus[own_rows],
                ids[own_rows],
                truth_s,
            )  # noqa: SLF001
        )
    ivf.nprobe = spec.nprobe

    half = faiss.IndexIDMap2(
        faiss.IndexScalarQuantizer(corpus.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    )
    half.add_with_ids(corpus, ids)
    report["variants"].append(
        _measure(
            "flat-fp16 (exhaustive)", half, None, queries, truth_q, corpus[own_rows], ids[own_rows], truth_s
        )
    )
    del half

    with tempfile.TemporaryDirectory() as work:
        on_disk = Path(work) / "vectors.f16"
        corpus.astype(np.float16).tofile(on_disk)
        full = np.memmap(on_disk, dtype=np.float16, mode="r", shape=corpus.shape)
        row_of = {int(i): r for r, i in enumerate(ids)}
        rescore = _rescorer(full, row_of)
        training = corpus[rng.choice(len(ids), size=min(len(ids), 65_536), replace=False)]
        for m in (48, 64):
            started = time.perf_counter()
            pq = faiss.IndexIVFPQ(
                _copy_lists(ivf), corpus.shape[1], ivf.nlist, m, 8, faiss.METRIC_INNER_PRODUCT
            )
            pq.train(training)
            pq.add_with_ids(corpus, ids)
            pq.nprobe = spec.nprobe
            seconds = time.perf_counter() - started
            for name, after in (
                (f"ivf-pq {m}x8", None),
                (f"ivf-pq {m}x8 +rescore {RESCORE} (fp16 on disk)", rescore),
            ):
                row = _measure(name, pq, after, queries, truth_q, corpus[own_rows], ids[own_rows], truth_s)
                report["variants"].append({**row, "build_seconds": round(seconds, 1)})
            del pq
        if not args.no_opq:
            started = time.perf_counter()
            opq = faiss.OPQMatrix(corpus.shape[1], 64)
            opq.niter = 20
            inner = faiss.IndexIVFPQ(
                faiss.IndexFlatIP(corpus.shape[1]),
                corpus.shape[1],
                ivf.nlist,
                64,
                8,
                faiss.METRIC_INNER_PRODUCT,
            )
            pre = faiss.IndexPreTransform(opq, inner)
            pre.train(training)
            faiss.extract_index_ivf(pre).nprobe = spec.nprobe
            pre.add_with_ids(corpus, ids)
            seconds = time.perf_counter() - started
            for name, after in (
                ("opq64 ivf-pq 64x8", None),
                (f"opq64 ivf-pq 64x8 +rescore {RESCORE} (fp16 on disk)", rescore),
            ):
                row = _measure(name, pre, after, queries, truth_q, corpus[own_rows], ids[own_rows], truth_s)
                report["variants"].append({**row, "build_seconds": round(seconds, 1)})
        del full
    print(json.dumps(report, indent=2))
    _print_table(report)


def _questions(path: Path, count: int) -> list[str]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = np.random.default_rng(SEED).choice(len(lines), size=min(count, len(lines)), replace=False)
    return [str(lines[i]["question"]) for i in sorted(picked)]


def _exact(
    corpus: np.ndarray, ids: np.ndarray, queries: np.ndarray, own_rows: np.ndarray | None
) -> list[set[int]]:
    """Each query's exact top 10 ids; a stored vector used as a query is left out of its own."""
    scores = queries @ corpus.T
    if own_rows is not None:
        scores[np.arange(len(own_rows)), own_rows] = -np.inf
    top = np.argpartition(scores, -TOP, axis=1)[:, -TOP:]
    return [set(ids[row].tolist()) for row in top]


def _copy_lists(ivf: Any) -> Any:
    """A flat quantizer holding the index's coarse centroids, so PQ variants share its lists."""
    quantizer = faiss.IndexFlatIP(ivf.d)
    quantizer.add(ivf.quantizer.reconstruct_n(0, ivf.nlist))
    return quantizer


def _rescorer(full: np.ndarray, row_of: dict[int, int]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def rescore(query: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        found = [int(i) for i in candidates if i != -1]
        rows = np.array([row_of[i] for i in found])
        order = np.argsort(-(full[rows].astype(np.float32) @ query))
        return np.array(found)[order]

    return rescore


def _measure(
    name: str,
    index: Any,
    rescore: Callable[[np.ndarray, np.ndarray], np.ndarray] | None,
    queries: np.ndarray,
    truth: list[set[int]],
    own_queries: np.ndarray,
    own_ids: np.ndarray,
    own_truth: list[set[int]],
) -> dict[str, Any]:
    k = RESCORE if rescore else TOP

    def top(query: np.ndarray, own: int | None) -> list[int]:
        _, found = index.search(query.reshape(1, -1), k + (own is not None))
        row = found[0] if rescore is None else rescore(query, found[0])
        return [int(i) for i in row if i not in (-1, own)][:TOP]

    for query in queries[:10]:  # warm
        top(query, None)
    times, hits = [], 0
    for query, expected in zip(queries, truth):
        started = time.perf_counter()
        found = top(query, None)
        times.append((time.perf_counter() - started) * 1000)
        hits += len(set(found) & expected)
    own_hits = sum(len(set(top(q, int(o))) & t) for q, o, t in zip(own_queries, own_ids, own_truth))
    size = len(faiss.serialize_index(index))
    return {
        "variant": name,
        "recall_at_10_questions": round(hits / (TOP * len(queries)), 3),
        "recall_at_10_stored": round(own_hits / (TOP * len(own_queries)), 3),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "bytes_per_vector": round(size / index.ntotal, 1),
        "mb_in_memory": round(size / 1e6, 1),
    }


def _print_table(report: dict[str, Any]) -> None:
    print(f"\n{report['machine']}; {report['vectors']:,} vectors, {report['queries']} questions")
    print(
        "| variant | recall@10 (questions) | recall@10 (stored vectors) | p50 ms | p95 ms | B/vector | MB |"
    )
    print("|---|---|---|---|---|---|---|")
    for v in report["variants"]:
        print(
            f"| {v['variant']} | {v['recall_at_10_questions']:.3f} | {v['recall_at_10_stored']:.3f} | "
            f"{v['p50_ms']:.2f} | {v['p95_ms']:.2f} | {v['bytes_per_vector']:.0f} | {v['mb_in_memory']:.0f} |"
        )


if __name__ == "__main__":
    main()
