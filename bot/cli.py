"""The `newsdesk` console command: the index commands plus `serve` for the Slack bot."""

from __future__ import annotations

from pathlib import Path

import click

from index.cli import cli, index_option, load_settings, reports_errors


@cli.command("serve")
@click.option("--http", is_flag=True, help="Serve Slack's HTTP events API instead of Socket Mode.")
@click.option("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000).")
@index_option
@reports_errors
def serve_command(http: bool, port: int | None, index_dir: Path | None) -> None:
    """Run the Slack bot (Socket Mode by default; see README "Slack setup").

    \b
    Example:
        SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-... newsdesk serve
        SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... newsdesk serve --http --port 3000
    """
    from .server import run

    run(load_settings(index_dir), http=http, port=port)


def main() -> None:
    cli(prog_name="newsdesk")
