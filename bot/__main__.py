"""`python -m bot [--http] [--port N]`: the same as `newsdesk serve`, without the CLI package."""

from __future__ import annotations

import argparse
import sys

from index.config import Settings
from index.errors import NewsdeskError

from .server import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Serve newsdesk in Slack: Socket Mode by default, or HTTP with --http.",
        epilog="Example: SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… python -m bot",
    )
    parser.add_argument(
        "--http", action="store_true", help="serve /slack/events over HTTP (needs SLACK_SIGNING_SECRET)"
    )
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000)")
    args = parser.parse_args(argv)
    try:
        run(Settings.from_env(), http=args.http, port=args.port)
    except NewsdeskError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
