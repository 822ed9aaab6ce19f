"""A question written to the bot in a DM: answered there, no mention needed."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ..services import Services
from ..slack_io import REACTION_WORKING, add_reaction, post_message, settle_reaction
from .common import acknowledge, has_files, is_question_event, where


def register(app: App, services: Services) -> None:
    def answer_direct_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        # Every message event is acked (so Slack never retries it) but only DMs are answered.
        if event.get("channel_type") != "im" or not is_question_event(event):
            return
        channel, user, ts, thread_ts = (
            event["channel"],
            event.get("user"),
            event["ts"],
            event.get("thread_ts"),
        )
        question = services.answerer.parse(event.get("text"), context.bot_user_id, has_files=has_files(event))
        reacted = not question.is_help and add_reaction(client, channel=channel, ts=ts, name=REACTION_WORKING)
        # A question soon after the user's last one may follow it up.
        reading = services.follow_ups.read(
            question, channel=channel, user=user, thread_ts=thread_ts, direct=True
        )
        reply = services.answerer.answer(question, reading=reading, where=where(channel=channel, user=user))
        if not question.is_help:
            services.follow_ups.remember(reading, channel=channel, user=user, thread_ts=thread_ts)
        posted = post_message(client, channel=channel, thread_ts=thread_ts, reply=reply, user=user)
        if reacted:
            settle_reaction(client, channel=channel, ts=ts, ok=posted and not reply.failed)

    app.event("message")(ack=acknowledge, lazy=[answer_direct_message])
