"""HTTP mode over a real socket: the WSGI app on 127.0.0.1, hit as Slack hits it."""

from __future__ import annotations

import json
import time
import urllib.request

from fake_slack import RESPONSE_URL_METHOD
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_requests import (
    SlackRequest,
    block_action,
    event_request,
    find_button,
    mention,
    post,
    sign,
    slash_command,
)

from bot.render import ACTION_CONTEXT

QUESTION = "how many NK soldiers died?"
ACK_BUDGET_SECONDS = 1.0  # Slack allows 3 s


def slow_search(bot, monkeypatch, seconds: float = 1.5) -> None:
    real = bot.searcher.search

    def search(question, **kwargs):
        time.sleep(seconds)
        return real(question, **kwargs)

    monkeypatch.setattr(bot.searcher, "search", search)


def test_event_is_acked_long_before_a_slow_search_finishes(http_bot, monkeypatch):
    bot, url = http_bot
    slow_search(bot, monkeypatch)
    started = time.perf_counter()
    status, _, ack_seconds = post(url, event_request(mention(QUESTION)))
    assert status == 200
    assert ack_seconds < ACK_BUDGET_SECONDS
    post_call = bot.fake.wait_for("chat.postMessage")[0]
    assert "North Korean soldiers" in post_call.block_text()
    assert time.perf_counter() - started >= 1.5  # the answer came after the ack


def test_slash_command_and_button_are_acked_fast(http_bot, monkeypatch):
    bot, url = http_bot
    slow_search(bot, monkeypatch, 1.0)
    status, body, ack_seconds = post(url, slash_command(QUESTION, bot.fake.response_url()))
    assert (status, body) == (200, "")
    assert ack_seconds < ACK_BUDGET_SECONDS
    answer = bot.fake.wait_for(RESPONSE_URL_METHOD)[0]

    button = find_button(answer.params["blocks"], ACTION_CONTEXT)
    status, _, ack_seconds = post(url, block_action(button, bot.fake.response_url(), ephemeral=True))
    assert status == 200 and ack_seconds < ACK_BUDGET_SECONDS
    assert "Pyongyang" in str(bot.fake.wait_for(RESPONSE_URL_METHOD, 2)[1].params["blocks"])


def test_warm_ack_latency_over_http(http_bot):
    bot, url = http_bot
    latencies = []
    for _ in range(5):
        status, _, seconds = post(url, event_request(mention(QUESTION)))
        assert status == 200
        latencies.append(seconds)
    bot.fake.wait_for("chat.postMessage", 5)
    assert max(latencies) < ACK_BUDGET_SECONDS, latencies


def test_bad_signature_over_http_is_401_and_does_nothing(http_bot):
    bot, url = http_bot
    before = len(bot.fake.calls)
    status, _, _ = post(url, event_request(mention(QUESTION), secret="f" * 32))
    assert status == 401
    stale = event_request(mention(QUESTION), timestamp=int(time.time()) - 10 * 60)
    assert post(url, stale)[0] == 401
    bot.fake.assert_quiet(0.3)
    assert len(bot.fake.calls) == before


def test_retries_with_x_slack_retry_num_get_no_second_answer(http_bot):
    bot, url = http_bot
    event = mention(QUESTION)
    assert post(url, event_request(event, event_id="Ev0HTTP0001"))[0] == 200
    for retry in (1, 2, 3):
        assert post(url, event_request(event, event_id="Ev0HTTP0001", retry=retry))[0] == 200
    bot.fake.wait_for("chat.postMessage")
    bot.fake.assert_quiet(0.4, "chat.postMessage")


def test_url_verification_and_health_check(http_bot):
    _, url = http_bot
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "t", "challenge": challenge, "type": "url_verification"})
    status, answer, _ = post(url, SlackRequest(body, {"Content-Type": "application/json", **sign(body)}))
    assert status == 200 and challenge in answer
    health = url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(health, timeout=5) as response:
        assert response.status == 200
