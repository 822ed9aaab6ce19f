"""Calls to Slack with retries where Slack asks for them, failures logged with context, and
the person concerned told by another route (ephemeral, then DM) when a reply cannot be posted.

Nothing here logs a token: only the method, the channel and Slack's error code.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from . import messages
from .render import Reply, escape, render_text

logger = logging.getLogger("newsdesk.bot")

TIMEOUT_SECONDS = 10
# 👀 while a question is being answered; ⚠️ once answering it failed. No ✅ on success: in a
# newsroom a check mark on a question reads as "verified".
REACTION_WORKING = "eyes"
REACTION_FAILED = "warning"


class GatewayErrorRetryHandler(ServerErrorRetryHandler):
    """Retries 500, 502, 503 and 504 (the built-in handler stops at 500 and 503)."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


def retry_handlers() -> list[RetryHandler]:
    """429 waits for Retry-After (twice at most); 5xx and dropped connections are retried once."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=2),
        GatewayErrorRetryHandler(max_retry_count=2),
    ]


def create_web_client(token: str | None, base_url: str) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers())


# What a Web API call raises: Slack's refusals, and the network's (URLError is an OSError).
SLACK_CALL_ERRORS = (SlackClientError, OSError)


def slack_error(error: Exception) -> str:
    """Slack's short error code (`channel_not_found`, `ratelimited`…) or the exception's class."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    return type(error).__name__


def send_message(
    client: WebClient, *, channel: str, reply: Reply, thread_ts: str | None = None
) -> str | None:
    """Post `reply` (in a thread if `thread_ts`): None once posted, else Slack's error code (logged)."""
    try:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=reply.text,
            blocks=reply.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return None
    except SLACK_CALL_ERRORS as error:
        code = slack_error(error)
        logger.error("chat.postMessage failed: channel=%s thread_ts=%s error=%s", channel, thread_ts, code)
        return code


def post_message(
    client: WebClient,
    *,
    channel: str,
    reply: Reply,
    thread_ts: str | None = None,
    user: str | None = None,
) -> bool:
    """Post `reply`; if Slack refuses, say so in the same place, else to `user` alone (see `tell_user`)."""
    code = send_message(client, channel=channel, reply=reply, thread_ts=thread_ts)
    if code is None:
        return True
    notice = render_text(messages.ERROR_POST_FAILED.format(error=escape(code)), failed=True)
    if send_message(client, channel=channel, reply=notice, thread_ts=thread_ts) is not None and user:
        tell_user(client, user=user, reply=notice, channel=channel, thread_ts=thread_ts)
    return False


def post_ephemeral(
    client: WebClient, *, channel: str, user: str, reply: Reply, thread_ts: str | None = None
) -> bool:
    """Show `reply` to `user` alone in `channel` (in the thread if `thread_ts`)."""
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=reply.text, blocks=reply.blocks, thread_ts=thread_ts
        )
        return True
    except SLACK_CALL_ERRORS as error:
        logger.error(
            "chat.postEphemeral failed: channel=%s user=%s error=%s", channel, user, slack_error(error)
        )
        return False


def send_dm(client: WebClient, *, user: str, reply: Reply) -> bool:
    """Write to `user` in the app's DM (its Messages tab): works where the bot is in no channel."""
    code = send_message(client, channel=user, reply=reply)
    return code is None


def tell_user(
    client: WebClient,
    *,
    user: str | None,
    reply: Reply,
    response_url: str | None = None,
    channel: str | None = None,
    thread_ts: str | None = None,
) -> bool:
    """Make sure `user` alone learns `reply`: through `response_url`, else ephemerally in
    `channel`, else in a DM. Every failed try is logged; False (and an error logged) if none worked.
    """
    if response_url and respond(response_url, reply, thread_ts=thread_ts):
        return True
    if (
        user
        and channel
        and post_ephemeral(client, channel=channel, user=user, reply=reply, thread_ts=thread_ts)
    ):
        return True
    if user and send_dm(client, user=user, reply=reply):
        return True
    logger.error("Could not reach user=%s by any route (channel=%s): %s", user, channel, reply.text[:200])
    return False


def add_reaction(client: WebClient, *, channel: str, ts: str, name: str) -> bool:
    """React to a message; failing to react is logged and never stops the answer."""
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=name)
        return True
    except SLACK_CALL_ERRORS as error:
        code = slack_error(error)
        if code == "already_reacted":
            return True
        logger.warning("reactions.add failed: channel=%s ts=%s name=%s error=%s", channel, ts, name, code)
        return False


def remove_reaction(client: WebClient, *, channel: str, ts: str, name: str) -> bool:
    """Take a reaction back; failing to is logged and never raised."""
    try:
        client.reactions_remove(channel=channel, timestamp=ts, name=name)
        return True
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "reactions.remove failed: channel=%s ts=%s name=%s error=%s",
            channel,
            ts,
            name,
            slack_error(error),
        )
        return False


def settle_reaction(client: WebClient, *, channel: str, ts: str, ok: bool) -> None:
    """The 👀 put on a question goes once it is answered; ⚠️ replaces it if the answer failed."""
    remove_reaction(client, channel=channel, ts=ts, name=REACTION_WORKING)
    if not ok:
        add_reaction(client, channel=channel, ts=ts, name=REACTION_FAILED)


def respond(
    response_url: str | None,
    reply: Reply | None = None,
    *,
    response_type: str = "ephemeral",
    replace_original: bool = False,
    delete_original: bool = False,
    thread_ts: str | None = None,
) -> bool:
    """Send to an interaction's `response_url` (ephemeral unless told otherwise)."""
    if not response_url:
        logger.error("No response_url to answer through (response_type=%s)", response_type)
        return False
    body: dict[str, Any] = {"response_type": response_type, "replace_original": replace_original}
    if delete_original:
        body = {"delete_original": True}
    if reply is not None:
        body.update(text=reply.text, blocks=reply.blocks, unfurl_links=False, unfurl_media=False)
    if thread_ts:
        body["thread_ts"] = thread_ts
    client = WebhookClient(url=response_url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers())
    try:
        response = client.send_dict(body)
    except (OSError, SlackClientError) as error:
        logger.error("response_url call failed: error=%s: %s", type(error).__name__, error)
        return False
    if response.status_code != 200:
        # response_url bodies are plain text such as "expired_url" or "invalid_blocks".
        logger.error(
            "response_url call failed: status=%s error=%s", response.status_code, response.body[:200]
        )
        return False
    return True
