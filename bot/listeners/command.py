"""`/newsdesk question`: an ephemeral answer that repeats the question, with "Share in channel".

`/newsdesk check "…"` checks a quote against the archive instead (bot/quote_checking.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from .. import messages
from ..quote_checking import check_quotes, check_subcommand
from ..render import render_text
from ..services import Services
from ..slack_io import tell_user
from .common import acknowledge, where

COMMAND = "/newsdesk"


def register(app: App, services: Services) -> None:
    def answer_command(command: dict[str, Any], client: WebClient) -> None:
        response_url, channel = command.get("response_url"), command.get("channel_id")
        user = command.get("user_id")
        if not services.allows(channel):
            notice = render_text(messages.ERROR_NOT_ALLOWED)
            tell_user(client, user=user, reply=notice, response_url=response_url)
            return
        quote = check_subcommand(command.get("text"))
        if quote is not None:
            reply = check_quotes(services.answerer.searcher, quote, where(channel=channel, user=user))
            tell_user(client, user=user, reply=reply, response_url=response_url, channel=channel)
            return
        question = services.answerer.parse(command.get("text"))
        reply = services.answerer.answer(
            question, echo=True, shareable=True, where=where(channel=channel, user=user)
        )
        tell_user(client, user=user, reply=reply, response_url=response_url, channel=channel)

    app.command(COMMAND)(ack=acknowledge, lazy=[answer_command])
