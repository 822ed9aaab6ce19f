"""`@newsdesk question` in a channel: react 👀 at once, answer in the thread (follow-ups there too)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from .. import messages
from ..render import render_text
from ..services import Services
from ..slack_io import REACTION_WORKING, add_reaction, post_message, settle_reaction, tell_user
from .common import acknowledge, has_files, is_question_event, where


def register(app: App, services: Services) -> None:
    def answer_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if not is_question_event(event):
            return
        channel, user, ts = event["channel"], event.get("user", ""), event["ts"]
        if not services.allows(channel, event.get("channel_type")):
            notice = render_text(messages.ERROR_NOT_ALLOWED)
            tell_user(client, user=user, reply=notice, channel=channel, thread_ts=event.get("thread_ts"))
            return
        thread_ts = event.get("thread_ts") or ts
        question = services.answerer.parse(event.get("text"), context.bot_user_id, has_files=has_files(event))
        reacted = not question.is_help and add_reaction(client, channel=channel, ts=ts, name=REACTION_WORKING)
        # In a thread newsdesk already answered, the question may follow up the last one there.
        reading = services.follow_ups.read(
            question, channel=channel, user=user, thread_ts=event.get("thread_ts"), direct=False
        )
        reply = services.answerer.answer(question, reading=reading, where=where(channel=channel, user=user))
        if not question.is_help:
            services.follow_ups.remember(reading, channel=channel, user=user, thread_ts=thread_ts)
        posted = post_message(client, channel=channel, thread_ts=thread_ts, reply=reply, user=user)
        if reacted:
            settle_reaction(client, channel=channel, ts=ts, ok=posted and not reply.failed)

    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
