"""Figures over time in Block Kit (pure): the figure in bold, the "How this figure changed" block."""

from __future__ import annotations

import datetime as dt

from bot import messages
from bot.render import MAX_BLOCKS, MAX_SECTION_CHARS, render_answer, render_home
from index.records import Answer, Hit, IndexStats, TimelineEntry

NK = "Around 600 North Korean soldiers have been killed, according to Lee."
OLDER = "About 100 <North Korean> soldiers & officers have been killed, a lawmaker said."


def hit(text: str = NK, figure: str | None = "Around 600", sentence_id: int = 2) -> Hit:
    return Hit(
        text=text,
        source="AFP",
        date=dt.date(2025, 6, 26),
        title="North Korea to send more troops",
        url="https://example.com/afp/nk",
        score=0.8,
        article_id=1,
        sentence_id=sentence_id,
        context_before="",
        context_after="",
        citation=f'"{text}" (AFP, June 26, 2025)',
        figure=figure,
    )


TIMELINE = (
    TimelineEntry(dt.date(2024, 12, 19), "About 100", OLDER, "Yonhap", 7, "https://example.com/y", "t"),
    TimelineEntry(dt.date(2025, 6, 26), "Around 600", NK, "AFP", 2, None, "t"),
)


def sections(blocks) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_each_result_leads_with_its_figure_in_bold():
    reply = render_answer(Answer("how many NK soldiers died?", True, (hit(),)), page_size=3)
    assert (
        sections(reply.blocks)[0]
        == "*Around 600*\n>Around *600* North Korean soldiers have been killed, according to Lee."
    )
    plain = render_answer(Answer("who is Lee?", True, (hit(figure=None),)), page_size=3)
    assert sections(plain.blocks)[0].startswith(">Around *600*")


def test_the_timeline_block_lists_each_figure_oldest_first_escaped():
    reply = render_answer(
        Answer("how many NK soldiers died?", True, (hit(),), timeline=TIMELINE), page_size=3
    )
    block = sections(reply.blocks)[-1]
    assert block.split("\n") == [
        messages.TIMELINE_TITLE,
        "Dec. 19, 2024 · *About 100* · <https://example.com/y|Yonhap>",
        ">About 100 &lt;North Korean&gt; soldiers &amp; officers have been killed, a lawmaker said.",
        "June 26, 2025 · *Around 600* · AFP",
        f">{NK}",
    ]
    assert reply.blocks[-1]["type"] == "actions"  # the footer stays last


def test_the_timeline_keeps_within_slacks_limits_and_is_not_repeated_on_later_pages():
    long = TimelineEntry(dt.date(2024, 1, 1), "12", "x" * 5000, "AFP", 9)
    hits = tuple(hit(sentence_id=n) for n in range(50))
    reply = render_answer(Answer("how many?", True, hits, timeline=(long,) * 8), page_size=50)
    assert len(reply.blocks) <= MAX_BLOCKS
    assert all(len(s) <= MAX_SECTION_CHARS for s in sections(reply.blocks))
    assert any(s.startswith(messages.TIMELINE_TITLE) for s in sections(reply.blocks))
    later = render_answer(Answer("how many?", True, hits[:3], timeline=TIMELINE), page_size=3, offset=3)
    assert not any(s.startswith(messages.TIMELINE_TITLE) for s in sections(later.blocks))


def test_the_app_home_says_how_figures_over_time_work():
    stats = IndexStats(1, 1, (), None, None, 0, "m", 384, "flat", "", 1, "/x")
    text = "\n".join(sections(render_home(stats)["blocks"]))
    assert "Figures over time" in text
    assert "how many NK soldiers died?" in text
    assert "How this figure changed" in text


def test_a_single_figure_shows_no_change_block():
    reply = render_answer(
        Answer("how many NK soldiers died?", True, (hit(),), timeline=TIMELINE[1:]), page_size=3
    )
    assert not any(s.startswith(messages.TIMELINE_TITLE) for s in sections(reply.blocks))
