"""Socket Mode end to end: `run_socket_mode` against a fake apps.connections.open websocket."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_slack import RESPONSE_URL_METHOD, FakeSlack
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_requests import APP_TOKEN, BOT_TOKEN, CHANNEL, USER, event_request, mention
from websockets.sync.server import ServerConnection, serve

from bot import server
from bot.setup_checks import SlackSetupError
from index.config import Settings
from index.search import Searcher


class FakeSocket:
    """The websocket Slack hands out in Socket Mode: sends envelopes, collects the acks."""

    def __init__(self) -> None:
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self._connection: ServerConnection | None = None
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=test"

    def _handle(self, connection: ServerConnection) -> None:
        self._connection = connection
        connection.send(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        )
        self.connected.set()
        for message in connection:
            self.acks.put(json.loads(message))

    def send(self, envelope: dict[str, Any]) -> None:
        assert self._connection is not None
        self._connection.send(json.dumps(envelope))

    def ack_for(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ack = self.acks.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if ack.get("envelope_id") == envelope_id:
                return ack
        raise AssertionError(f"no ack for envelope {envelope_id}")

    def close(self) -> None:
        self._server.shutdown()


@pytest.fixture
def socket_bot(news_index, embedder, fake: FakeSlack, monkeypatch) -> Iterator[tuple[FakeSocket, FakeSlack]]:
    socket = FakeSocket()
    fake.websocket_url = socket.url
    settings = news_index.with_changes(
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake.api_url
    )
    monkeypatch.setattr(server, "load_searcher", lambda s: Searcher.open(s, embedder))
    stop = threading.Event()
    errors: list[BaseException] = []

    def serve_bot() -> None:
        try:
            server.run_socket_mode(settings, stop=stop)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    thread = threading.Thread(target=serve_bot, daemon=True)
    thread.start()
    assert socket.connected.wait(10), errors
    try:
        yield socket, fake
    finally:
        stop.set()
        thread.join(10)
        socket.close()
    assert not errors


def envelope(envelope_id: str, kind: str, payload: dict[str, Any], retry: int = 0) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
    }


def test_socket_mode_answers_mentions_once_even_when_redelivered_and_slash_commands(socket_bot):
    socket, fake = socket_bot
    event = mention("how many NK soldiers died?")
    payload = json.loads(event_request(event, event_id="Ev0SOCKET01").body)

    socket.send(envelope("env-1", "events_api", payload))
    assert socket.ack_for("env-1") == {"envelope_id": "env-1"}
    post = fake.wait_for("chat.postMessage")[0]
    assert post.params["channel"] == CHANNEL and post.params["thread_ts"] == event["ts"]
    assert ">Around *600* North Korean soldiers" in post.block_text()

    socket.send(envelope("env-2", "events_api", payload, retry=1))  # same event_id, new envelope
    socket.ack_for("env-2")
    fake.assert_quiet(0.5, "chat.postMessage")

    command = {
        "command": "/newsdesk",
        "text": "how many NK soldiers died?",
        "user_id": USER,
        "channel_id": CHANNEL,
        "team_id": "T0000001",
        "response_url": fake.response_url("socket"),
        "trigger_id": "1.2.3",
    }
    socket.send(envelope("env-3", "slash_commands", command))
    socket.ack_for("env-3")
    answer = fake.wait_for(RESPONSE_URL_METHOD)[0]
    assert "North Korean soldiers" in json.dumps(answer.params["blocks"])


def test_rejected_app_token_is_a_setup_error_naming_the_variable(news_index, fake, embedder, monkeypatch):
    fake.websocket_url = None  # apps.connections.open answers invalid_auth
    settings: Settings = news_index.with_changes(
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake.api_url
    )
    monkeypatch.setattr(server, "load_searcher", lambda s: Searcher.open(s, embedder))
    with pytest.raises(SlackSetupError, match="SLACK_APP_TOKEN.*invalid_auth.*Slack setup") as error:
        server.run_socket_mode(settings, stop=threading.Event())
    assert APP_TOKEN not in str(error.value)
