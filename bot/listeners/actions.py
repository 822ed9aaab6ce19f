"""Buttons on an answer: "Show context", "Cite", "More results", "Share in channel".

Whatever fails, the person who clicked is told (response_url, else ephemeral, else a DM);
nothing about a failed click is ever posted for the whole channel.
"""

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
    Reply,
    decode_value,
    escape,
    render_citation,
    render_text,
    with_note,
)
from ..services import Services
from ..slack_io import respond, send_message, tell_user
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


def tell_clicker(client: WebClient, body: dict[str, Any], reply: Reply) -> bool:
    """`reply` for the person who clicked alone, in the clicked message's thread if any."""
    return tell_user(
        client,
        user=(body.get("user") or {}).get("id"),
        reply=reply,
        response_url=body.get("response_url"),
        channel=(body.get("channel") or {}).get("id"),
        thread_ts=clicked_thread(body),
    )


def register(app: App, services: Services) -> None:
    answerer = services.answerer

    def show_context(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        data = decode_value(action.get("value"))
        sentence_id = data.get("id")
        if not isinstance(sentence_id, int):
            reply = render_text(messages.CONTEXT_GONE)
        else:
            reply = answerer.context(sentence_id, str(data.get("t", "")), where=log_context(body))
        tell_clicker(client, body, reply)

    def cite(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        tell_clicker(client, body, render_citation(action.get("value") or ""))

    def more_results(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        question, offset = page_of(decode_value(action.get("value")))
        ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
        reply = answerer.answer(question, offset=offset, shareable=ephemeral, where=log_context(body))
        message = body.get("message")
        channel = (body.get("channel") or {}).get("id")
        if ephemeral or not message or not channel:
            tell_clicker(client, body, reply)
            return
        thread_ts = message.get("thread_ts") or message["ts"]
        code = send_message(client, channel=channel, thread_ts=thread_ts, reply=reply)
        if code is not None:
            # Typically a shared answer in a channel the bot is not in (not_in_channel): the
            # results still reach the person who asked for them, with why and what to do.
            tell_clicker(client, body, with_note(reply, messages.MORE_NOT_POSTED.format(error=escape(code))))

    def share(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Post the answer exactly as it was shown (never searched again); errors go to the clicker."""
        user = (body.get("user") or {}).get("id")
        url = body.get("response_url")
        reply = answerer.shared(str(decode_value(action.get("value")).get("k", "")), user)
        if reply is None:
            tell_clicker(client, body, render_text(messages.SHARE_EXPIRED))
        elif respond(url, reply, response_type="in_channel"):
            respond(url, delete_original=True)
        else:
            notice = render_text(messages.ERROR_SHARE_FAILED.format(error="response_url"), failed=True)
            tell_clicker(client, body, notice)

    app.action(ACTION_CONTEXT)(ack=acknowledge, lazy=[show_context])
    app.action(ACTION_CITE)(ack=acknowledge, lazy=[cite])
    app.action(ACTION_MORE)(ack=acknowledge, lazy=[more_results])
    app.action(ACTION_SHARE)(ack=acknowledge, lazy=[share])
