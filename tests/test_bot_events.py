"""Mentions and DMs through the real bolt app (signed requests) over a real index and a fake Slack."""

from __future__ import annotations

import logging
import re
import time

import pytest
from conftest import NEWS_ARTICLES, NK_SENTENCE
from fake_slack import BOT_ID, BOT_USER_ID, RESPONSE_URL_METHOD
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_fixtures import Bot, build, make_bot
from slack_requests import (
    BOT_TOKEN,
    CHANNEL,
    DM_CHANNEL,
    SIGNING_SECRET,
    USER,
    direct_message,
    event_request,
    find_button,
    mention,
    slash_command,
)

from bot import messages
from bot.render import ACTION_VOTE_UP, MAX_BLOCKS, MAX_SECTION_CHARS, decode_value
from index.config import Settings

NK_URL = "https://example.com/afp/nk-troops"


def answer_posts(bot: Bot, count: int = 1):
    return bot.fake.wait_for("chat.postMessage", count)


def test_mention_reacts_then_answers_in_the_thread_with_sentence_outlet_date_and_link(bot):
    event = mention("how many NK soldiers died?")
    response = bot.send(event_request(event))
    assert response.status == 200

    reaction = bot.fake.wait_for("reactions.add")[0]
    assert reaction.params.items() >= {"channel": CHANNEL, "timestamp": event["ts"], "name": "eyes"}.items()
    post = answer_posts(bot)[0]
    assert post.at >= reaction.at
    assert post.params["channel"] == CHANNEL
    assert post.params["thread_ts"] == event["ts"]
    text = post.block_text()
    # The sentence exactly as published, quoted, its numbers in bold around unchanged characters.
    assert ">Around *600* North Korean soldiers" in text
    assert text.replace("*", "").count(NK_SENTENCE) == 1
    assert f"AFP · June 26, 2025 · <{NK_URL}|North Korea to send more troops to Russia, Seoul says>" in text
    assert {"Show context", "Cite", "👍", "👎"} <= set(text.split("\n"))
    assert NK_SENTENCE in post.params["text"]  # the notification fallback
    assert post.authorization == f"Bearer {BOT_TOKEN}"


def test_follow_up_mention_in_a_thread_is_answered_in_that_thread(bot):
    event = mention("what did the Fed do with interest rates?", thread_ts="1700000000.000001")
    bot.send(event_request(event))
    post = answer_posts(bot)[0]
    assert post.params["thread_ts"] == "1700000000.000001"
    assert "5.25%" in post.block_text()


def test_direct_message_is_answered_in_the_dm_without_a_mention(bot):
    bot.send(event_request(direct_message("how many NK soldiers died?")))
    post = answer_posts(bot)[0]
    assert post.params["channel"] == DM_CHANNEL
    assert "thread_ts" not in post.params or post.params["thread_ts"] is None
    assert "North Korean soldiers" in post.block_text()


def test_article_text_that_looks_like_mentions_is_escaped_and_pings_no_one(bot):
    bot.send(event_request(mention("what did protesters chant outside city hall?")))
    post = answer_posts(bot)[0]
    everything = post.block_text() + "\n" + post.params["text"]
    assert "&lt;!channel&gt; and &lt;@U123&gt;" in everything
    assert "R&amp;D banners" in everything
    assert "Gazette &amp; Echo" in everything
    for raw in ("<!channel>", "<@U123>", "<!here>", "R&D", "<home>"):
        assert raw not in everything
    # The link itself stays a link, with & < > in its URL escaped.
    assert "<https://example.com/gazette/protest?id=7&amp;ref=&lt;home&gt;|" in everything


def test_slack_markup_in_the_question_is_searched_as_plain_text(bot):
    bot.send(event_request(mention("<!channel> &lt;b&gt; how many NK soldiers died? since:2025-01-01")))
    post = answer_posts(bot)[0]
    assert "North Korean soldiers" in post.block_text()  # the since: filter was applied, and matched
    vote = find_button(post.blocks(), ACTION_VOTE_UP)
    assert decode_value(vote["value"])["q"] == "@channel <b> how many NK soldiers died? since:2025-01-01"


def test_long_sentence_is_cut_with_an_ellipsis_within_slack_limits(bot):
    bot.send(event_request(mention("which crates of surplus traffic cones were in the municipal warehouse?")))
    post = answer_posts(bot)[0]
    blocks = post.blocks()
    assert len(blocks) <= MAX_BLOCKS
    quotes = [
        b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(">")
    ]
    assert any(q.endswith("…") and len(q) <= MAX_SECTION_CHARS for q in quotes)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        for element in block.get("elements", []):
            assert len(element.get("text", "")) <= 3000 if isinstance(element.get("text"), str) else True
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= 2000


def test_no_answer_says_so_plainly(bot):
    bot.send(event_request(mention("what is the recipe for sourdough bread with rye flour?")))
    text = answer_posts(bot)[0].block_text()
    assert "No supporting sentences found in 6 articles: the best match is too weak" in text
    assert ">" not in text.split("\n")[0]


def test_a_mended_typo_is_shown_above_the_answer(bot):
    bot.send(event_request(mention("how many north kroean soldiers died?")))
    text = answer_posts(bot)[0].block_text()
    assert "Searched as: _how many north korean soldiers died?_" in text
    assert "North Korean soldiers have been killed" in text


def test_a_first_sentence_without_the_asked_for_kind_of_answer_is_shown_with_a_caution(bot):
    bot.send(event_request(mention("who did Jerome Powell replace as Fed chair?")))
    text = answer_posts(bot)[0].block_text()
    assert ":warning: The first sentence names no one your question does not already name" in text
    assert ">Fed Chair Jerome Powell said officials" in text


@pytest.mark.parametrize("text", ["", "   ", "help"])
def test_empty_mention_gets_help_text_and_no_search(bot, text):
    bot.send(event_request(mention(text)))
    post = answer_posts(bot)[0]
    assert post.params["text"] == messages.HELP_FALLBACK
    assert "/newsdesk" in post.block_text()
    assert bot.fake.calls_to("reactions.add") == []


def test_ten_kilobyte_question_is_trimmed_searched_and_the_user_told(bot):
    question = "how many NK soldiers died? " + "and what else happened " * 450
    assert len(question) > 10_000
    bot.send(event_request(mention(question)))
    text = answer_posts(bot)[0].block_text()
    assert "I searched its first 1,000 characters" in text
    assert len(text) < 40_000


def test_question_in_another_language_is_searched_with_a_short_note(bot):
    bot.send(event_request(mention("Сколько северокорейских солдат погибло?")))
    post = answer_posts(bot)[0]
    assert messages.NOT_ENGLISH in post.block_text()
    assert bot.fake.calls_to("reactions.add")  # it was searched, not refused


@pytest.mark.parametrize(
    "event",
    [
        mention("how many NK soldiers died?", bot_id="B0OTHER1", user="U0OTHER1"),
        mention("how many NK soldiers died?", subtype="bot_message", bot_id="B0OTHER1"),
        mention("how many NK soldiers died?", user=BOT_USER_ID),
        direct_message("how many NK soldiers died?", bot_id=BOT_ID, user=BOT_USER_ID),
        direct_message("how many NK soldiers died?", bot_id="B0OTHER1"),
        direct_message("", subtype="message_changed", message={"text": "how many NK soldiers died?"}),
        direct_message("", subtype="message_deleted", previous_message={"text": "old"}),
        direct_message("how many NK soldiers died?", channel_type="channel", channel=CHANNEL),
    ],
    ids=["other-bot", "bot-message", "own-mention", "own-dm", "other-bot-dm", "edited", "deleted", "not-dm"],
)
def test_events_that_are_not_questions_are_acked_and_ignored(bot, event):
    response = bot.send(event_request(event))
    assert response.status == 200
    bot.fake.assert_quiet(0.3)


def test_retried_and_redelivered_events_are_answered_once(bot):
    event = mention("how many NK soldiers died?")
    first = event_request(event, event_id="Ev0DUPLICATE")
    assert bot.send(first).status == 200
    assert bot.send(event_request(event, event_id="Ev0DUPLICATE", retry=1)).status == 200
    assert bot.send(event_request(event, event_id="Ev0DUPLICATE")).status == 200  # Socket Mode redelivery
    answer_posts(bot)
    bot.fake.assert_quiet(0.4, "chat.postMessage")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_retry_of_an_event_never_seen_is_answered(bot):
    bot.send(event_request(mention("how many NK soldiers died?"), retry=2))
    assert answer_posts(bot)


@pytest.mark.parametrize(
    "kwargs",
    [{"secret": "0" * 32}, {"timestamp": 1_600_000_000}],
    ids=["bad-signature", "stale-timestamp"],
)
def test_bad_or_stale_signature_is_rejected_and_does_nothing(bot, kwargs):
    calls_before = len(bot.fake.calls)  # auth.test at start-up
    response = bot.send(event_request(mention("how many NK soldiers died?"), **kwargs))
    assert response.status == 401
    bot.fake.assert_quiet(0.3)
    assert len(bot.fake.calls) == calls_before


def test_channel_allowlist(news_index, embedder, fake, tmp_path):
    bot = make_bot(news_index, embedder, fake, tmp_path, allowed_channels=frozenset({"C0ALLOWED"}))
    bot.send(event_request(mention("how many NK soldiers died?", channel="C0ALLOWED")))
    assert "North Korean" in bot.fake.wait_for("chat.postMessage")[0].block_text()

    bot.send(event_request(mention("how many NK soldiers died?", channel="C0ELSEWHERE")))
    notice = bot.fake.wait_for("chat.postEphemeral")[0]
    assert notice.params["channel"] == "C0ELSEWHERE"
    assert notice.params["text"] == messages.ERROR_NOT_ALLOWED
    # DMs stay open.
    bot.send(event_request(direct_message("how many NK soldiers died?")))
    assert len(bot.fake.wait_for("chat.postMessage", 2)) == 2


def test_exception_in_search_is_answered_in_the_thread_logged_and_the_app_keeps_serving(
    bot, caplog, monkeypatch
):
    real_search = bot.searcher.search
    calls = {"n": 0}

    def flaky(question, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk on fire")
        return real_search(question, **kwargs)

    monkeypatch.setattr(bot.searcher, "search", flaky)
    event = mention("how many NK soldiers died?")
    with caplog.at_level(logging.ERROR, logger="newsdesk.bot"):
        bot.send(event_request(event))
        post = answer_posts(bot)[0]
    assert post.params["thread_ts"] == event["ts"]
    assert post.params["text"] == messages.ERROR_GENERIC
    failure = next(r for r in caplog.records if "search failed" in r.getMessage())
    assert failure.exc_info and "disk on fire" in str(failure.exc_info[1])
    assert CHANNEL in failure.getMessage()

    bot.send(event_request(mention("how many NK soldiers died?")))
    assert "North Korean" in answer_posts(bot, 2)[1].block_text()


def test_rate_limited_post_is_retried_after_retry_after(bot):
    bot.fake.fail_next("429", "chat.postMessage")
    bot.send(event_request(mention("how many NK soldiers died?")))
    first, second = bot.fake.wait_for("chat.postMessage", 2, timeout=15)
    assert second.at - first.at >= 1.0  # waited for Retry-After: 1
    assert "North Korean" in second.block_text()


def test_server_error_is_retried(bot):
    bot.fake.fail_next("500", "chat.postMessage")
    bot.send(event_request(mention("how many NK soldiers died?")))
    posts = bot.fake.wait_for("chat.postMessage", 2)
    assert "North Korean" in posts[1].block_text()


def test_slack_error_is_logged_with_context_and_the_user_told_in_the_thread(bot, caplog):
    bot.fake.fail_next("channel_not_found", "chat.postMessage")
    event = mention("how many NK soldiers died?")
    with caplog.at_level(logging.DEBUG):
        bot.send(event_request(event))
        failed, notice = bot.fake.wait_for("chat.postMessage", 2)
    assert notice.params["thread_ts"] == event["ts"]
    assert "channel_not_found" in notice.params["text"]
    logged = [r.getMessage() for r in caplog.records if "chat.postMessage failed" in r.getMessage()]
    assert logged and CHANNEL in logged[0] and "channel_not_found" in logged[0]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert BOT_TOKEN not in everything and BOT_TOKEN[10:] not in everything
    assert SIGNING_SECRET not in everything


def test_rebuilt_index_is_picked_up_without_restart(embedder, fake, tmp_path):
    settings = build(tmp_path / "first", NEWS_ARTICLES, embedder, tmp_path / "index")
    bot = make_bot(settings, embedder, fake, tmp_path)
    bot.send(event_request(mention("how many goats did the zoo buy?")))
    assert "No supporting sentences found in 4 articles" in answer_posts(bot)[0].block_text()

    zoo = {
        "title": "Zoo expands petting area",
        "source": "Reuters",
        "date": "2025-02-01",
        "url": "https://example.com/reuters/zoo",
        "text": "The city zoo bought 14 pygmy goats for its new petting area, officials said.",
    }
    build(tmp_path / "second", [*NEWS_ARTICLES, zoo], embedder, tmp_path / "index")

    bot.send(event_request(mention("how many goats did the zoo buy?")))
    assert "*14* pygmy goats" in answer_posts(bot, 2)[1].block_text()


# -- hostile text, files, reactions ---------------------------------------------------------

# Scraped text keeps stray markup: `<b>1,204</b>` once came out as `*&lt;b&gt;1,204&lt;/b&gt*;`.
SYMBOL_SENTENCE = "Turnout topped >50% in 3 of 4 wards, where the R&D pilot counted <b>1,204</b> votes."
BROADCAST_SENTENCE = (
    "Organisers messaged @channel and @here before 40 volunteers told @everyone the polls had closed."
)
HOSTILE_ARTICLES = [
    *NEWS_ARTICLES,
    {
        "title": "Ward turnout >50% & rising",
        "source": "Ward & Echo",
        "date": "2025-03-04",
        "url": "https://example.com/ward/turnout",
        "text": f"{SYMBOL_SENTENCE}\n\nThe clerk published the figures on Monday.",
    },
    {
        "title": "Volunteers close the polls",
        "source": "Poll Watch",
        "date": "2025-03-05",
        "url": "https://example.com/poll/volunteers",
        "text": f"{BROADCAST_SENTENCE}\n\nCounting began an hour later.",
    },
]
BROADCAST = re.compile(r"(?<![\w\u2060])@(channel|here|everyone|group)\b", re.IGNORECASE)
_hostile: dict[str, Settings] = {}


@pytest.fixture
def hostile_bot(tmp_path_factory, embedder, fake, tmp_path) -> Bot:
    """A bot over the news plus articles quoting `>50%`, `R&D` and `@channel`/`@here`/`@everyone`."""
    if "settings" not in _hostile:
        root = tmp_path_factory.mktemp("hostile")
        _hostile["settings"] = build(root / "articles", HOSTILE_ARTICLES, embedder, root / "index")
    return make_bot(_hostile["settings"], embedder, fake, tmp_path)


def rendered_texts(call) -> str:
    """Every text Slack renders or notifies with: the blocks' texts and the fallback `text`."""
    return call.block_text() + "\n" + call.params["text"]


def test_numbers_beside_escaped_symbols_are_bolded_without_breaking_the_entities(hostile_bot):
    hostile_bot.send(event_request(mention("what was the turnout in the wards?")))
    text = answer_posts(hostile_bot)[0].block_text()
    assert (
        ">Turnout topped *&gt;50%* in *3* of *4* wards, where the R&amp;D pilot counted "
        "*&lt;b&gt;1,204&lt;/b&gt;* votes." in text
    )
    assert "Ward &amp; Echo" in text
    for broken in ("&gt*", "&lt*", "&amp*"):
        assert broken not in text
    assert (
        text.replace("*", "").count(
            SYMBOL_SENTENCE.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
        )
        == 1
    )


def test_plain_broadcast_mentions_in_articles_and_questions_ping_no_one(hostile_bot):
    hostile_bot.send(event_request(mention("@here what did organisers message before the polls closed?")))
    post = answer_posts(hostile_bot)[0]
    everything = rendered_texts(post)
    assert not BROADCAST.search(everything), everything
    # Readers see the sentence exactly as published; only an invisible word joiner was added.
    assert BROADCAST_SENTENCE in everything.replace("\u2060", "")
    sections = [b["text"] for b in post.blocks() if b["type"] == "section"]
    contexts = [e for b in post.blocks() if b["type"] == "context" for e in b["elements"]]
    assert all(t.get("verbatim") is True for t in sections + contexts)

    hostile_bot.fake.reset()
    question = "<!channel> <!here|here> <!everyone> <@U0OTHER1|ann> what did organisers message?"
    hostile_bot.send(slash_command(question, hostile_bot.fake.response_url()))
    answer = hostile_bot.fake.wait_for(RESPONSE_URL_METHOD)[0]
    everything = rendered_texts(answer)
    assert "*Question:* @\u2060channel here @\u2060everyone @ann what did organisers message?" in everything
    assert not BROADCAST.search(everything) and "<!" not in everything and "<@" not in everything


def test_a_mended_question_is_shown_escaped(bot):
    # Typed literally, `<!channel>` reaches the bot as `&lt;!channel&gt;`: plain text, never a ping.
    bot.send(event_request(mention("&lt;!channel&gt; R&amp;D how many north kroean soldiers died?")))
    text = rendered_texts(answer_posts(bot)[0])
    assert "Searched as: _&lt;!channel&gt; R&amp;D how many north korean soldiers died?_" in text
    assert "<!channel>" not in text and "R&D" not in text


def test_not_allowed_notice_for_a_mention_in_a_thread_goes_in_that_thread(
    news_index, embedder, fake, tmp_path
):
    bot = make_bot(news_index, embedder, fake, tmp_path, allowed_channels=frozenset({"C0ALLOWED"}))
    thread = "1700000000.000777"
    bot.send(event_request(mention("how many NK soldiers died?", channel="C0ELSEWHERE", thread_ts=thread)))
    notice = bot.fake.wait_for("chat.postEphemeral")[0]
    assert notice.params["channel"] == "C0ELSEWHERE" and notice.params["user"] == USER
    assert notice.params["thread_ts"] == thread
    assert notice.params["text"] == messages.ERROR_NOT_ALLOWED


def test_not_allowed_notice_that_slack_refuses_reaches_the_asker_in_a_dm(
    news_index, embedder, fake, tmp_path
):
    bot = make_bot(news_index, embedder, fake, tmp_path, allowed_channels=frozenset({"C0ALLOWED"}))
    fake.fail_next("not_in_channel", "chat.postEphemeral")
    bot.send(event_request(mention("how many NK soldiers died?", channel="C0ELSEWHERE")))
    dm = fake.wait_for("chat.postMessage")[0]
    assert dm.params["channel"] == USER and dm.params["text"] == messages.ERROR_NOT_ALLOWED


FILES = [{"id": "F0000001", "name": "notes.pdf", "mimetype": "application/pdf"}]


def test_dm_with_a_file_is_answered_and_told_files_are_not_read(bot):
    bot.send(event_request(direct_message("how many NK soldiers died?", subtype="file_share", files=FILES)))
    post = answer_posts(bot)[0]
    assert post.params["channel"] == DM_CHANNEL
    text = post.block_text()
    assert "North Korean soldiers" in text
    assert messages.ATTACHMENTS_NOT_READ in text


def test_dm_with_only_a_file_gets_help_and_is_told_files_are_not_read(bot):
    bot.send(event_request(direct_message("", subtype="file_share", files=FILES)))
    post = answer_posts(bot)[0]
    assert post.params["text"] == messages.HELP_FALLBACK
    assert messages.ATTACHMENTS_NOT_READ in post.block_text()


def reactions(bot: Bot) -> list[tuple[str, str]]:
    return [(c.method, c.params["name"]) for c in bot.fake.calls if c.method.startswith("reactions.")]


def test_eyes_come_off_once_the_answer_is_posted(bot):
    event = mention("how many NK soldiers died?")
    bot.send(event_request(event))
    removed = bot.fake.wait_for("reactions.remove")[0]
    post = bot.fake.calls_to("chat.postMessage")[0]
    assert removed.at >= post.at
    assert removed.params.items() >= {"channel": CHANNEL, "timestamp": event["ts"], "name": "eyes"}.items()
    bot.fake.assert_quiet(0.3, "reactions.add")
    assert reactions(bot) == [("reactions.add", "eyes"), ("reactions.remove", "eyes")]


def test_eyes_become_a_warning_when_the_search_fails(bot, monkeypatch):
    def broken(question, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.searcher, "search", broken)
    event = direct_message("how many NK soldiers died?")
    bot.send(event_request(event))
    warning = bot.fake.wait_for("reactions.add", 2)[1]
    assert (
        warning.params.items() >= {"channel": DM_CHANNEL, "timestamp": event["ts"], "name": "warning"}.items()
    )
    assert answer_posts(bot)[0].params["text"] == messages.ERROR_GENERIC
    assert reactions(bot) == [
        ("reactions.add", "eyes"),
        ("reactions.remove", "eyes"),
        ("reactions.add", "warning"),
    ]


def test_eyes_become_a_warning_when_the_answer_cannot_be_posted(bot):
    bot.fake.fail_next("msg_too_long", "chat.postMessage")
    bot.send(event_request(mention("how many NK soldiers died?")))
    bot.fake.wait_for("reactions.add", 2)
    assert reactions(bot) == [
        ("reactions.add", "eyes"),
        ("reactions.remove", "eyes"),
        ("reactions.add", "warning"),
    ]
    assert "msg_too_long" in bot.fake.calls_to("chat.postMessage")[1].params["text"]


def _refusals_logged(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if "reactions.remove failed" in r.getMessage() and "ratelimited" in r.getMessage()
    ]


def test_a_reaction_slack_refuses_to_remove_is_logged_not_raised(bot, caplog):
    bot.fake.fail_next("ratelimited", "reactions.remove")
    with caplog.at_level(logging.WARNING, logger="newsdesk.bot"):
        bot.send(event_request(mention("how many NK soldiers died?")))
        bot.fake.wait_for("reactions.remove")
        bot.fake.assert_quiet(0.3, "reactions.add")
        # The warning is written once Slack's answer reaches the bot's worker thread, and a late
        # line from an earlier test may come first: wait for this one.
        deadline = time.monotonic() + 5
        while not _refusals_logged(caplog) and time.monotonic() < deadline:
            time.sleep(0.05)
    logged = _refusals_logged(caplog)
    assert logged and CHANNEL in logged[0]
    bot.send(event_request(mention("how many NK soldiers died?")))  # the app keeps serving
    assert len(answer_posts(bot, 2)) == 2


def test_when_the_error_notice_cannot_be_posted_either_the_asker_is_told_privately(bot, caplog):
    bot.fake.fail_next("restricted_action", "chat.postMessage", times=2)
    event = mention("how many NK soldiers died?", thread_ts="1700000000.000321")
    with caplog.at_level(logging.ERROR, logger="newsdesk.bot"):
        bot.send(event_request(event))
        notice = bot.fake.wait_for("chat.postEphemeral")[0]
    assert (
        notice.params.items() >= {"channel": CHANNEL, "user": USER, "thread_ts": "1700000000.000321"}.items()
    )
    assert notice.params["text"] == messages.ERROR_POST_FAILED.format(error="restricted_action")
    logged = [r.getMessage() for r in caplog.records if "chat.postMessage" in r.getMessage()]
    assert len(logged) == 2 and all("restricted_action" in line for line in logged)
