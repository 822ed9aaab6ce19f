"""Checks that the Slack credentials are present and shaped right, and that the index opens,
before anything starts.

Messages name the variable and where to find the value; they never include a token itself.
"""

from __future__ import annotations

import re

from index import integrity, versions
from index.config import Settings
from index.errors import NewsdeskError

SETUP_SECTION = 'the README section "Slack setup"'
_BOT_TOKEN = re.compile(r"xoxb-[A-Za-z0-9-]{10,}")
_APP_TOKEN = re.compile(r"xapp-[A-Za-z0-9-]{10,}")
_SECRET = re.compile(r"[A-Za-z0-9]{16,}")


class SlackSetupError(NewsdeskError):
    """The Slack app cannot start: a credential is missing, malformed or rejected by Slack."""


def _prefix(value: str) -> str:
    """Enough of a value to recognise its kind ("xoxp-"), never the secret part."""
    head = value.split("-", 1)[0]
    return head + "-" if "-" in value and len(head) <= 4 else "?"


def check_credentials(settings: Settings, *, http: bool) -> None:
    """Raise SlackSetupError for the first missing or malformed credential the mode needs."""
    token = settings.slack_bot_token
    if not token:
        raise SlackSetupError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from your app's "
            f"OAuth & Permissions page. See {SETUP_SECTION}."
        )
    if not _BOT_TOKEN.fullmatch(token):
        raise SlackSetupError(
            f"SLACK_BOT_TOKEN should start with xoxb- (this one starts with {_prefix(token)!r}): "
            "use the Bot User OAuth Token from OAuth & Permissions, not a user or app token. "
            f"See {SETUP_SECTION}."
        )
    if http:
        secret = settings.slack_signing_secret
        if not secret:
            raise SlackSetupError(
                "SLACK_SIGNING_SECRET is not set (HTTP mode needs it to verify requests): copy the "
                f"Signing Secret from your app's Basic Information page. See {SETUP_SECTION}."
            )
        if not _SECRET.fullmatch(secret) or secret.startswith(("xox", "xapp")):
            raise SlackSetupError(
                "SLACK_SIGNING_SECRET does not look like a signing secret (letters and digits "
                "only, no xoxb-/xapp- prefix): copy it from Basic Information > App Credentials. "
                f"See {SETUP_SECTION}."
            )
        return
    app_token = settings.slack_app_token
    if not app_token:
        raise SlackSetupError(
            "SLACK_APP_TOKEN is not set (Socket Mode needs it): create an app-level token with the "
            "connections:write scope under Basic Information > App-Level Tokens, or run "
            f"`newsdesk serve --http` with SLACK_SIGNING_SECRET. See {SETUP_SECTION}."
        )
    if not _APP_TOKEN.fullmatch(app_token):
        raise SlackSetupError(
            f"SLACK_APP_TOKEN should start with xapp- (this one starts with {_prefix(app_token)!r}): "
            f"use the app-level token from Basic Information > App-Level Tokens. See {SETUP_SECTION}."
        )


def check_index(settings: Settings) -> None:
    """Raise IndexMissingError or IndexDamagedError before connecting to Slack or loading the model.

    Cheap: build.json, the database's header and tables, a glance at the vectors file.
    """
    version = versions.require_current_version(settings.index_dir)
    integrity.glance(version)
    integrity.open_store(version).close()
