"""Requests as Slack sends them: payload shapes from Slack's docs, signed with v0 HMAC-SHA256.

Events API: JSON `event_callback` envelopes. Slash commands and interactions: form-encoded
(`payload=` JSON for block_actions). Signature: `v0=` + HMAC-SHA256(secret, `v0:{ts}:{body}`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fake_slack import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234567890-0987654321-TESTTOKENabcdefghijklmno"
APP_TOKEN = "xapp-1-A0000001-1234567890-TESTAPPTOKENabcdef"
API_APP_ID = "A0000001"
CHANNEL = "C0000001"
DM_CHANNEL = "D0000001"
USER = "U0000042"

_sequence = itertools.count(1)


@dataclass(frozen=True)
class SlackRequest:
    body: str
    headers: dict[str, str]


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def next_ts() -> str:
    return f"{1710000000 + next(_sequence)}.{next(_sequence):06d}"


def event_request(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    retry: int | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """An Events API `event_callback` delivery (optionally a retry with X-Slack-Retry-Num)."""
    envelope = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_sequence):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
        ],
    }
    body = json.dumps(envelope)
    headers = {"Content-Type": "application/json", **sign(body, secret, timestamp)}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return SlackRequest(body, headers)


def mention(
    text: str, *, channel: str = CHANNEL, user: str = USER, thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}".rstrip(),
        "ts": next_ts(),
        "channel": channel,
        "event_ts": next_ts(),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def direct_message(text: str, *, channel: str = DM_CHANNEL, user: str = USER, **extra: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": next_ts(),
        "event_ts": next_ts(),
        "channel_type": "im",
    }
    event.update(extra)
    return event


def slash_command(
    text: str, response_url: str, *, channel: str = CHANNEL, user: str = USER, secret: str = SIGNING_SECRET
) -> SlackRequest:
    form = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "newsroom",
        "channel_id": channel,
        "channel_name": "newsdesk-test",
        "user_id": user,
        "user_name": "reporter",
        "command": "/newsdesk",
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{next(_sequence)}.{next(_sequence)}.abcdef",
    }
    body = urlencode(form)
    return SlackRequest(body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret)})


def block_action(
    action: dict[str, Any],
    response_url: str,
    *,
    channel: str = CHANNEL,
    user: str = USER,
    message_ts: str | None = None,
    thread_ts: str | None = None,
    ephemeral: bool = False,
    secret: str = SIGNING_SECRET,
) -> SlackRequest:
    """A `block_actions` payload for a click on `action` (a button element from our blocks)."""
    message_ts = message_ts or next_ts()
    container = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    clicked = {
        "action_id": action["action_id"],
        "block_id": action.get("block_id", "b1"),
        "text": action.get("text", {"type": "plain_text", "text": "button"}),
        "value": action.get("value", ""),
        "type": "button",
        "action_ts": next_ts(),
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "reporter", "name": "reporter", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": f"{next(_sequence)}.{next(_sequence)}.abcdef",
        "team": {"id": TEAM_ID, "domain": "newsroom"},
        "channel": {"id": channel, "name": "newsdesk-test"},
        "response_url": response_url,
        "actions": [clicked],
    }
    if not ephemeral:
        message: dict[str, Any] = {
            "type": "message",
            "ts": message_ts,
            "bot_id": "BBOT0001",
            "text": "answer",
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
            container["thread_ts"] = thread_ts
        payload["message"] = message
    body = urlencode({"payload": json.dumps(payload)})
    return SlackRequest(body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret)})


def post(url: str, request: SlackRequest, timeout: float = 10.0) -> tuple[int, str, float]:
    """POST over real HTTP; returns (status, body, seconds until the response arrived)."""
    data = request.body.encode("utf-8")
    req = urllib.request.Request(url, data=data, headers=request.headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.perf_counter() - started


def find_button(blocks: list[dict[str, Any]], action_id: str, index: int = 0) -> dict[str, Any]:
    """The `index`-th button with `action_id` in `blocks`."""
    buttons = [
        element
        for block in blocks
        if block.get("type") == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]
    assert len(buttons) > index, f"no button {action_id!r} #{index} in {blocks}"
    return buttons[index]


def message_shortcut(
    callback_id: str,
    message: dict[str, Any],
    response_url: str,
    *,
    channel: str = CHANNEL,
    user: str = USER,
    secret: str = SIGNING_SECRET,
) -> SlackRequest:
    """A `message_action` payload: a message shortcut chosen from a message's ⋮ menu."""
    payload = {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": next_ts(),
        "team": {"id": TEAM_ID, "domain": "newsroom"},
        "user": {"id": user, "username": "reporter", "name": "reporter", "team_id": TEAM_ID},
        "channel": {"id": channel, "name": "newsdesk-test"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": f"{next(_sequence)}.{next(_sequence)}.abcdef",
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }
    body = urlencode({"payload": json.dumps(payload)})
    return SlackRequest(body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret)})


def user_message(text: str, *, user: str = "U0000777", thread_ts: str | None = None) -> dict[str, Any]:
    """A message as a shortcut payload carries it."""
    message = {"type": "message", "user": user, "text": text, "ts": next_ts(), "team": TEAM_ID}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return message
