"""Small helpers shared by the listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack


def acknowledge(ack: Ack) -> None:
    """Ack at once; the real work runs in a lazy listener after Slack has its response."""
    ack()


def is_question_event(event: dict[str, Any]) -> bool:
    """A message written by a person: no subtype (edit, delete, bot_message…), no bot, not an edit."""
    return not (event.get("subtype") or event.get("bot_id") or event.get("bot_profile") or "edited" in event)


def where(**context: Any) -> dict[str, Any]:
    """Context for log lines (never tokens)."""
    return {key: value for key, value in context.items() if value}
