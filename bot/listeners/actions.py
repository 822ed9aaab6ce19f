"""Buttons on an answer: "Show context", "Cite", "More results", "Share in channel"."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from .. import messages
from ..question import Question
from ..render import (
    ACTION_CITE,
    ACTION_CONTEXT,
    ACTION_MORE,
    ACTION_SHARE,
    decode_value,
    render_citation,
    render_text,
)
from ..services import Services
from ..slack_io import post_message, respond
from .common import acknowledge, where


def clicked_thread(body: dict[str, Any]) -> str | None:
    """The thread the clicked message is in, if any."""
    message = body.get("message") or {}
    return message.get("thread_ts") or (body.get("container") or {}).get("thread_ts")


def page_of(data: dict[str, Any]) -> tuple[Question, int]:
    """The question and offset a "More results" or "Share" button carries."""
    text = str(data.get("q", ""))
    offset = data.get("o")
    return Question(text=text, original_length=len(text)), offset if isinstance(
        offset, int
    ) and offset > 0 else 0


def log_context(body: dict[str, Any]) -> dict[str, Any]:
    return where(channel=(body.get("channel") or {}).get("id"), user=(body.get("user") or {}).get("id"))


def register(app: App, services: Services) -> None:
    answerer = services.answerer

    def show_context(body: dict[str, Any], action: dict[str, Any]) -> None:
        data = decode_value(action.get("value"))
        sentence_id = data.get("id")
        if not isinstance(sentence_id, int):
            reply = render_text(messages.CONTEXT_GONE)
        else:
            reply = answerer.context(sentence_id, str(data.get("t", "")), where=log_context(body))
        respond(body.get("response_url"), reply, thread_ts=clicked_thread(body))

    def cite(body: dict[str, Any], action: dict[str, Any]) -> None:
        reply = render_citation(action.get("value") or "")
        respond(body.get("response_url"), reply, thread_ts=clicked_thread(body))

    def more_results(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        question, offset = page_of(decode_value(action.get("value")))
        ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
        reply = answerer.answer(question, offset=offset, shareable=ephemeral, where=log_context(body))
        message = body.get("message")
        channel = (body.get("channel") or {}).get("id")
        if ephemeral or not message or not channel:
            respond(body.get("response_url"), reply, thread_ts=clicked_thread(body))
        else:
            post_message(
                client, channel=channel, thread_ts=message.get("thread_ts") or message["ts"], reply=reply
            )

    def share(body: dict[str, Any], action: dict[str, Any]) -> None:
        question, offset = page_of(decode_value(action.get("value")))
        user = (body.get("user") or {}).get("id")
        reply = answerer.answer(question, offset=offset, shared_by=user, where=log_context(body))
        url = body.get("response_url")
        if respond(url, reply, response_type="in_channel"):
            respond(url, delete_original=True)
        else:
            respond(url, render_text(messages.ERROR_POST_FAILED.format(error="response_url")))

    app.action(ACTION_CONTEXT)(ack=acknowledge, lazy=[show_context])
    app.action(ACTION_CITE)(ack=acknowledge, lazy=[cite])
    app.action(ACTION_MORE)(ack=acknowledge, lazy=[more_results])
    app.action(ACTION_SHARE)(ack=acknowledge, lazy=[share])
