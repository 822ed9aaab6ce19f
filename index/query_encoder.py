"""Questions encoded on ONNX Runtime, so that answering one never imports torch.

Importing torch and sentence-transformers is most of a cold `newsdesk ask` (seconds). When an
index is built, the model's transformer is exported beside it (`query-encoder/`) and kept only if
it reproduces the sentence-transformers vectors on a fixed sample (cosine >= PARITY_FLOOR); the
query path then needs only onnxruntime and the tokenizer. Indexing still encodes with torch, so
every vector in an index comes from one encoder and the ONNX one only has to match it.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import Settings
from .errors import ModelError

if TYPE_CHECKING:
    from .embedder import Embedder

log = logging.getLogger(__name__)

FOLDER = "query-encoder"
MANIFEST = "encoder.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
PARITY_FLOOR = 0.9999
QUERY_CACHE_SIZE = 256
# Short and long, with figures, accents and punctuation: what questions and sentences hold.
PARITY_SAMPLE = (
    "how many NK soldiers died?",
    "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for "
    "Russia, according to Lee, citing the South Korean intelligence service.",
    "who's the new SCOTUS pick",
    "The Federal Reserve held its benchmark rate at 5.25% to 5.5% on Wednesday.",
    'Café owners in Zürich said the €4.2 million plan was "a good start".',
    "x",
    " ".join(["The council met again on Tuesday and voted to keep the branch libraries open."] * 30),
)


class OnnxQueryEncoder:
    """Encodes questions like `Embedder.encode_query`, from an exported model folder."""

    def __init__(self, folder: Path, manifest: dict[str, Any], *, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = str(manifest["model"])
        self.dimension = int(manifest["dimension"])
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(int(manifest["max_seq_length"]))
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        self._session = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._query_cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self._session.run(None, inputs)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(mean / norms, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        cached = self._query_cache.get(text)
        if cached is None:
            cached = self.encode([text])[0]
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = cached
        return cached

    def warm(self) -> None:
        self.encode(["warm up"])

    def forget_queries(self) -> None:
        self._query_cache.clear()


def query_encoder_for(settings: Settings) -> OnnxQueryEncoder | Embedder:
    """What encodes questions: the index's ONNX export when there is one (torch never loads)."""
    from .embedder import Embedder

    embedder = Embedder(settings)  # cheap: the model loads on first use
    if settings.query_encoder == "onnx":
        exported = open_query_encoder(settings, embedder.name)
        if exported is not None:
            return exported
    return embedder


def open_query_encoder(settings: Settings, model_name: str) -> OnnxQueryEncoder | None:
    """The exported encoder of this index, if there is one for `model_name` that loads."""
    folder = settings.index_dir / FOLDER
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("model") != model_name:
            return None
        return OnnxQueryEncoder(folder, manifest)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged export only costs speed: torch answers instead
        log.warning("Not using the ONNX query encoder in %s (%s); questions use torch.", folder, exc)
        return None


def write_query_encoder(embedder: Embedder, settings: Settings) -> str:
    """Export `embedder`'s model beside the index unless a matching export is there already.

    Returns one line for the build summary. An export that fails or does not reproduce the
    model's vectors is not kept; questions then use torch, as before.
    """
    folder = settings.index_dir / FOLDER
    if open_query_encoder(settings, embedder.name) is not None:
        return "Query encoder: up to date."
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".query-encoder-", dir=settings.index_dir))
    try:
        embedder.export_query_encoder(staging)
        manifest = {
            "model": embedder.name,
            "dimension": embedder.dimension,
            "max_seq_length": embedder.max_seq_length,
        }
        reference = embedder.encode(list(PARITY_SAMPLE))
        exported = OnnxQueryEncoder(staging, manifest).encode(PARITY_SAMPLE)
        agreement = float(np.min(np.sum(reference * exported, axis=1)))
        if agreement < PARITY_FLOOR:
            raise ModelError(f"its vectors differ from the model's (lowest cosine {agreement:.5f})")
        manifest["parity_min_cosine"] = round(agreement, 6)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
        return f"Query encoder: exported to {folder} (lowest cosine to the model {agreement:.5f})."
    except Exception as exc:  # onnxruntime's and the exporter's errors share no base but Exception
        return f"Query encoder: not exported ({exc}); questions will load torch, which is slower to start."
    finally:
        shutil.rmtree(staging, ignore_errors=True)
