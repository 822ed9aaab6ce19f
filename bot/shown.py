"""The answers shown privately, kept so "Share in channel" posts exactly what the reporter saw.

A shared answer is never searched again: after a rebuild a new search could differ from what
was reviewed, and a failed one would post an error to the whole channel. A few kilobytes each,
kept in memory; after a restart (or once evicted) a Share click is answered, privately, with
"ask again". Slack's 2,000-character limit on button values rules out carrying the answer itself.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from index.records import Answer

# Ephemeral answers vanish when Slack is reloaded; a day of a busy newsroom's private answers fits.
DEFAULT_SIZE = 2000


@dataclass(frozen=True)
class Shown:
    """One page of an answer as it was shown: the results, its offset and the notes above it."""

    answer: Answer
    offset: int
    notes: tuple[str, ...]


class ShownAnswers:
    """A bounded, thread-safe map from a random key to a `Shown` (oldest dropped first)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._kept: OrderedDict[str, Shown] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, shown: Shown) -> str:
        """Keep `shown`; the key to fetch it with (short enough for a button value)."""
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._kept[key] = shown
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return key

    def get(self, key: str) -> Shown | None:
        with self._lock:
            return self._kept.get(key)
