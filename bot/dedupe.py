"""Slack redelivers events (HTTP retries, Socket Mode reconnects): answer each event_id once."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

logger = logging.getLogger("newsdesk.bot")


class RecentEvents:
    """A bounded, thread-safe set of the event ids seen last (least recently seen dropped first)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is offered, False for every repeat still remembered."""
        with self._lock:
            if event_id in self._seen:
                self._seen.move_to_end(event_id)
                return False
            self._seen[event_id] = None
            if len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True


def skip_repeated_events(recent: RecentEvents) -> Callable[..., BoltResponse]:
    """Global middleware: ack a repeated event without running any listener.

    A retry whose first delivery never reached us (its event_id unseen) is answered as usual.
    """

    def skip_repeats(
        body: dict[str, Any], req: BoltRequest, resp: BoltResponse, next: Callable[[], None]
    ) -> BoltResponse:
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id and not recent.first_time(event_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            logger.info("Skipped repeated delivery of event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        next()
        return resp

    return skip_repeats
