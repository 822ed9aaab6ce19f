"""Maps each Slack trigger to one small listener module."""

from __future__ import annotations

from slack_bolt import App

from ..dedupe import skip_repeated_events
from ..services import Services
from . import actions, command, direct_message, feedback, home, mention, quote_shortcut


def register_listeners(app: App, services: Services) -> None:
    app.use(skip_repeated_events(services.recent_events))
    for module in (mention, direct_message, command, actions, feedback, home, quote_shortcut):
        module.register(app, services)
