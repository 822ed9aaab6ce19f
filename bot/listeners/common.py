"""Small helpers shared by the listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack


def acknowledge(ack: Ack) -> None:
    """Ack at once; the real work runs in a lazy listener after Slack has its response."""
    ack()


# A person's message with files attached: its text is still a question.
QUESTION_SUBTYPES = frozenset({None, "file_share"})


def is_question_event(event: dict[str, Any]) -> bool:
    """A message written by a person: no other subtype (edit, delete, bot_message…), no bot, not an edit."""
    return event.get("subtype") in QUESTION_SUBTYPES and not (
        event.get("bot_id") or event.get("bot_profile") or "edited" in event
    )


def has_files(event: dict[str, Any]) -> bool:
    return bool(event.get("files")) or event.get("subtype") == "file_share"


def where(**context: Any) -> dict[str, Any]:
    """Context for log lines (never tokens)."""
    return {key: value for key, value in context.items() if value}
