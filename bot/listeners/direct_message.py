"""A question written to the bot in a DM: answered there, no mention needed."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ..services import Services
from ..slack_io import add_reaction, post_message
from .common import acknowledge, is_question_event, where


def register(app: App, services: Services) -> None:
    def answer_direct_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        # Every message event is acked (so Slack never retries it) but only DMs are answered.
        if event.get("channel_type") != "im" or not is_question_event(event):
            return
        channel = event["channel"]
        question = services.answerer.parse(event.get("text"), context.bot_user_id)
        if not question.is_help:
            add_reaction(client, channel=channel, ts=event["ts"], name="eyes")
        reply = services.answerer.answer(question, where=where(channel=channel, user=event.get("user")))
        post_message(client, channel=channel, thread_ts=event.get("thread_ts"), reply=reply)

    app.event("message")(ack=acknowledge, lazy=[answer_direct_message])
