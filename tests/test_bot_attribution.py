"""Who said it, in Slack: under each quote, the `said:` filter, and the App Home (real app, fake Slack)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import NK_SENTENCE
from fake_slack import FakeSlack
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_fixtures import Bot, make_bot
from slack_requests import USER, event_request, mention

from index.build import build_index
from index.config import Settings
from index.embedder import Embedder

SAMPLES = Path(__file__).parent.parent / "data" / "articles"
LEE = "*Lee Seong-kweun* (“according to”), citing South Korean intelligence service"


@pytest.fixture(scope="module")
def sample_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """The bundled sample articles (AFP and The New Indian Express), indexed for real."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("samples") / "index")
    build_index(settings, [SAMPLES], embedder=embedder, quiet=True)
    return settings


@pytest.fixture
def sample_bot(sample_settings: Settings, embedder: Embedder, fake: FakeSlack, tmp_path: Path) -> Bot:
    return make_bot(sample_settings, embedder, fake, tmp_path)


def test_the_answer_says_who_said_it_under_the_quote(sample_bot):
    sample_bot.send(event_request(mention("how many NK soldiers died?")))
    post = sample_bot.fake.wait_for("chat.postMessage")[0]
    blocks = post.params["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    quote = next(
        i for i, b in enumerate(blocks) if b["type"] == "section" and "Around *600*" in b["text"]["text"]
    )
    under = [element["text"] for element in blocks[quote + 1]["elements"]]
    assert under[0] == f":speaking_head_in_silhouette: {LEE}"
    assert under[1].startswith("AFP · June 26, 2025")
    assert NK_SENTENCE in post.params["text"] and "Lee Seong-kweun" in post.params["text"]


def test_what_did_they_say_shows_only_that_speakers_sentences(sample_bot):
    sample_bot.send(event_request(mention("what did Lee say about weapons?")))
    text = sample_bot.fake.wait_for("chat.postMessage")[0].block_text()
    speakers = [line for line in text.split("\n") if line.startswith(":speaking_head_in_silhouette:")]
    assert speakers and all("*Lee Seong-kweun*" in line for line in speakers)
    assert text.count(":speaking_head_in_silhouette:") == text.count("Show context")


def test_an_unattributed_sentence_has_no_speaker_line(bot):
    bot.send(event_request(mention("how much did the library budget get?")))
    text = bot.fake.wait_for("chat.postMessage")[0].block_text()
    assert "$4.2 million" in text.replace("*", "")
    assert ":speaking_head_in_silhouette:" not in text.split("Show context")[0]


def test_app_home_and_help_tell_how_to_ask_for_one_speaker(bot):
    event = {"type": "app_home_opened", "user": USER, "channel": "D0HOME01", "tab": "home", "event_ts": "1.2"}
    bot.send(event_request(event))
    view = json.dumps(bot.fake.wait_for("views.publish")[0].params["view"], ensure_ascii=False)
    assert "said:Lee" in view and "what did Lee say about the troops?" in view
