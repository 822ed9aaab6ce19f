"""Shared fixtures: the real model (loaded once per session) and small real indexes on disk."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from index.build import build_index
from index.config import BUNDLED_MODEL, Settings
from index.embedder import Embedder
from index.search import Searcher

# CLI builds in tests share the session's model and skip the ONNX query-encoder export (seconds
# each); tests/test_query_encoder.py exports one and asks through it.
os.environ.setdefault("NEWSDESK_QUERY_ENCODER", "torch")
# They also embed with the session's model itself, not the int8 build encoder a new index takes
# by default (export and quantisation cost seconds a build); tests/test_int8_encoder.py covers it.
os.environ.setdefault("NEWSDESK_BUILD_ENCODER", "torch")

NK_SENTENCE = (
    "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for "
    "Russia, according to Lee, citing the South Korean intelligence service."
)

NEWS_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "North Korea to send more troops to Russia, Seoul says",
        "source": "AFP",
        "date": "2025-06-26",
        "url": "https://example.com/afp/nk-troops",
        "text": (
            "North Korea will send more troops to Russia to assist in its war against Ukraine, "
            "a South Korean lawmaker said on Thursday.\n\n"
            f"{NK_SENTENCE}\n\n"
            "Pyongyang in April confirmed for the first time that it had deployed troops to "
            "support Russia's war in Ukraine."
        ),
    },
    {
        "title": "Fed holds interest rates steady",
        "source": "CNN",
        "date": "2024-03-20",
        "url": "https://example.com/cnn/fed-rates",
        "text": (
            "The Federal Reserve held its benchmark interest rate steady on Wednesday at a range "
            "of 5.25% to 5.5%, the highest level in 23 years.\n\n"
            "Fed Chair Jerome Powell said officials still expect to cut rates three times this year."
        ),
    },
    {
        "title": "Hurricane Idalia makes landfall in Florida",
        "source": "USA Today",
        "date": "2023-08-30",
        "url": "https://example.com/usatoday/idalia",
        "text": (
            "Hurricane Idalia made landfall near Keaton Beach, Florida, as a Category 3 storm with "
            "maximum sustained winds of 125 mph.\n\n"
            "More than 280,000 homes and businesses lost power across the state."
        ),
    },
    {
        "title": "City council approves library budget",
        "source": "The Courier",
        "date": None,
        "url": None,
        "text": (
            "The city council voted 7-2 on Tuesday to approve a $4.2 million budget for the "
            "public library.\n\n"
            "Mayor Ana Ruiz said the money would keep branches open on Sundays."
        ),
    },
]


def write_article(folder: Path, name: str, article: dict[str, Any]) -> Path:
    """Write an article as a .txt file with YAML front matter, as a newsroom would export it."""
    meta = {k: article[k] for k in ("title", "source", "date", "url") if article.get(k)}
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{front}---\n{article['text']}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    model = Embedder(Settings())
    model.warm()
    return model


@pytest.fixture(scope="session")
def bundled_embedder() -> Embedder:
    """The bundled weights alone, without the news adapter (NEWSDESK_MODEL=bundled)."""
    return Embedder(Settings(model_path=BUNDLED_MODEL))


@pytest.fixture
def write_articles(tmp_path: Path) -> Callable[[list[dict[str, Any]]], Path]:
    def write(articles: list[dict[str, Any]], folder: str = "articles") -> Path:
        root = tmp_path / folder
        for number, article in enumerate(articles):
            write_article(root, f"{number:03d}.txt", article)
        return root

    return write


@pytest.fixture
def make_index(
    tmp_path: Path, embedder: Embedder, write_articles: Callable[..., Path]
) -> Callable[[list[dict[str, Any]]], Settings]:
    """Build a real index (real model, FAISS and SQLite) from article dicts; returns its Settings."""

    def make(articles: list[dict[str, Any]] | None = None) -> Settings:
        folder = write_articles(NEWS_ARTICLES if articles is None else articles)
        settings = Settings(index_dir=tmp_path / "index")
        build_index(settings, [folder], embedder=embedder, quiet=True)
        return settings

    return make


@pytest.fixture
def searcher(make_index: Callable[..., Settings], embedder: Embedder) -> Searcher:
    """A searcher over a real index of NEWS_ARTICLES."""
    return Searcher.open(make_index(), embedder)


@pytest.fixture
def run(embedder: Embedder) -> Callable[..., Result]:
    """`newsdesk ARGS...` through click's runner, sharing the session's model."""
    from bot.cli import cli  # the console script's group: index commands plus the bot's own

    def invoke(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), obj={"embedder": embedder}, input=input, env=env)

    return invoke
