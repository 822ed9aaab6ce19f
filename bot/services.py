"""What the listeners share: settings, the answerer over the index, the feedback store."""

from __future__ import annotations

from dataclasses import dataclass

from index.config import Settings
from index.feedback import FeedbackStore

from .answering import Answerer
from .dedupe import RecentEvents


@dataclass(frozen=True)
class Services:
    settings: Settings
    answerer: Answerer
    feedback: FeedbackStore
    recent_events: RecentEvents

    def allows(self, channel: str | None, channel_type: str | None = None) -> bool:
        """Whether the bot answers in `channel`: everywhere unless an allowlist is set; DMs always."""
        allowed = self.settings.allowed_channels
        if not allowed or not channel or channel_type == "im" or channel.startswith("D"):
            return True
        return channel in allowed
