"""Calls to Slack with retries where Slack asks for them, and failures logged with context.

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
from .render import Reply, escape

logger = logging.getLogger("newsdesk.bot")

TIMEOUT_SECONDS = 10


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


def slack_error(error: SlackClientError) -> str:
    """Slack's short error code (`channel_not_found`, `ratelimited`…) or the exception's class."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    return type(error).__name__


def post_message(client: WebClient, *, channel: str, reply: Reply, thread_ts: str | None = None) -> bool:
    """Post `reply` (in a thread if `thread_ts`); if Slack refuses, try to say so instead."""
    try:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=reply.text,
            blocks=reply.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return True
    except SlackClientError as error:
        code = slack_error(error)
        logger.error("chat.postMessage failed: channel=%s thread_ts=%s error=%s", channel, thread_ts, code)
    notice = messages.ERROR_POST_FAILED.format(error=escape(code))
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=notice)
    except SlackClientError as error:
        logger.error(
            "chat.postMessage (error notice) failed: channel=%s error=%s", channel, slack_error(error)
        )
    return False


def post_ephemeral(client: WebClient, *, channel: str, user: str, reply: Reply) -> bool:
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=reply.text, blocks=reply.blocks)
        return True
    except SlackClientError as error:
        logger.error(
            "chat.postEphemeral failed: channel=%s user=%s error=%s", channel, user, slack_error(error)
        )
        return False


def add_reaction(client: WebClient, *, channel: str, ts: str, name: str) -> None:
    """React to a message; failing to react never stops the answer."""
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=name)
    except SlackClientError as error:
        if slack_error(error) != "already_reacted":
            logger.warning("reactions.add failed: channel=%s error=%s", channel, slack_error(error))


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
