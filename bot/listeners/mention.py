"""`@newsdesk question` in a channel: react 👀 at once, answer in the thread (follow-ups there too)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from .. import messages
from ..render import render_text
from ..services import Services
from ..slack_io import add_reaction, post_ephemeral, post_message
from .common import acknowledge, is_question_event, where


def register(app: App, services: Services) -> None:
    def answer_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if not is_question_event(event):
            return
        channel, user = event["channel"], event.get("user", "")
        if not services.allows(channel, event.get("channel_type")):
            post_ephemeral(client, channel=channel, user=user, reply=render_text(messages.ERROR_NOT_ALLOWED))
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        question = services.answerer.parse(event.get("text"), context.bot_user_id)
        if not question.is_help:
            add_reaction(client, channel=channel, ts=event["ts"], name="eyes")
        # In a thread newsdesk already answered, the question may follow up the last one there.
        reading = services.follow_ups.read(
            question, channel=channel, user=user, thread_ts=event.get("thread_ts"), direct=False
        )
        reply = services.answerer.answer(question, reading=reading, where=where(channel=channel, user=user))
        if not question.is_help:
            services.follow_ups.remember(reading, channel=channel, user=user, thread_ts=thread_ts)
        post_message(client, channel=channel, thread_ts=thread_ts, reply=reply)

    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
