"""Follow-ups through the real bolt app: in a thread newsdesk answered (across a restart), and in DMs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlite_utils
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_fixtures import Bot, build
from slack_requests import (
    BOT_TOKEN,
    CHANNEL,
    DM_CHANNEL,
    SIGNING_SECRET,
    USER,
    direct_message,
    event_request,
    find_button,
    mention,
)
from test_followup import FAIR_WOUNDED, FOLLOW_UP_ARTICLES, NK_KILLED, NK_QUESTION, NK_WOUNDED

from bot.app import create_app
from bot.render import ACTION_VOTE_UP, decode_value, render_home
from index.asked import AskedStore
from index.config import Settings
from index.embedder import Embedder
from index.feedback import FeedbackStore
from index.search import Searcher

WOUNDED = "and how many were wounded?"
NOTE = f"Read as a follow-up to: _{NK_QUESTION}_"


class Clock:
    """The time the bot's `asked` table sees; tests move it instead of waiting."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def follow_up_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    root = tmp_path_factory.mktemp("follow-up-index")
    return build(root / "articles", FOLLOW_UP_ARTICLES, embedder, root / "index")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def start(follow_up_settings, embedder, fake, tmp_path, clock):
    """Start the bot (again): a new app object over the same SQLite file, as after a restart."""
    db = tmp_path / "feedback.db"

    def start_bot() -> Bot:
        settings = follow_up_settings.with_changes(
            slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url
        )
        searcher = Searcher.open(settings, embedder)
        app = create_app(settings, searcher, feedback=FeedbackStore(db), asked=AskedStore(db, clock=clock))
        return Bot(app, settings, searcher, fake)

    return start_bot


def first_quote(text: str) -> str:
    return next(line for line in text.split("\n") if line.startswith(">")).replace("*", "")[1:]


def test_a_mention_in_a_thread_newsdesk_answered_builds_on_its_question_even_after_a_restart(start, fake):
    asked = mention(NK_QUESTION)
    start().send(event_request(asked))
    answer = fake.wait_for("chat.postMessage")[0]
    assert first_quote(answer.block_text()) == NK_KILLED
    assert "follow-up" not in answer.block_text()

    restarted = start()
    restarted.send(event_request(mention(WOUNDED, thread_ts=asked["ts"])))
    reply = fake.wait_for("chat.postMessage", 2)[1]
    assert reply.params["channel"] == CHANNEL
    assert reply.params["thread_ts"] == asked["ts"]
    text = reply.block_text()
    assert NOTE in text
    assert f"Searched as: _{WOUNDED} NK_" in text
    assert first_quote(text) == NK_WOUNDED
    assert "AFP · June 26, 2025" in text
    # Votes record what was searched, so the feedback export shows the question in full.
    vote = decode_value(find_button(reply.blocks(), ACTION_VOTE_UP)["value"])
    assert vote["q"] == f"{WOUNDED} NK"


def test_a_mention_in_a_thread_newsdesk_never_answered_is_read_on_its_own(start, fake):
    start().send(event_request(mention(WOUNDED, thread_ts="1700000000.000009")))
    text = fake.wait_for("chat.postMessage")[0].block_text()
    assert "follow-up" not in text
    assert first_quote(text) == FAIR_WOUNDED


def test_a_question_with_its_own_subject_in_that_thread_is_not_rewritten(start, fake):
    bot = start()
    asked = mention(NK_QUESTION)
    bot.send(event_request(asked))
    fake.wait_for("chat.postMessage")
    bot.send(event_request(mention("what did the Fed do with interest rates?", thread_ts=asked["ts"])))
    text = fake.wait_for("chat.postMessage", 2)[1].block_text()
    assert "follow-up" not in text and "Searched as" not in text
    assert "5.25%" in first_quote(text)


def test_a_dm_question_within_minutes_of_the_last_is_a_follow_up(start, fake, clock):
    bot = start()
    bot.send(event_request(direct_message(NK_QUESTION)))
    fake.wait_for("chat.postMessage")
    clock.advance(bot.settings.follow_up_minutes - 1)
    bot.send(event_request(direct_message(WOUNDED)))
    text = fake.wait_for("chat.postMessage", 2)[1].block_text()
    assert NOTE in text
    assert first_quote(text) == NK_WOUNDED


def test_a_dm_question_after_the_window_is_read_on_its_own(start, fake, clock):
    bot = start()
    bot.send(event_request(direct_message(NK_QUESTION)))
    fake.wait_for("chat.postMessage")
    clock.advance(bot.settings.follow_up_minutes + 1)
    bot.send(event_request(direct_message(WOUNDED)))
    text = fake.wait_for("chat.postMessage", 2)[1].block_text()
    assert "follow-up" not in text
    assert first_quote(text) == FAIR_WOUNDED


def test_the_app_home_says_how_to_follow_up():
    home = json.dumps(render_home(None, "No index yet."))
    assert "Follow up in the same thread (or DM, within a few minutes)" in home
    assert "and how many were wounded?" in home


def test_questions_answered_are_kept_beside_the_feedback(start, fake, tmp_path: Path):
    start().send(event_request(direct_message(NK_QUESTION)))
    fake.wait_for("chat.postMessage")
    rows = list(sqlite_utils.Database(tmp_path / "feedback.db")["asked"].rows)
    assert [(r["channel"], r["thread_ts"], r["user"], r["question"], r["searched"]) for r in rows] == [
        (DM_CHANNEL, None, USER, NK_QUESTION, NK_QUESTION)
    ]
    assert rows[0]["asked_at"] == "2026-01-05T09:00:00+00:00"


def test_the_notes_of_a_follow_up_ping_no_one(start, fake, clock):
    bot = start()
    bot.send(event_request(direct_message(f"{NK_QUESTION} &lt;!channel&gt;")))
    fake.wait_for("chat.postMessage")
    bot.send(event_request(direct_message(f"{WOUNDED} &lt;!here&gt;")))
    text = fake.wait_for("chat.postMessage", 2)[1].block_text()
    assert f"Read as a follow-up to: _{NK_QUESTION} &lt;!channel&gt;_" in text
    assert "&lt;!here&gt;" in text
    assert "<!channel>" not in text and "<!here>" not in text
