"""Quote check in Slack: `/newsdesk check "…"` and the "Check against archive" message shortcut,
through the real bolt app, the real index and the fake Slack Web API."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import NK_SENTENCE
from fake_slack import RESPONSE_URL_METHOD
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_requests import (
    event_request,
    find_button,
    message_shortcut,
    post,
    slash_command,
    user_message,
)

from bot import messages
from bot.listeners.quote_shortcut import CALLBACK_ID
from bot.render import ACTION_CITE, ACTION_CONTEXT

ROOT = Path(__file__).resolve().parents[1]
CLOSE_QUOTE = "About 600 North Korean soldiers have died fighting for Russia"
CITATION = (
    '"Around 600 North Korean soldiers have been killed and thousands more wounded fighting for Russia" '
    "(AFP, June 26, 2025)"
)


def reply_text(call) -> str:
    return call.block_text()


def test_slash_command_check_gives_close_with_differences_and_the_citation(bot):
    response = bot.send(slash_command(f'check "{CLOSE_QUOTE}"', bot.fake.response_url("check")))
    assert response.status == 200 and response.body == ""

    reply = bot.fake.wait_for(RESPONSE_URL_METHOD)[0]
    assert reply.params["response_type"] == "ephemeral"
    text = reply_text(reply)
    assert f"*Quote checked:* “{CLOSE_QUOTE}”" in text
    assert "*Close*" in text
    assert "`About` → `Around`" in text
    assert "`died` → `been killed and thousands more wounded`" in text
    assert ">Around *600* North Korean soldiers have been killed" in text
    assert "AFP · June 26, 2025" in text and "*first published*" in text
    assert find_button(reply.blocks(), ACTION_CITE)["value"] == CITATION
    assert reply.params["text"].startswith("Quote check: close.")
    assert bot.fake.calls_to("chat.postMessage") == []


def test_message_shortcut_checks_the_quote_in_a_message(bot):
    message = user_message(f"Lee told us “{NK_SENTENCE}” — can we run it?")
    response = bot.send(message_shortcut(CALLBACK_ID, message, bot.fake.response_url("shortcut")))
    assert response.status == 200 and response.body == ""

    reply = bot.fake.wait_for(RESPONSE_URL_METHOD)[0]
    assert reply.path.endswith("/shortcut")
    text = reply_text(reply)
    assert "*Exact*" in text
    assert "Differences" not in text
    assert find_button(reply.blocks(), ACTION_CITE)["value"] == f'"{NK_SENTENCE}" (AFP, June 26, 2025)'
    # "Show context" on the match opens the article around the sentence.
    assert find_button(reply.blocks(), ACTION_CONTEXT)


def test_message_shortcut_on_a_made_up_quote_says_not_found_plainly(bot):
    message = user_message("North Korea has built 40 hospitals in the Kursk region this spring, Lee said")
    bot.send(message_shortcut(CALLBACK_ID, message, bot.fake.response_url("shortcut")))

    reply = bot.fake.wait_for(RESPONSE_URL_METHOD)[0]
    text = reply_text(reply)
    assert "*Not found*" in text and "Do not cite it from the archive" in text
    assert "AFP" not in text
    assert not [b for b in reply.blocks() if b["type"] == "actions"]


def test_message_shortcut_over_http_acks_at_once(http_bot):
    bot, url = http_bot
    message = user_message(CLOSE_QUOTE)
    status, body, _ = post(url, message_shortcut(CALLBACK_ID, message, bot.fake.response_url()))
    assert (status, body) == (200, "")
    assert "*Close*" in reply_text(bot.fake.wait_for(RESPONSE_URL_METHOD)[0])


def test_a_message_without_enough_words_gets_told_what_to_send(bot):
    bot.send(message_shortcut(CALLBACK_ID, user_message("ok!"), bot.fake.response_url()))
    text = reply_text(bot.fake.wait_for(RESPONSE_URL_METHOD)[0])
    assert "A quote needs at least 3 words" in text


def test_slash_command_check_without_a_quote_explains_how(bot):
    bot.send(slash_command("check", bot.fake.response_url()))
    assert reply_text(bot.fake.wait_for(RESPONSE_URL_METHOD)[0]) == messages.QUOTE_EMPTY


def test_manifest_declares_the_message_shortcut(bot):
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    shortcuts = manifest["features"]["shortcuts"]
    assert shortcuts == [
        {
            "name": "Check against archive",
            "type": "message",
            "callback_id": CALLBACK_ID,
            "description": shortcuts[0]["description"],
        }
    ]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_app_home_says_how_to_check_a_quote(bot):
    bot.send(event_request({"type": "app_home_opened", "user": "U0000042", "channel": "D1", "tab": "home"}))
    view = bot.fake.wait_for("views.publish")[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert '`/newsdesk check "About 600 North Korean soldiers have died fighting for Russia"`' in text
    assert "*Check against archive*" in text
