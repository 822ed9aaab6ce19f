"""Rendering answers as Block Kit (pure): escaping, highlighting, Slack's limits, fallbacks."""

from __future__ import annotations

import datetime as dt
import json
import re

from bot import messages
from bot.question import parse_question, plain_text
from bot.render import (
    ACTION_MORE,
    ACTION_SHARE,
    ACTION_VOTE_UP,
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    MAX_SECTION_CHARS,
    decode_value,
    encode_value,
    escape,
    fit,
    highlight_numbers,
    quote,
    render_answer,
    render_citation,
    render_context,
    render_home,
    section,
)
from index.records import Answer, Context, Hit, IndexStats

NK = (
    "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for "
    "Russia, according to Lee, citing the South Korean intelligence service."
)


def hit(text: str = NK, **changes) -> Hit:
    values = dict(
        text=text,
        source="AFP",
        date=dt.date(2025, 6, 26),
        title="North Korea to send more troops to Russia, Seoul says",
        url="https://example.com/afp/nk-troops",
        score=0.8,
        article_id=1,
        sentence_id=2,
        context_before="",
        context_after="",
        citation=f'"{text}" (AFP, June 26, 2025)',
    )
    values.update(changes)
    return Hit(**values)


def all_text(blocks) -> str:
    out = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)


def buttons(blocks):
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_escape_only_the_three_control_characters():
    assert escape("R&D <!channel> <@U123> a>b") == "R&amp;D &lt;!channel&gt; &lt;@U123&gt; a&gt;b"


def test_highlight_bolds_numbers_without_changing_any_character():
    text = 'Around 600 soldiers, (1,200 wounded), $4.2m and "7-2" votes; 5.25% rate.'
    bolded = highlight_numbers(text)
    assert bolded.replace("*", "") == text
    for token in ("*600*", "(*1,200*", "*$4.2m*", '"*7-2*"', "*5.25%* rate"):
        assert token in bolded
    assert highlight_numbers("no digits here") == "no digits here"
    # Words already carrying mrkdwn markers are left alone rather than broken.
    assert highlight_numbers("a*5*b") == "a*5*b"


def test_fit_cuts_with_an_ellipsis_and_never_splits_an_entity():
    raw = "&" * 5000
    out = fit(raw, 3000)
    assert len(out) <= 3000 and out.endswith("…")
    assert out[:-1].replace("&amp;", "") == ""
    assert fit("short", 3000) == "short"


def test_answer_blocks_quote_the_sentence_with_outlet_date_link_and_buttons():
    reply = render_answer(Answer("how many NK soldiers died?", True, (hit(),), 4), page_size=3)
    text = all_text(reply.blocks)
    assert ">Around *600* North Korean soldiers" in text
    assert "AFP · June 26, 2025 · <https://example.com/afp/nk-troops|North Korea to send more" in text
    labels = [b["text"]["text"] for b in buttons(reply.blocks)]
    assert labels == ["Show context", "Cite", "👍", "👎"]  # one hit of 3: no "More results"
    assert NK in reply.text


def test_missing_date_and_url_are_said_plainly():
    reply = render_answer(Answer("q", True, (hit(date=None, url=None, source=None),), 4), page_size=3)
    text = all_text(reply.blocks)
    assert "outlet unknown · date unknown · North Korea to send" in text
    assert "<http" not in text


def test_non_http_urls_are_not_linked():
    reply = render_answer(Answer("q", True, (hit(url="javascript:alert(1)"),), 4), page_size=3)
    assert "javascript:" not in all_text(reply.blocks)


def test_full_page_offers_more_results_and_share_when_shareable():
    answer = Answer("how many?", True, (hit(), hit(sentence_id=3), hit(sentence_id=4)), 4)
    reply = render_answer(answer, page_size=3, share_key="k3y", echo=True)
    by_id = {b["action_id"]: b for b in buttons(reply.blocks)}
    assert decode_value(by_id[ACTION_MORE]["value"]) == {"q": "how many?", "o": 3}
    assert decode_value(by_id[ACTION_SHARE]["value"]) == {"k": "k3y", "o": 0}
    assert decode_value(by_id[ACTION_VOTE_UP]["value"])["ids"] == [2, 3, 4]
    assert "*Question:* how many?" in all_text(reply.blocks)


def test_no_answer_and_no_more_results():
    reply = render_answer(Answer("zebra?", False, (), 1234), page_size=3)
    assert reply.text == "No supporting sentences found in 1,234 articles."
    assert render_answer(Answer("zebra?", False, (), 1), page_size=3).text.endswith("in 1 article.")
    later = render_answer(Answer("zebra?", True, (), 1234), page_size=3, offset=3)
    assert later.text == messages.NO_MORE


def test_many_results_stay_within_fifty_blocks():
    hits = tuple(hit(sentence_id=i) for i in range(40))
    reply = render_answer(Answer("q", True, hits, 40), page_size=40, echo=True, notes=["note"])
    assert len(reply.blocks) <= MAX_BLOCKS
    assert "Showing the first" in all_text(reply.blocks)


def test_huge_texts_are_cut_within_every_limit():
    giant = "word " * 3000 + "<!channel>"
    h = hit(
        text=giant,
        title="T" * 5000,
        source="S" * 500,
        url="https://example.com/" + "x" * 5000,
        citation=giant,
        also_reported_by=("CNN",) * 300,
    )
    reply = render_answer(Answer(giant, True, (h,) * 3, 4), page_size=3, echo=True, share_key="k")
    assert len(reply.blocks) <= MAX_BLOCKS
    for block in reply.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        if block["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= MAX_BUTTON_VALUE
                assert len(element["action_id"]) <= 255
    assert len(reply.text) <= 3000
    assert "<!channel>" not in json.dumps(reply.blocks) + reply.text


def test_button_values_fit_even_for_questions_full_of_quotes():
    value = encode_value({"q": '"\\' * 2000, "o": 3})
    assert len(value) <= MAX_BUTTON_VALUE
    assert decode_value(value)["o"] == 3
    assert decode_value("not json") == {}


def test_context_and_citation():
    ctx = Context(
        2,
        1,
        "Title & more",
        "AFP",
        dt.date(2025, 6, 26),
        "https://e.com/a",
        ("Before <one>.",),
        NK,
        ("After.",),
    )
    reply = render_context(ctx)
    text = all_text(reply.blocks)
    assert "*Title &amp; more*" in text
    assert "Before &lt;one&gt;." in text and ">Around *600*" in text and "After." in text
    cite = render_citation('"Around 600 <x>" (AFP, June 26, 2025)')
    assert '```"Around 600 &lt;x&gt;" (AFP, June 26, 2025)```' in all_text(cite.blocks)


def test_home_view_shows_stats_and_how_to_ask():
    stats = IndexStats(
        articles=1234,
        sentences=56789,
        outlets=(("AFP", 800), ("CNN & Co", 434)),
        date_min=dt.date(2020, 1, 1),
        date_max=dt.date(2025, 6, 26),
        undated_articles=3,
        model="m",
        dimension=384,
        index_type="flat",
        built_at="2025-06-27T10:00:00+00:00",
        size_bytes=1,
        path="/x",
    )
    view = render_home(stats)
    text = all_text(view["blocks"])
    assert view["type"] == "home"
    assert "1,234 articles, 56,789 sentences" in text
    assert "Jan. 1, 2020 – June 26, 2025 (3 undated)" in text
    assert "2025-06-27T10:00:00+00:00" in text
    assert "CNN &amp; Co: 434" in text
    assert "/newsdesk" in text
    assert "No index yet" in all_text(render_home(None, "run `newsdesk index build`")["blocks"])


def test_incoming_slack_markup_becomes_the_plain_question():
    raw = "<@UBOT1> how &amp; why &lt;b&gt; <@U2|ann> in <#C1|general> <http://x.com|site> <!here>"
    assert plain_text(raw, "UBOT1") == "how & why <b> @ann in #general site @here"
    question = parse_question("x " * 800, limit=1000)
    assert question.trimmed and len(question.text) <= 1000 and question.original_length == 1599
    assert parse_question("<@UBOT1>", bot_user_id="UBOT1").is_help
    assert parse_question("Сколько солдат погибло?").mostly_non_latin
    assert not parse_question("Combien de soldats nord-coréens sont morts ?").mostly_non_latin


ENTITY_OR_MARKUP = re.compile(r"&(?:amp|lt|gt);")


def assert_entities_whole(mrkdwn: str) -> None:
    """Every `&` starts a whole entity, and no bold marker sits inside one."""
    assert "&" not in ENTITY_OR_MARKUP.sub("", mrkdwn), mrkdwn
    for broken in ("&gt*", "&lt*", "&amp*", "&g*", "&l*", "&a*"):
        assert broken not in mrkdwn, mrkdwn


def test_bolding_never_splits_an_escaped_entity_or_a_link():
    text = "Turnout topped >50% in 3 of 4 wards, fell to <10% (x>5;) and R&D spent 7&8 units."
    bolded = highlight_numbers(escape(text))
    assert_entities_whole(bolded)
    for token in ("*&gt;50%*", "*&lt;10%*", "(*x&gt;5*;)", "*7&amp;8*", "*3*", "*4*"):
        assert token in bolded, bolded
    assert bolded.replace("*", "") == escape(text)
    link = "<https://example.com/2024/report?id=7&amp;p=2|Report 2024 &amp; 2025>"
    assert highlight_numbers(f"{link} said 12") == f"{link} said *12*"


def test_quoted_sentence_with_symbols_is_bolded_whole():
    out = quote("Turnout was >50% in 3 wards & <10% in 2.")
    assert_entities_whole(out)
    assert out == ">Turnout was *&gt;50%* in *3* wards &amp; *&lt;10%* in *2*."


def test_cuts_at_slack_limits_never_split_an_entity_or_a_link():
    for tail in ("&amp;" * 3, "&gt;" * 3, "<https://example.com/a|a link>"):
        for pad in range(2990, 3001):
            block = section("a" * pad + tail)
            text = block["text"]["text"]
            assert len(text) <= MAX_SECTION_CHARS
            assert_entities_whole(text)
            assert "<" not in text or text.endswith(("a link>", "a link>…")), text[-40:]


BROADCAST = re.compile(r"(?<![\w\u2060])@(channel|here|everyone|group)\b", re.IGNORECASE)


def test_broadcast_mentions_from_articles_and_questions_are_neutralised():
    raw = "Organisers wrote @channel, @Here and (@everyone) 3 times; mail press@here.org"
    escaped = escape(raw)
    assert not BROADCAST.search(escaped)
    assert escaped.replace("\u2060", "") == raw  # reads exactly as written
    reply = render_answer(
        Answer(raw, True, (hit(text=raw, title="@here: 5 things"),), 4), page_size=3, echo=True
    )
    rendered = all_text(reply.blocks) + "\n" + reply.text
    assert not BROADCAST.search(rendered)
    assert "@\u2060channel" in rendered
    # Links stay intact: a URL is escaped, never altered.
    linked = render_answer(Answer("q", True, (hit(url="https://x.com/@here?a=1&b=2"),), 4), page_size=3)
    assert "<https://x.com/@here?a=1&amp;b=2|" in all_text(linked.blocks)


def test_every_mrkdwn_text_is_verbatim_so_slack_parses_nothing_in_it():
    reply = render_answer(Answer("q", True, (hit(),), 4), page_size=1, echo=True, share_key="k")
    home = render_home(None, "no index")

    def mrkdwn_objects(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                yield node
            for value in node.values():
                yield from mrkdwn_objects(value)
        elif isinstance(node, list):
            for item in node:
                yield from mrkdwn_objects(item)

    found = list(mrkdwn_objects(reply.blocks)) + list(mrkdwn_objects(home["blocks"]))
    assert found and all(obj.get("verbatim") is True for obj in found)


def test_a_refusal_reason_naming_words_of_the_question_is_escaped():
    reason = "no article mentions “<!here>” or “R&D”"
    reply = render_answer(Answer("q", False, (), 12, reason), page_size=3)
    assert (
        reply.text
        == "No supporting sentences found in 12 articles: no article mentions “&lt;!here&gt;” or “R&amp;D”."
    )
    assert "<!here>" not in all_text(reply.blocks)
