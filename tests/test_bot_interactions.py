"""The slash command, the buttons on an answer, votes and the App Home, through the real app."""

from __future__ import annotations

import io
import json

from conftest import NK_SENTENCE
from fake_slack import RESPONSE_URL_METHOD
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_fixtures import Bot, make_bot
from slack_requests import (
    CHANNEL,
    USER,
    block_action,
    event_request,
    find_button,
    mention,
    slash_command,
)

from bot import messages
from bot.render import (
    ACTION_CITE,
    ACTION_CONTEXT,
    ACTION_MORE,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    encode_value,
)
from index.feedback import FeedbackStore

QUESTION = "how many NK soldiers died?"


def ask_in_thread(bot: Bot, question: str = QUESTION):
    """Mention the bot; return (the mention event, the posted answer)."""
    event = mention(question)
    bot.send(event_request(event))
    return event, bot.fake.wait_for("chat.postMessage")[0]


def responses(bot: Bot, count: int = 1):
    return bot.fake.wait_for(RESPONSE_URL_METHOD, count)


def test_slash_command_acks_empty_then_answers_ephemerally_repeating_the_question(bot):
    response = bot.send(slash_command(QUESTION, bot.fake.response_url("cmd")))
    assert response.status == 200
    assert response.body == ""  # nothing shown until the answer; no "Searching" noise

    answer = responses(bot)[0]
    assert answer.path.endswith("/cmd")
    assert answer.params["response_type"] == "ephemeral"
    text = "\n".join(b.get("text", {}).get("text", "") for b in answer.params["blocks"])
    assert f"*Question:* {QUESTION}" in text
    assert ">Around *600* North Korean soldiers" in text
    assert find_button(answer.params["blocks"], ACTION_SHARE)["text"]["text"] == "Share in channel"
    assert bot.fake.calls_to("chat.postMessage") == []  # nobody else sees it


def test_share_in_channel_posts_the_answer_for_everyone_and_removes_the_ephemeral(bot):
    bot.send(slash_command(QUESTION, bot.fake.response_url("cmd")))
    ephemeral = responses(bot)[0]
    share = find_button(ephemeral.params["blocks"], ACTION_SHARE)

    bot.send(block_action(share, bot.fake.response_url("share"), ephemeral=True))
    posted, deleted = responses(bot, 3)[1:]
    assert posted.params["response_type"] == "in_channel"
    text = json.dumps(posted.params["blocks"])
    assert f"<@{USER}> asked: {QUESTION}" in text
    assert "North Korean soldiers" in text
    assert deleted.params == {"delete_original": True}


def test_repeated_question_is_escaped_and_pings_no_one(bot):
    bot.send(
        slash_command("<!channel> R&amp;D &lt;b&gt; how many NK soldiers died?", bot.fake.response_url())
    )
    answer = responses(bot)[0]
    # Everything Slack renders (button values are data, never shown or parsed as mrkdwn).
    everything = answer.block_text() + answer.params["text"]
    assert "*Question:* @channel R&amp;D &lt;b&gt; how many NK soldiers died?" in everything
    assert "<!channel>" not in everything and "<b>" not in everything


def test_slash_command_without_text_gets_help(bot):
    bot.send(slash_command("", bot.fake.response_url()))
    assert responses(bot)[0].params["text"] == messages.HELP_FALLBACK


def test_slash_command_outside_the_allowlist_is_told_where_it_works(news_index, embedder, fake, tmp_path):
    bot = make_bot(news_index, embedder, fake, tmp_path, allowed_channels=frozenset({"C0ALLOWED"}))
    bot.send(slash_command(QUESTION, fake.response_url(), channel="C0ELSEWHERE"))
    assert responses(bot)[0].params["text"] == messages.ERROR_NOT_ALLOWED


def test_show_context_gives_the_sentences_around_it_ephemerally_in_the_thread(bot):
    event, answer = ask_in_thread(bot)
    button = find_button(answer.blocks(), ACTION_CONTEXT)
    bot.send(
        block_action(
            button,
            bot.fake.response_url("ctx"),
            message_ts=answer.params.get("ts", "1.1"),
            thread_ts=event["ts"],
        )
    )
    reply = responses(bot)[0]
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["replace_original"] is False
    assert reply.params["thread_ts"] == event["ts"]
    text = "\n".join(b["text"]["text"] for b in reply.params["blocks"] if b["type"] == "section")
    assert "North Korea will send more troops to Russia" in text  # the sentence before
    assert ">Around *600*" in text
    assert "Pyongyang in April confirmed" in text  # the sentence after


def test_show_context_for_a_sentence_no_longer_in_the_index_says_so(bot):
    stale = {"action_id": ACTION_CONTEXT, "value": encode_value({"id": 999_999, "t": "Gone"})}
    bot.send(block_action(stale, bot.fake.response_url()))
    assert responses(bot)[0].params["text"] == messages.CONTEXT_GONE
    moved = {"action_id": ACTION_CONTEXT, "value": encode_value({"id": 1, "t": "Not this sentence"})}
    bot.send(block_action(moved, bot.fake.response_url()))
    assert responses(bot, 2)[1].params["text"] == messages.CONTEXT_GONE


def test_cite_gives_the_one_line_citation_ready_to_copy(bot):
    _, answer = ask_in_thread(bot)
    bot.send(block_action(find_button(answer.blocks(), ACTION_CITE), bot.fake.response_url()))
    reply = responses(bot)[0]
    assert f'```"{NK_SENTENCE}" (AFP, June 26, 2025)```' in reply.block_text()


def test_more_results_pages_in_the_same_thread(news_index, embedder, fake, tmp_path):
    bot = make_bot(news_index, embedder, fake, tmp_path, results_per_answer=1)
    event, first = ask_in_thread(bot, "what happened with the Fed and interest rates?")
    more = find_button(first.blocks(), ACTION_MORE)
    bot.send(block_action(more, fake.response_url(), message_ts="1700000000.000900", thread_ts=event["ts"]))
    second = fake.wait_for("chat.postMessage", 2)[1]
    assert second.params["thread_ts"] == event["ts"]
    assert "*More results for:* what happened with the Fed" in second.block_text()
    quoted = [line for line in second.block_text().split("\n") if line.startswith(">")]
    assert quoted and quoted[0] not in first.block_text()


def test_more_results_on_an_ephemeral_answer_stay_ephemeral(news_index, embedder, fake, tmp_path):
    bot = make_bot(news_index, embedder, fake, tmp_path, results_per_answer=1)
    bot.send(slash_command("what happened with the Fed and interest rates?", fake.response_url()))
    more = find_button(responses(bot)[0].params["blocks"], ACTION_MORE)
    bot.send(block_action(more, fake.response_url("page2"), ephemeral=True))
    page = responses(bot, 2)[1]
    assert page.path.endswith("/page2") and page.params["response_type"] == "ephemeral"
    assert "More results for" in json.dumps(page.params["blocks"])
    assert fake.calls_to("chat.postMessage") == []


def test_votes_are_stored_with_question_results_user_and_channel_and_exported(bot, tmp_path):
    _, answer = ask_in_thread(bot)
    bot.send(block_action(find_button(answer.blocks(), ACTION_VOTE_UP), bot.fake.response_url()))
    assert "👍" in responses(bot)[0].params["text"]
    bot.send(block_action(find_button(answer.blocks(), ACTION_VOTE_DOWN), bot.fake.response_url()))
    responses(bot, 2)

    store = FeedbackStore(tmp_path / "feedback.db")
    rows = list(store.rows())
    assert [r["vote"] for r in rows] == ["up", "down"]
    assert rows[0]["question"] == QUESTION
    assert rows[0]["user"] == USER and rows[0]["channel"] == CHANNEL
    assert rows[0]["results"][0]["text"] == NK_SENTENCE
    assert rows[0]["results"][0]["source"] == "AFP" and rows[0]["results"][0]["rank"] == 1

    out = io.StringIO()
    assert store.export_jsonl(out) == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[1]["vote"] == "down" and lines[1]["results"][0]["date"] == "2025-06-26"


def test_app_home_shows_what_is_indexed_and_how_to_ask(bot):
    event = {"type": "app_home_opened", "user": USER, "channel": "D0HOME01", "tab": "home", "event_ts": "1.2"}
    bot.send(event_request(event))
    view = bot.fake.wait_for("views.publish")[0].params
    assert view["user_id"] == USER
    text = json.dumps(view["view"], ensure_ascii=False)
    assert "6 articles" in text and "Audit Weekly" in text and "/newsdesk" in text

    bot.send(event_request({**event, "tab": "messages"}))
    bot.fake.assert_quiet(0.3, "views.publish")
