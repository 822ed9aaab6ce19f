"""The slash command, the buttons on an answer, votes and the App Home, through the real app."""

from __future__ import annotations

import io
import json
import logging
import shutil

from conftest import NEWS_ARTICLES, NK_SENTENCE
from fake_slack import RESPONSE_URL_METHOD
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_fixtures import Bot, build, make_bot
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
    # `@channel` reads as typed but, with a word joiner after the `@`, pings no one.
    assert "*Question:* @\u2060channel R&amp;D &lt;b&gt; how many NK soldiers died?" in everything
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


# -- sharing exactly what was shown; clicks whose reply Slack refuses ---------------------------

IDALIA = "More than 280,000 homes and businesses lost power across the state."
IDALIA_QUESTION = "how many homes lost power after hurricane Idalia?"


def ask_privately(bot: Bot, question: str = IDALIA_QUESTION):
    """Run /newsdesk; return the ephemeral answer (a response_url call)."""
    bot.send(slash_command(question, bot.fake.response_url("cmd")))
    return responses(bot)[0]


def test_share_posts_exactly_what_was_shown_even_after_a_rebuild(embedder, fake, tmp_path):
    settings = build(tmp_path / "v1", NEWS_ARTICLES, embedder, tmp_path / "index")
    bot = make_bot(settings, embedder, fake, tmp_path)
    shown = ask_privately(bot)
    assert IDALIA in shown.block_text().replace("*", "")

    corrected = [
        {**a, "text": a["text"].replace("280,000", "320,000")} if a["source"] == "USA Today" else a
        for a in NEWS_ARTICLES
    ]
    build(tmp_path / "v2", corrected, embedder, tmp_path / "index")

    bot.send(
        block_action(find_button(shown.blocks(), ACTION_SHARE), fake.response_url("share"), ephemeral=True)
    )
    posted, deleted = responses(bot, 3)[1:]
    assert posted.params["response_type"] == "in_channel"
    assert f"<@{USER}> asked: {IDALIA_QUESTION}" in posted.block_text()
    shown_quotes = [line for line in shown.block_text().split("\n") if line.startswith(">")]
    posted_quotes = [line for line in posted.block_text().split("\n") if line.startswith(">")]
    assert posted_quotes == shown_quotes and "*280,000*" in posted.block_text()
    assert "320,000" not in posted.block_text()
    assert deleted.params == {"delete_original": True}


def test_share_never_searches_again_so_a_failing_search_posts_no_error_to_the_channel(bot, monkeypatch):
    shown = ask_privately(bot, QUESTION)

    def broken(question, **kwargs):
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(bot.searcher, "search", broken)
    bot.send(
        block_action(
            find_button(shown.blocks(), ACTION_SHARE), bot.fake.response_url("share"), ephemeral=True
        )
    )
    posted = responses(bot, 2)[1]
    assert posted.params["response_type"] == "in_channel"
    assert NK_SENTENCE in posted.block_text().replace("*", "")
    assert messages.ERROR_GENERIC not in json.dumps(posted.params)


def test_share_of_an_answer_no_longer_held_tells_only_the_clicker(news_index, embedder, fake, tmp_path):
    shown = ask_privately(make_bot(news_index, embedder, fake, tmp_path), QUESTION)
    restarted = make_bot(news_index, embedder, fake, tmp_path)
    restarted.send(
        block_action(find_button(shown.blocks(), ACTION_SHARE), fake.response_url("share"), ephemeral=True)
    )
    notice = responses(restarted, 2)[1]
    assert notice.params["response_type"] == "ephemeral"
    assert notice.params["text"] == messages.SHARE_EXPIRED
    fake.assert_quiet(0.3)
    assert all(c.params.get("response_type") != "in_channel" for c in fake.calls_to(RESPONSE_URL_METHOD))


def test_share_that_slack_refuses_is_reported_to_the_clicker_alone(bot):
    shown = ask_privately(bot, QUESTION)
    bot.fake.fail_next("expired_url", RESPONSE_URL_METHOD, times=2)
    bot.send(
        block_action(
            find_button(shown.blocks(), ACTION_SHARE), bot.fake.response_url("share"), ephemeral=True
        )
    )
    notice = bot.fake.wait_for("chat.postEphemeral")[0]
    assert notice.params["user"] == USER and notice.params["channel"] == CHANNEL
    assert notice.params["text"] == messages.ERROR_SHARE_FAILED.format(error="response_url")
    assert bot.fake.calls_to("chat.postMessage") == []


def shared_answer(bot: Bot, question: str):
    """Ask privately and share; return the in-channel answer (posted through response_url)."""
    shown = ask_privately(bot, question)
    bot.send(
        block_action(
            find_button(shown.blocks(), ACTION_SHARE), bot.fake.response_url("share"), ephemeral=True
        )
    )
    return responses(bot, 3)[1]


def test_more_results_on_a_shared_answer_in_a_channel_the_bot_is_not_in_reach_the_clicker(
    news_index, embedder, fake, tmp_path, caplog
):
    bot = make_bot(news_index, embedder, fake, tmp_path, results_per_answer=1)
    shared = shared_answer(bot, "what happened with the Fed and interest rates?")
    more = find_button(shared.blocks(), ACTION_MORE)
    fake.fail_next("not_in_channel", "chat.postMessage", times=2)
    with caplog.at_level(logging.ERROR, logger="newsdesk.bot"):
        bot.send(block_action(more, fake.response_url("more"), message_ts="1700000000.000900"))
        page = fake.wait_for(RESPONSE_URL_METHOD, where=lambda c: c.path.endswith("/more"))[0]
    assert page.params["response_type"] == "ephemeral"
    text = page.block_text()
    assert messages.MORE_NOT_POSTED.format(error="not_in_channel") in text
    assert "*More results for:* what happened with the Fed" in text
    assert any(line.startswith(">") for line in text.split("\n"))
    logged = [r.getMessage() for r in caplog.records if "chat.postMessage failed" in r.getMessage()]
    assert logged and "not_in_channel" in logged[0] and CHANNEL in logged[0]
    assert len(fake.calls_to("chat.postMessage")) == 1  # no error notice for the whole channel


def test_more_results_reach_the_clicker_in_a_dm_when_every_other_route_fails(
    news_index, embedder, fake, tmp_path
):
    bot = make_bot(news_index, embedder, fake, tmp_path, results_per_answer=1)
    shared = shared_answer(bot, "what happened with the Fed and interest rates?")
    fake.fail_next("not_in_channel", "chat.postMessage")
    fake.fail_next("expired_url", RESPONSE_URL_METHOD)
    fake.fail_next("not_in_channel", "chat.postEphemeral")
    bot.send(block_action(find_button(shared.blocks(), ACTION_MORE), fake.response_url("more")))
    dm = fake.wait_for("chat.postMessage", 2)[1]
    assert dm.params["channel"] == USER
    assert messages.MORE_NOT_POSTED.format(error="not_in_channel") in dm.block_text()
    assert "*More results for:* what happened with the Fed" in dm.block_text()


def test_app_home_shows_an_index_error_escaped_once(embedder, fake, tmp_path):
    index_dir = tmp_path / "R&D <desk>" / "index"
    settings = build(tmp_path / "articles", NEWS_ARTICLES, embedder, index_dir)
    bot = make_bot(settings, embedder, fake, tmp_path)
    # The index is swapped for one built with another model: the Home tab says what to do.
    current = index_dir / "current"
    other = current.resolve().parent / "other-model"
    shutil.copytree(current.resolve(), other)
    meta = json.loads((other / "build.json").read_text())
    (other / "build.json").write_text(json.dumps({**meta, "model": "another-model"}))
    (index_dir / "next").symlink_to(other.relative_to(index_dir))
    (index_dir / "next").replace(current)

    bot.send(event_request({"type": "app_home_opened", "user": USER, "tab": "home", "event_ts": "1.2"}))
    view = fake.wait_for("views.publish")[0].params["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert "No index yet." in text
    assert "R&amp;D &lt;desk&gt;" in text
    assert "&amp;amp;" not in text and "&amp;lt;" not in text
