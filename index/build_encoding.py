"""Which encoder a build embeds with, and how an index records the encoder that made its vectors.

Vectors of one model made by two encoders (torch, ONNX int8) are close but not equal, so an index
holds one encoder's vectors only. An index built before this was recorded holds torch's.
"""

from __future__ import annotations

from typing import Any

from . import versions
from .config import DEFAULT_BUILD_ENCODER, Settings
from .errors import NewsdeskError

TORCH_ENCODING = "torch"


def encoding_of(meta: dict[str, Any]) -> str:
    """The encoder recorded in a version's build.json ("torch", "onnx-int8/1")."""
    return str(meta.get("encoder", TORCH_ENCODING))


def setting_for(encoding: str) -> str:
    """The NEWSDESK_BUILD_ENCODER value that encodes as `encoding` ("onnx-int8/1" -> "onnx-int8")."""
    return encoding.split("/", 1)[0]


def chosen_encoder(settings: Settings, *, fresh: bool = False) -> str:
    """NEWSDESK_BUILD_ENCODER when set; else the encoder of the index being added to, so an
    update never has to re-embed an archive; else (a new index, or --fresh) the default."""
    if settings.build_encoder is not None:
        return settings.build_encoder
    current = None if fresh else versions.current_version(settings.index_dir)
    if current is None:
        return DEFAULT_BUILD_ENCODER
    try:
        return setting_for(encoding_of(versions.read_meta(current)))
    except NewsdeskError:  # a damaged build.json: the build itself reports it
        return DEFAULT_BUILD_ENCODER
