"""The App Home tab: what is indexed and how to ask, published each time it is opened."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ..services import Services
from ..slack_io import SLACK_CALL_ERRORS, slack_error
from .common import acknowledge

logger = logging.getLogger("newsdesk.bot")


def register(app: App, services: Services) -> None:
    def publish_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        view = services.answerer.home_view()
        try:
            client.views_publish(user_id=event["user"], view=view)
        except SLACK_CALL_ERRORS as error:
            logger.error("views.publish failed: user=%s error=%s", event.get("user"), slack_error(error))

    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])
