"""The HTTP-mode WSGI application: events, commands and interactions all at /slack/events.

Run by `newsdesk serve --http` (gunicorn, embedded), or directly as the Procfile's alternative
(`--preload` builds the app, model included, before gunicorn listens; Slack waits 3 s at most):
    gunicorn --preload --workers 1 --threads 8 --timeout 120 --bind 0.0.0.0:$PORT \
        'bot.wsgi:create_application()'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from index.config import Settings
from index.errors import NewsdeskError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def slack_wsgi(app: App) -> WSGIApplication:
    """Bolt's WSGI adapter at /slack/events, plus GET /healthz for load balancers."""
    handler = SlackRequestHandler(app, path=SLACK_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return handler(environ, start_response)

    return application


def create_application(settings: Settings | None = None) -> WSGIApplication:
    """Settings from the environment, model warmed, index opened: the WSGI app for one worker.

    Setup problems are raised as gunicorn's AppImportError, which gunicorn prints as one line
    (no traceback) before it stops.
    """
    from gunicorn.errors import AppImportError

    from .server import build_app, configure_logging

    configure_logging()
    try:
        settings = settings or Settings.from_env()
        return slack_wsgi(build_app(settings, http=True))
    except NewsdeskError as error:
        raise AppImportError(f"Error: {error}") from None
