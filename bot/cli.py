"""The `newsdesk` console command: the index commands plus `serve` for the Slack bot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from index.cli import cli, index_option, load_settings, reports_errors


@cli.command("serve")
@click.option("--http", is_flag=True, help="Serve Slack's HTTP events API instead of Socket Mode.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="HTTP port (default: $PORT or 3000)."
)
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
    from .setup_checks import check_credentials, check_index

    settings = load_settings(index_dir)
    check_credentials(settings, http=http)
    check_index(settings)
    run(settings, http=http, port=port)


@cli.group("feedback")
def feedback_group() -> None:
    """The 👍/👎 votes reporters gave answers in Slack."""


@feedback_group.command("export")
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@index_option
@reports_errors
def feedback_export_command(output: str, index_dir: Path | None) -> None:
    """Write every vote as JSONL (question, results shown, vote, user, channel, time).

    \b
    Example:
        newsdesk feedback export feedback.jsonl
        newsdesk feedback export - | jq .vote
    """
    from index.feedback import export_jsonl

    settings = load_settings(index_dir)
    destination: str | IO[str] = sys.stdout if output == "-" else output
    count = export_jsonl(settings.feedback_db, destination)
    click.echo(f"{count} votes exported from {settings.feedback_db}.", err=True)


def main() -> None:
    cli(prog_name="newsdesk")
