"""A build encoder on ONNX Runtime with int8 weights: the model's vectors at about 1.6x the speed.

Encoding is nearly all of a build. On a CPU without VNNI (AVX2 only), dynamic int8 with the
default settings moves vectors a long way (cosine to torch 0.96 mean, 0.77 worst on 2,000 news
sentences: the AVX2 kernel's 16-bit sums saturate); the recipe below keeps them within 0.995
mean (docs/benchmarks.md, "Encoder paths for the build"):

- weights per output channel, in the reduced 7-bit range the AVX2 kernel cannot overflow;
- only products with a weight matrix quantised (attention's activation-by-activation products
  stay float);
- each layer's feed-forward output projection stays float: its inputs (after GELU) are the
  widest-ranging activations in the network.

Dynamic quantisation scales each batch's activations by that batch's own range, so a sentence's
vector moves slightly with the sentences batched with it (cosine about 0.995 between a sentence
encoded alone and beside others): two int8 builds of the same text agree as closely as int8
agrees with torch, not bit for bit. A Ray build's int8 vectors are checked that way.

The quantised model is made once per model beside the index (`build-encoder/`) and kept only if
its vectors match the model's on a fixed sample (mean cosine >= PARITY_FLOOR). An index records
which encoder made its vectors (`encoder` in build.json), and vectors from two encoders never mix
in one index (index/build.py).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import heap
from .config import Settings
from .embedder import Embedder, EncodesInChunks, encode_shortest_first
from .errors import ModelError
from .query_encoder import MANIFEST, MODEL_FILE, PARITY_SAMPLE, TOKENIZER_FILE, OnnxQueryEncoder

FOLDER = "build-encoder"
ENCODING = "onnx-int8/1"  # bump when the recipe changes: vectors from two recipes must not mix
PARITY_FLOOR = 0.99
# Sentences beyond PARITY_SAMPLE that the parity check also encodes: news prose of every length.
PARITY_EXTRA = (
    "Officials said the storm had knocked out power to about 40,000 homes across the county.",
    "The company reported revenue of $4.1 billion for the quarter, up 12% from a year earlier.",
    "She was sworn in on Monday as the state's first female governor.",
    "Critics argue the bill would do little to lower prescription drug prices for seniors.",
    "The match was suspended in the 71st minute after fans threw objects onto the pitch.",
    "Lawmakers have until Friday to pass a spending bill or the government will shut down.",
)


def _quantised_nodes_excluded(model_path: Path) -> list[str]:
    """The feed-forward output projections: the MatMul fed by each layer's GELU."""
    import onnx

    graph = onnx.load(str(model_path)).graph
    made_by = {output: node for node in graph.node for output in node.output}
    excluded = []
    for node in graph.node:
        if node.op_type != "MatMul" or not node.input:
            continue
        source = made_by.get(node.input[0])
        # The exporter writes GELU either as one op or as Erf arithmetic ending in a Mul.
        if source is not None and (source.op_type == "Gelu" or _ends_erf_gelu(source, made_by)):
            excluded.append(node.name)
    return excluded


def _ends_erf_gelu(node: Any, made_by: dict[str, Any]) -> bool:
    """True for the final Mul of x * 0.5 * (1 + erf(x / sqrt 2))."""
    seen: list[Any] = [node]
    for _ in range(3):
        parents = [made_by[i] for n in seen for i in n.input if i in made_by]
        if any(p.op_type == "Erf" for p in parents):
            return node.op_type == "Mul"
        seen = parents
    return False


def quantise(fp32_model: Path, out: Path) -> None:
    """Write the int8 model of `fp32_model` to `out` by the recipe in this module's docstring."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        fp32_model,
        out,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=_quantised_nodes_excluded(fp32_model),
        extra_options={"MatMulConstBOnly": True},
    )


class Int8Model(EncodesInChunks):
    """The int8 model alone: unit-length float32 rows in input order, batched shortest first.

    A Ray actor encodes with this (index/ray_embedding.py); a local build with `Int8Encoder`.
    """

    def __init__(self, onnx_model: OnnxQueryEncoder) -> None:
        self._onnx: OnnxQueryEncoder | None = onnx_model
        self._dimension = onnx_model.dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: Callable[[int], object] | None = None
    ) -> np.ndarray:
        return encode_shortest_first(texts, self.dimension, self._session().encode, batch_size, progress)

    def _session(self) -> OnnxQueryEncoder:
        assert self._onnx is not None
        return self._onnx


class Int8Encoder(Int8Model):
    """`Embedder`'s build contract on ONNX int8, with the model's name and the folder it is kept in."""

    encoding = ENCODING

    def __init__(self, model: Embedder, onnx_model: OnnxQueryEncoder, folder: Path) -> None:
        super().__init__(onnx_model)
        self._model = model
        self.folder = folder

    @classmethod
    def prepare(cls, settings: Settings, model: Embedder) -> Int8Encoder:
        """The int8 encoder kept beside the index, made (and checked) first if there is none."""
        folder = settings.index_dir / FOLDER
        found = _open(folder, model.name)
        if found is None:
            _make(folder, model)
            found = _open(folder, model.name)
            if found is None:
                raise ModelError(f"the int8 encoder written to {folder} cannot be read back")
        return cls(model, found, folder)

    @property
    def name(self) -> str:
        return self._model.name

    def release(self) -> None:
        """Let the ONNX session go, and the working memory its batches kept (about 370 MB after
        a build's encoding), before the build fills its index; a later `encode` opens it again."""
        self._onnx = None
        heap.release_free_memory()

    def _session(self) -> OnnxQueryEncoder:
        if self._onnx is None:
            self._onnx = _open(self.folder, self._model.name)
            if self._onnx is None:
                raise ModelError(f"the int8 encoder in {self.folder} cannot be read back")
        return self._onnx

    def files(self) -> dict[str, bytes]:
        """The model's files by name, for a Ray actor to load (`Int8Model` on `OnnxQueryEncoder`)."""
        return {name: (self.folder / name).read_bytes() for name in (MODEL_FILE, TOKENIZER_FILE, MANIFEST)}


def parity(reference: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """(mean, lowest) cosine between matching rows of two unit-length matrices."""
    cosines = np.sum(reference * other, axis=1)
    return float(cosines.mean()), float(cosines.min())


def _open(folder: Path, model_name: str) -> OnnxQueryEncoder | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if not isinstance(manifest, dict) or manifest.get("model") != model_name:
        return None
    if manifest.get("encoding") != ENCODING:
        return None
    return OnnxQueryEncoder(folder, manifest)


def _make(folder: Path, model: Embedder) -> None:
    """Export, quantise and check the model; replace `folder` only with one that passed."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-encoder-", dir=folder.parent))
    try:
        model.export_query_encoder(staging)
        quantise(staging / "model.onnx", staging / "int8.onnx")
        (staging / "int8.onnx").replace(staging / "model.onnx")
        manifest: dict[str, Any] = {
            "model": model.name,
            "encoding": ENCODING,
            "dimension": model.dimension,
            "max_seq_length": model.max_seq_length,
        }
        sample = [*PARITY_SAMPLE, *PARITY_EXTRA]
        mean, lowest = parity(model.encode(sample), OnnxQueryEncoder(staging, manifest).encode(sample))
        if mean < PARITY_FLOOR:
            raise ModelError(
                f"The int8 encoder's vectors differ from the model's (mean cosine {mean:.4f}, "
                f"floor {PARITY_FLOOR}); build with NEWSDESK_BUILD_ENCODER=torch instead."
            )
        manifest.update(parity_mean_cosine=round(mean, 5), parity_min_cosine=round(lowest, 5))
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
