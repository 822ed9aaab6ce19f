"""`/newsdesk question`: an ephemeral answer that repeats the question, with "Share in channel"."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from .. import messages
from ..render import render_text
from ..services import Services
from ..slack_io import respond
from .common import acknowledge, where

COMMAND = "/newsdesk"


def register(app: App, services: Services) -> None:
    def answer_command(command: dict[str, Any]) -> None:
        response_url, channel = command.get("response_url"), command.get("channel_id")
        if not services.allows(channel):
            respond(response_url, render_text(messages.ERROR_NOT_ALLOWED))
            return
        question = services.answerer.parse(command.get("text"))
        reply = services.answerer.answer(
            question, echo=True, shareable=True, where=where(channel=channel, user=command.get("user_id"))
        )
        respond(response_url, reply)

    app.command(COMMAND)(ack=acknowledge, lazy=[answer_command])
