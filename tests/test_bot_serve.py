"""`newsdesk serve` start-up: missing, malformed or rejected credentials give one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from fake_slack import FakeSlack
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_requests import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, event_request, mention, post
from slack_sdk import WebClient

from bot.listeners.command import COMMAND
from bot.server import build_app, verify_bot_token
from bot.setup_checks import SlackSetupError, check_credentials
from index.config import Settings

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "how many NK soldiers died?"


@pytest.mark.parametrize(
    ("changes", "http", "variable"),
    [
        ({"slack_bot_token": None}, False, "SLACK_BOT_TOKEN is not set"),
        (
            {"slack_bot_token": "xoxp-1234567890-abcdefghijkl"},
            False,
            "SLACK_BOT_TOKEN should start with xoxb-",
        ),
        ({"slack_bot_token": "not a token"}, False, "SLACK_BOT_TOKEN should start with xoxb-"),
        ({"slack_app_token": None}, False, "SLACK_APP_TOKEN is not set"),
        ({"slack_app_token": BOT_TOKEN}, False, "SLACK_APP_TOKEN should start with xapp-"),
        ({"slack_signing_secret": None}, True, "SLACK_SIGNING_SECRET is not set"),
        ({"slack_signing_secret": APP_TOKEN}, True, "SLACK_SIGNING_SECRET does not look like"),
    ],
)
def test_credentials_are_checked_for_presence_and_shape(changes, http, variable):
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_signing_secret=SIGNING_SECRET
    ).with_changes(**changes)
    with pytest.raises(SlackSetupError) as error:
        check_credentials(settings, http=http)
    message = str(error.value)
    assert variable in message and 'README section "Slack setup"' in message
    for secret in (BOT_TOKEN, APP_TOKEN, "abcdefghijkl"):
        assert secret not in message


def test_good_credentials_pass():
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_signing_secret=SIGNING_SECRET
    )
    check_credentials(settings, http=False)
    check_credentials(settings, http=True)


def test_token_rejected_by_slack_is_a_setup_error(fake: FakeSlack):
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url
    )
    fake.fail_next("invalid_auth", "auth.test")
    with pytest.raises(SlackSetupError, match=r"Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)"):
        build_app(settings, http=True)


def test_unreachable_slack_is_a_setup_error():
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url="http://127.0.0.1:9/api/")
    client = WebClient(token=BOT_TOKEN, base_url=settings.slack_api_url, retry_handlers=[])
    with pytest.raises(SlackSetupError, match="Could not reach Slack at http://127.0.0.1:9/api/"):
        verify_bot_token(client, settings)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ([], {}, "SLACK_BOT_TOKEN is not set"),
        ([], {"SLACK_BOT_TOKEN": "xoxp-123-456-abcdefghijkl"}, "SLACK_BOT_TOKEN should start with xoxb-"),
        (["--http"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_serve_exits_1_with_one_line_and_no_traceback(args, env, expected):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSDESK_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr and "Slack setup" in result.stderr
    assert "abcdefghijkl" not in result.stderr


def test_manifest_asks_for_exactly_what_the_bot_uses():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",  # app_mention
        "chat:write",  # chat.postMessage, chat.postEphemeral
        "commands",  # /newsdesk
        "im:history",  # message.im
        "reactions:write",  # reactions.add
    }
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_procfile_has_a_line_for_each_mode():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert lines == {"web": "newsdesk serve --http", "worker": "newsdesk serve"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_http_mode_opens_its_port_only_once_model_and_index_are_ready(news_index, fake):
    """Slack gives up on an ack after 3 s: no connection may be accepted while the model loads."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSDESK_"))}
    env = {
        **clean,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "NEWSDESK_INDEX": str(news_index.index_dir),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--http", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert server.stderr is not None
    os.set_blocking(server.stderr.fileno(), False)
    log = bytearray()

    def drain() -> str:
        while chunk := server.stderr.read(65536):  # type: ignore[union-attr]
            log.extend(chunk)
        return log.decode(errors="replace")

    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, drain()
            assert time.monotonic() < deadline, drain()
            drain()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        # The first connection was accepted: by then the app was built (token checked, model
        # loaded and warmed, index opened, one question searched) and said so.
        assert "newsdesk ready as newsdesk" in drain()

        status, _, ack_seconds = post(
            f"http://127.0.0.1:{port}/slack/events", event_request(mention(QUESTION))
        )
        assert status == 200 and ack_seconds < 1.0
        answer = fake.wait_for("chat.postMessage", timeout=60)[0]
        assert "North Korean soldiers" in answer.block_text()
    finally:
        server.terminate()
        server.wait(timeout=60)
