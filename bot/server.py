"""`newsdesk serve`: Socket Mode by default, or HTTP mode behind gunicorn.

`run(settings, http=..., port=...)` raises NewsdeskError (SlackSetupError, IndexMissingError…)
for anything the user must fix; the CLI prints it as one line.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from index.config import Settings

from .app import create_app
from .setup_checks import SETUP_SECTION, SlackSetupError, check_credentials
from .slack_io import create_web_client, slack_error

if TYPE_CHECKING:
    from index.search import Searcher

logger = logging.getLogger("newsdesk.bot")

# One worker keeps one model in memory and one event-id memory for retries; threads give the
# concurrency (the model releases the GIL while it encodes).
HTTP_WORKERS = 1
HTTP_THREADS = 8
# The model is loaded before gunicorn starts, so a worker answers from its first heartbeat.
HTTP_TIMEOUT_SECONDS = 120
# Searched once at start-up so the first reporter's question finds model, vectors and database warm.
WARM_UP_QUESTION = "What did officials say?"


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # bolt warns that SLACK_BOT_TOKEN (from the environment) is unused when a client is given;
    # the client carries that very token, so the warning only misleads.
    logging.getLogger("slack_bolt.App").addFilter(
        lambda record: "`token` will be unused" not in record.getMessage()
    )


def verify_bot_token(client: WebClient, settings: Settings) -> dict[str, Any]:
    """Ask Slack who the bot token belongs to; a rejected token or no network is a setup error."""
    try:
        return dict(client.auth_test().data)  # type: ignore[arg-type]
    except SlackApiError as error:
        raise SlackSetupError(
            f"Slack rejected SLACK_BOT_TOKEN ({slack_error(error)}): copy the current Bot User "
            f"OAuth Token from OAuth & Permissions (reinstall the app if it was revoked). "
            f"See {SETUP_SECTION}."
        ) from None
    except (SlackClientError, OSError) as error:
        raise SlackSetupError(
            f"Could not reach Slack at {settings.slack_api_url} ({type(error).__name__}: {error}). "
            "Check the network, or SLACK_API_URL if you set it."
        ) from None


def load_searcher(settings: Settings) -> Searcher:
    """The model loaded and warmed once, and the index opened (raises IndexMissingError etc.).

    Questions are encoded by the index's ONNX export when it has one, so the bot never loads
    torch (index/query_encoder.py) unless a second stage is configured (index/second_stage.py).
    """
    from index.query_encoder import query_encoder_for
    from index.search import Searcher
    from index.second_stage import SecondStage

    encoder = query_encoder_for(settings)
    searcher = Searcher.open(settings, encoder, second_stage=SecondStage.load(settings, encoder))
    encoder.warm()
    searcher.search(WARM_UP_QUESTION)
    return searcher


def build_app(settings: Settings, *, http: bool) -> App:
    """Checked credentials, verified token, warm model and open index: an App ready to serve."""
    check_credentials(settings, http=http)
    client = create_web_client(settings.slack_bot_token, settings.slack_api_url)
    identity = verify_bot_token(client, settings)
    searcher = load_searcher(settings)
    app = create_app(settings, searcher, client=client)
    logger.info(
        "newsdesk ready as %s in %s, answering from %s (version %s)",
        identity.get("user"),
        identity.get("team"),
        settings.index_dir,
        getattr(searcher, "version", "?"),
    )
    return app


def run(settings: Settings, *, http: bool = False, port: int | None = None) -> None:
    """Serve until stopped: Socket Mode by default, HTTP mode (gunicorn) with `http=True`."""
    configure_logging()
    check_credentials(settings, http=http)
    if http:
        run_http(settings, port or settings.port)
    else:
        run_socket_mode(settings)


def run_socket_mode(settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Connect over a websocket (no public URL needed) and serve until SIGTERM/SIGINT or `stop`."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app = build_app(settings, http=False)
    handler = SocketModeHandler(app, app_token=settings.slack_app_token)
    try:
        handler.connect()
    except SlackApiError as error:
        raise SlackSetupError(
            f"Slack rejected SLACK_APP_TOKEN ({slack_error(error)}): create an app-level token "
            "with the connections:write scope under Basic Information > App-Level Tokens, and "
            f"check that Socket Mode is enabled. See {SETUP_SECTION}."
        ) from None
    logger.info("Connected to Slack in Socket Mode")
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        logger.info("Disconnecting from Slack")
        handler.close()


def run_http(settings: Settings, port: int) -> None:
    """Serve /slack/events with gunicorn, listening only once the app can answer.

    Slack gives up on an ack after 3 s, and loading the model takes longer: the app (token
    checked, model loaded, index opened, one question searched) is built here, before gunicorn
    binds its port, and its worker is forked from this ready process. Nothing here touches the
    index after the fork, so the worker has the open index to itself.
    """
    from gunicorn.app.base import BaseApplication

    from .wsgi import slack_wsgi

    application = slack_wsgi(build_app(settings, http=True))

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"0.0.0.0:{port}",
                "workers": HTTP_WORKERS,
                "threads": HTTP_THREADS,
                "worker_class": "gthread",
                "timeout": HTTP_TIMEOUT_SECONDS,
                "accesslog": "-",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    logger.info("Serving Slack requests over HTTP at http://0.0.0.0:%s/slack/events", port)
    Server().run()
