"""`create_app(settings, searcher)`: the bolt App with its listeners; nothing at module level."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient

from index.asked import AskedStore
from index.config import Settings
from index.feedback import FeedbackStore

from .answering import Answerer
from .dedupe import RecentEvents
from .followups import FollowUps
from .listeners import register_listeners
from .services import Services
from .slack_io import create_web_client

if TYPE_CHECKING:
    from index.search import Searcher

# Lazy listeners (searches, posts) run on this many threads; acks never wait for them.
LISTENER_THREADS = 8


def create_app(
    settings: Settings,
    searcher: Searcher,
    *,
    client: WebClient | None = None,
    feedback: FeedbackStore | None = None,
    asked: AskedStore | None = None,
) -> App:
    """The Slack app answering from `searcher`.

    Its WebClient talks to `settings.slack_api_url` with retries on 429/5xx unless `client`
    is given. Creating it calls `auth.test` once, so a wrong bot token fails here, at start-up.
    The questions answered (for follow-ups) are kept in the feedback database unless `asked` is given.
    """
    client = client or create_web_client(settings.slack_bot_token, settings.slack_api_url)
    app = App(
        name="newsdesk",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        # Run each ack function before responding and the slow work (lazy listeners) after,
        # so acks stay fast however busy the listener threads are.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="newsdesk-listener"),
    )
    feedback = feedback or FeedbackStore(settings.feedback_db)
    services = Services(
        settings=settings,
        answerer=Answerer(settings, searcher),
        feedback=feedback,
        recent_events=RecentEvents(),
        follow_ups=FollowUps(settings, asked or AskedStore(feedback.path)),
    )
    register_listeners(app, services)
    return app
