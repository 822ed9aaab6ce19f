"""The "Check against archive" message shortcut: checks the quote(s) in any message, privately."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from .. import messages
from ..quote_checking import check_quotes
from ..render import render_text
from ..services import Services
from ..slack_io import respond
from .common import acknowledge, where

# The shortcut's callback id, as declared in manifest.yml.
CALLBACK_ID = "newsdesk_check_quote"


def register(app: App, services: Services) -> None:
    def check_message(body: dict[str, Any]) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        url = body.get("response_url")
        if not services.allows(channel):
            respond(url, render_text(messages.ERROR_NOT_ALLOWED))
            return
        context = where(channel=channel, user=(body.get("user") or {}).get("id"))
        reply = check_quotes(services.answerer.searcher, message.get("text"), context)
        respond(url, reply, thread_ts=message.get("thread_ts"))

    app.shortcut(CALLBACK_ID)(ack=acknowledge, lazy=[check_message])
