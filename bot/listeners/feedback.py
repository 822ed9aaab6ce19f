"""👍 / 👎 on an answer: stored with the question and the results shown, for evaluation."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from index.errors import NewsdeskError

from .. import messages
from ..render import ACTION_VOTE_DOWN, ACTION_VOTE_UP, decode_value, render_text
from ..services import Services
from .actions import log_context, tell_clicker
from .common import acknowledge

logger = logging.getLogger("newsdesk.bot")
MAX_RESULTS_STORED = 50


def register(app: App, services: Services) -> None:
    def record_vote(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        data = decode_value(action.get("value"))
        vote = "up" if action.get("action_id") == ACTION_VOTE_UP else "down"
        ids = [i for i in data.get("ids") or [] if isinstance(i, int)][:MAX_RESULTS_STORED]
        results = []
        for rank, sentence_id in enumerate(ids, start=1 + int(data.get("o", 0) or 0)):
            found = services.answerer.lookup(sentence_id)
            result: dict[str, Any] = {"rank": rank, "sentence_id": sentence_id}
            if found is not None:
                result.update(
                    text=found.sentence,
                    source=found.source,
                    date=found.date.isoformat() if found.date else None,
                    title=found.title,
                    url=found.url,
                )
            results.append(result)
        try:
            services.feedback.record(
                question=str(data.get("q", "")),
                vote=vote,
                results=results,
                user=(body.get("user") or {}).get("id"),
                channel=(body.get("channel") or {}).get("id"),
            )
        except (sqlite3.Error, OSError, NewsdeskError):
            logger.exception("Storing feedback failed (%s)", log_context(body))
            tell_clicker(client, body, render_text(messages.ERROR_GENERIC, failed=True))
            return
        thanks = messages.FEEDBACK_THANKS.format(
            vote=messages.BUTTON_UP if vote == "up" else messages.BUTTON_DOWN
        )
        tell_clicker(client, body, render_text(thanks))

    for action_id in (ACTION_VOTE_UP, ACTION_VOTE_DOWN):
        app.action(action_id)(ack=acknowledge, lazy=[record_vote])
