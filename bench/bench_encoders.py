"""Encoder paths on this CPU: sentence-transformers (torch) against its ONNX export, fp32 and int8
(ONNX Runtime's default dynamic int8, and the build encoder's recipe, index/int8_encoder.py).

    .venv/bin/python -m bench.bench_encoders [--articles FILE.jsonl] [--sentences 2000] [--runs 3]

Encodes the same sample of real news sentences (seeded) with each path, batch 64, shortest
first as the build does, and reports sentences/s (median of --runs), the cosine of each path's
vectors to torch's (mean and minimum), and how many of each question's ten nearest sentences
(among the sample, for 100 sentences used as queries) agree with torch's.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.stats import machine, median
from index.config import Settings
from index.embedder import Embedder
from index.query_encoder import MANIFEST, OnnxQueryEncoder
from index.sentences import split_sentences

ARTICLES = Path("/work/bench-work/realtimeqa-articles.jsonl")


def sample_sentences(path: Path, count: int, seed: int = 3) -> list[str]:
    sentences = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            sentences.extend(split_sentences(json.loads(line)["text"]))
    return random.Random(seed).sample(sentences, count)


def timed(encode: Any, texts: list[str], runs: int) -> tuple[np.ndarray, float]:
    rates, vectors = [], None
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for _ in range(runs):
        started = time.perf_counter()
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), 64):
            batch = order[start : start + 64]
            out[batch] = encode([texts[i] for i in batch])
        rates.append(len(texts) / (time.perf_counter() - started))
        vectors = out
    assert vectors is not None
    return vectors, median(rates)


def agreement(reference: np.ndarray, other: np.ndarray) -> dict[str, float]:
    cosines = np.sum(reference * other, axis=1)
    queries = reference[:100]
    top_ref = np.argsort(-(queries @ reference.T), axis=1)[:, 1:11]
    top_other = np.argsort(-(other[:100] @ other.T), axis=1)[:, 1:11]
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top_ref, top_other)])
    return {
        "cosine_mean": round(float(cosines.mean()), 4),
        "cosine_min": round(float(cosines.min()), 4),
        "top10_overlap": round(float(overlap), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    texts = sample_sentences(args.articles, args.sentences)
    embedder = Embedder(Settings())
    embedder.warm()
    reference, torch_rate = timed(lambda batch: embedder._encode(batch, 64), texts, args.runs)
    report: dict[str, Any] = {
        "machine": machine(),
        "sentences": len(texts),
        "torch_fp32": {"sentences_per_s": round(torch_rate, 1)},
    }
    with tempfile.TemporaryDirectory() as folder:
        exported = Path(folder)
        embedder.export_query_encoder(exported)
        manifest = {"model": embedder.name, "dimension": 384, "max_seq_length": embedder.max_seq_length}
        (exported / MANIFEST).write_text(json.dumps(manifest))
        fp32 = OnnxQueryEncoder(exported, manifest)
        vectors, rate = timed(fp32.encode, texts, args.runs)
        report["onnx_fp32"] = {"sentences_per_s": round(rate, 1), **agreement(reference, vectors)}

        from onnxruntime.quantization import QuantType, quantize_dynamic

        from index.int8_encoder import quantise

        for name, make in (
            ("onnx_int8_dynamic_default", lambda out: quantize_dynamic(
                exported / "model.onnx", out, weight_type=QuantType.QInt8
            )),
            ("onnx_int8_build_encoder", lambda out: quantise(exported / "model.onnx", out)),
        ):  # fmt: skip
            variant = exported / name
            variant.mkdir()
            (variant / "tokenizer.json").write_bytes((exported / "tokenizer.json").read_bytes())
            make(variant / "model.onnx")
            vectors, rate = timed(OnnxQueryEncoder(variant, manifest).encode, texts, args.runs)
            report[name] = {"sentences_per_s": round(rate, 1), **agreement(reference, vectors)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
