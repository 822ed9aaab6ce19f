"""The default model: the bundled all-MiniLM-L6-v2 plus a small change learnt from SQuAD.

The bundled model, fine-tuned on SQuAD questions each taught its answer sentence against another
sentence of the same paragraph (`newsdesk model adapter`), puts the sentence that answers above the
one that merely names the subject more often, on reporters' questions too (docs/search.md,
session 19). The change is committed, not the weights: for each weight matrix its best rank-8
approximation (SVD), for each bias and LayerNorm vector the whole change, in half precision, about
0.75 MB (ADAPTER_FILE). The first use writes bundled weights + change as a model folder in the
cache; later uses load that folder.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .checksums import file_sha256
from .config import BUNDLED_MODEL, BUNDLED_MODEL_NAME
from .errors import ModelError

ADAPTER_FILE = Path(__file__).parent / "data" / "news_adapter.safetensors"
ADAPTER_RANK = 8
WEIGHTS_FILE = "model.safetensors"
# The word-embedding table is left as it is: its change is spread over 30k rows and adds nothing
# measurable (docs/search.md).
UNCHANGED = ("embeddings.word_embeddings.weight", "embeddings.position_ids")
LOW_RANK_A, LOW_RANK_B, WHOLE = ".low_rank_a", ".low_rank_b", ".change"


ADAPTED_MODEL_PREFIX = f"{BUNDLED_MODEL_NAME} + news adapter "


def adapted_model_name(digest: str) -> str:
    """The model name an index built with the default model records: the adapter's digest in it."""
    return f"{ADAPTED_MODEL_PREFIX}{digest[:12]}"


def older_index_hint(built_with: object) -> str:
    """What to tell someone whose index was built with the bundled model before the adapter, or
    with an adapter an earlier release shipped."""
    if isinstance(built_with, str) and built_with.startswith(ADAPTED_MODEL_PREFIX):
        return (
            " It was built with an earlier news adapter, which this release of newsdesk no longer "
            "ships: rebuild it, or keep the release that built it."
        )
    if built_with != BUNDLED_MODEL_NAME:
        return ""
    return (
        f" It was built before newsdesk's default model gained its news adapter: rebuild it for "
        f"better answers, or set NEWSDESK_MODEL={BUNDLED_MODEL} to keep using it as it is."
    )


def adapter_from(base: dict[str, Any], tuned: dict[str, Any], rank: int = ADAPTER_RANK) -> dict[str, Any]:
    """The change from `base` to `tuned` (state dicts of torch tensors), compressed as above."""
    import torch

    adapter = {}
    for key, before in base.items():
        if key in UNCHANGED or key not in tuned:
            continue
        change = (tuned[key] - before).float()
        if not bool(change.any()):
            continue
        if change.ndim == 2 and min(change.shape) > rank:
            left, singular, right = torch.linalg.svd(change, full_matrices=False)
            adapter[key + LOW_RANK_A] = (left[:, :rank] * singular[:rank]).half().contiguous()
            adapter[key + LOW_RANK_B] = right[:rank].half().contiguous()
        else:
            adapter[key + WHOLE] = change.half().contiguous()
    return adapter


def apply_adapter(base: dict[str, Any], adapter: dict[str, Any]) -> dict[str, Any]:
    """`base` with the adapter's change added; a change for a weight `base` lacks is an error."""
    adapted = dict(base)
    for name, value in adapter.items():
        if name.endswith(LOW_RANK_B):
            continue
        if name.endswith(LOW_RANK_A):
            key = name.removesuffix(LOW_RANK_A)
            change = value.float() @ adapter[key + LOW_RANK_B].float()
        else:
            key = name.removesuffix(WHOLE)
            change = value.float()
        if key not in base or tuple(base[key].shape) != tuple(change.shape):
            raise ModelError(
                f"The news adapter does not fit the bundled model (weight {key}): reinstall newsdesk, "
                f"or set NEWSDESK_MODEL={BUNDLED_MODEL}."
            )
        adapted[key] = (base[key].float() + change).to(base[key].dtype)
    return adapted


@functools.cache
def adapter_digest(path: Path = ADAPTER_FILE) -> str:
    """The file's SHA-256, read once a process: the default model's recorded name holds it."""
    return file_sha256(path)


def adapted_model_folder(base_folder: Path, cache_dir: Path, adapter_path: Path = ADAPTER_FILE) -> Path:
    """The adapted model's folder in `cache_dir`, written on first use (atomically)."""
    if not adapter_path.is_file():
        raise ModelError(
            f"{adapter_path} is missing: reinstall newsdesk, or set NEWSDESK_MODEL={BUNDLED_MODEL}."
        )
    folder = cache_dir / f"all-MiniLM-L6-v2-news-{adapter_digest(adapter_path)[:12]}"
    if (folder / WEIGHTS_FILE).is_file():
        return folder
    from safetensors.torch import load_file, save_file

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=cache_dir))
    except OSError as exc:
        raise ModelError(
            f"Cannot write the default model's folder in {cache_dir}: {exc.strerror or exc}. "
            "Set NEWSDESK_CACHE to a folder newsdesk may write to."
        ) from exc
    try:
        shutil.copytree(base_folder, partial, dirs_exist_ok=True, ignore=shutil.ignore_patterns(WEIGHTS_FILE))
        adapted = apply_adapter(load_file(str(base_folder / WEIGHTS_FILE)), _read_adapter(adapter_path))
        save_file(adapted, str(partial / WEIGHTS_FILE), metadata={"format": "pt"})
        (partial / "adapter.json").write_text(
            json.dumps({"base": str(base_folder), "adapter": str(adapter_path)}, indent=2) + "\n",
            encoding="utf-8",
        )
        try:
            partial.rename(folder)
        except OSError:  # another process wrote it first
            if not (folder / WEIGHTS_FILE).is_file():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def _read_adapter(path: Path) -> dict[str, Any]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise ModelError(
            f"Cannot read {path}: {exc}. Reinstall newsdesk, or set NEWSDESK_MODEL={BUNDLED_MODEL}."
        ) from exc
