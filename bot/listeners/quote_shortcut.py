"""The "Check against archive" message shortcut: checks the quote(s) in any message, privately."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from .. import messages
from ..quote_checking import check_quotes
from ..render import render_text
from ..services import Services
from ..slack_io import tell_user
from .common import acknowledge, where

# The shortcut's callback id, as declared in manifest.yml.
CALLBACK_ID = "newsdesk_check_quote"


def register(app: App, services: Services) -> None:
    def check_message(body: dict[str, Any], client: WebClient) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        url = body.get("response_url")
        if not services.allows(channel):
            tell_user(client, user=user, reply=render_text(messages.ERROR_NOT_ALLOWED), response_url=url)
            return
        reply = check_quotes(
            services.answerer.searcher, message.get("text"), where(channel=channel, user=user)
        )
        tell_user(
            client,
            user=user,
            reply=reply,
            response_url=url,
            channel=channel,
            thread_ts=message.get("thread_ts"),
        )

    app.shortcut(CALLBACK_ID)(ack=acknowledge, lazy=[check_message])
