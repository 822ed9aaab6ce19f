"""What the listeners share: settings, the answerer over the index, the feedback and asked stores."""

from __future__ import annotations

from dataclasses import dataclass

from index.config import Settings
from index.feedback import FeedbackStore

from .answering import Answerer
from .dedupe import RecentEvents
from .followups import FollowUps


@dataclass(frozen=True)
class Services:
    settings: Settings
    answerer: Answerer
    feedback: FeedbackStore
    recent_events: RecentEvents
    follow_ups: FollowUps

    def allows(self, channel: str | None, channel_type: str | None = None) -> bool:
        """Whether the bot answers in `channel`: everywhere unless an allowlist is set; DMs always."""
        allowed = self.settings.allowed_channels
        if not allowed or not channel or channel_type == "im" or channel.startswith("D"):
            return True
        return channel in allowed
