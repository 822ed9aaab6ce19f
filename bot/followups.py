"""Follow-ups: the earlier question of a thread (or of a DM, within a few minutes), and remembering answers.

The rule that reads a question as a follow-up is `index.followup`; this module only finds the
earlier question in the `asked` table and records each answered one. A failure of the table
never stops an answer: the question is then read on its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

from index import followup
from index.asked import Asked, AskedStore
from index.config import Settings

from .question import Question

logger = logging.getLogger("newsdesk.bot")


class FollowUps:
    def __init__(self, settings: Settings, asked: AskedStore) -> None:
        self.asked = asked
        self.window = dt.timedelta(minutes=settings.follow_up_minutes)

    def read(
        self, question: Question, *, channel: str, user: str | None, thread_ts: str | None, direct: bool
    ) -> followup.Reading:
        """`question` read after the last one answered in its thread, or (in a DM) the user's last one."""
        if question.is_help:
            return followup.on_its_own(question.text)
        earlier = self._earlier(channel=channel, user=user, thread_ts=thread_ts, direct=direct)
        if earlier is None:
            return followup.on_its_own(question.text)
        return followup.read(question.text, earlier.question, earlier.searched)

    def remember(
        self, reading: followup.Reading, *, channel: str, user: str | None, thread_ts: str | None
    ) -> None:
        """Record a question answered (before its reply is posted, so a quick follow-up finds it)."""
        try:
            self.asked.record(
                channel=channel,
                thread_ts=thread_ts,
                user=user,
                question=reading.question,
                searched=reading.text,
            )
        except (sqlite3.Error, OSError):
            logger.exception("Remembering the question failed: channel=%s thread_ts=%s", channel, thread_ts)

    def _earlier(
        self, *, channel: str, user: str | None, thread_ts: str | None, direct: bool
    ) -> Asked | None:
        try:
            if thread_ts:
                found = self.asked.last_in_thread(channel, thread_ts)
                if found is not None:
                    return found
            if direct and user:
                return self.asked.last_by(channel, user, self.window)
        except (sqlite3.Error, OSError):
            logger.exception("Reading earlier questions failed: channel=%s thread_ts=%s", channel, thread_ts)
        return None
