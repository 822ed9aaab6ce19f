"""Fixtures for the bot tests: a real index, the fake Slack, and the real bolt app wired to both.

A test module imports them with `from slack_fixtures import *` (only the fixtures are exported).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from conftest import NEWS_ARTICLES, write_article
from fake_slack import FakeSlack
from slack_bolt import App, BoltRequest, BoltResponse
from slack_requests import BOT_TOKEN, SIGNING_SECRET, SlackRequest

from bot.app import create_app
from bot.wsgi import SLACK_PATH, slack_wsgi
from index.build import build_index
from index.config import Settings
from index.embedder import Embedder
from index.search import Searcher

__all__ = ["bot", "fake", "http_bot", "news_index"]

ESCAPE_SENTENCE = (
    "Protesters outside city hall chanted <!channel> and <@U123> while waving R&D banners "
    "about the 12 missing ballots."
)
LONG_SENTENCE = (
    "The inventory of the municipal warehouse listed "
    + ", ".join(f"crate number {i} of surplus traffic cones" for i in range(1, 160))
    + " and nothing else."
)
BOT_ARTICLES: list[dict[str, Any]] = [
    *NEWS_ARTICLES,
    {
        "title": "Council vote draws <!here> protest & chants",
        "source": "Gazette & Echo",
        "date": "2024-05-02",
        "url": "https://example.com/gazette/protest?id=7&ref=<home>",
        "text": (f"{ESCAPE_SENTENCE}\n\nThe council later adjourned without a vote on the ballot dispute."),
    },
    {
        "title": "Warehouse audit " + "with a very long headline " * 20,
        "source": "Audit Weekly",
        "date": "2022-01-10",
        "url": "https://example.com/audit/" + "x" * 3000,
        "text": f"{LONG_SENTENCE}\n\nAuditors said the count was complete.",
    },
]


def build(folder: Path, articles: list[dict[str, Any]], embedder: Embedder, index_dir: Path) -> Settings:
    for number, article in enumerate(articles):
        write_article(folder, f"{number:03d}.txt", article)
    settings = Settings(index_dir=index_dir)
    build_index(settings, [folder], embedder=embedder, quiet=True)
    return settings


_built: dict[str, Settings] = {}


@pytest.fixture(scope="session")
def news_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A real index (model, FAISS, SQLite) of the news articles plus the escaping and long ones.

    Built once per session: each module importing this fixture gets its own definition, so the
    index itself is cached here. Tests that rebuild an index build their own.
    """
    if "news" not in _built:
        root = tmp_path_factory.mktemp("bot-index")
        _built["news"] = build(root / "articles", BOT_ARTICLES, embedder, root / "index")
    return _built["news"]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@dataclass
class Bot:
    """The real bolt app over the real searcher, its WebClient pointed at the fake Slack."""

    app: App
    settings: Settings
    searcher: Any
    fake: FakeSlack

    def send(self, request: SlackRequest) -> BoltResponse:
        """Dispatch in-process, signature verification included."""
        return self.app.dispatch(BoltRequest(body=request.body, headers=request.headers))


def make_bot(settings: Settings, embedder: Embedder, fake: FakeSlack, tmp_path: Path, **changes: Any) -> Bot:
    settings = settings.with_changes(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        **changes,
    )
    searcher = Searcher.open(settings, embedder)
    from index.feedback import FeedbackStore

    app = create_app(settings, searcher, feedback=FeedbackStore(tmp_path / "feedback.db"))
    return Bot(app, settings, searcher, fake)


@pytest.fixture
def bot(news_index: Settings, embedder: Embedder, fake: FakeSlack, tmp_path: Path) -> Bot:
    return make_bot(news_index, embedder, fake, tmp_path)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_bot(bot: Bot) -> Iterator[tuple[Bot, str]]:
    """The bot's WSGI app served over real HTTP on 127.0.0.1; yields (bot, events URL)."""
    server = make_server(
        "127.0.0.1", 0, slack_wsgi(bot.app), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield bot, f"http://127.0.0.1:{server.server_port}{SLACK_PATH}"
    finally:
        server.shutdown()
        server.server_close()
