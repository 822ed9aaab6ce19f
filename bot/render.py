"""Answers, contexts and citations as Block Kit blocks plus fallback text (pure functions).

Everything taken from articles or questions is escaped for mrkdwn (`&`, `<`, `>`) and its
plain `@channel`, `@here` and `@everyone` neutralised, so an article or a question cannot ping
anyone; every mrkdwn text object is `verbatim` (Slack parses nothing in it but our own markup);
every text is cut to Slack's limits with an ellipsis rather than sent and rejected, and no cut
or decoration ever splits an escaped entity or a `<…>` link.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from index.attribution import Attribution
from index.citation import format_date
from index.records import Answer, Context, Hit, IndexStats, TimelineEntry

from . import messages

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_CHARS = 3000
MAX_CONTEXT_CHARS = 2000
# Slack documents 75 for button labels (the issue allows 150); ours are short anyway.
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
# The `text` fallback may be 40,000 chars; notifications show far less.
MAX_FALLBACK_CHARS = 3000
MAX_TITLE_CHARS = 200
ELLIPSIS = "…"

ACTION_CONTEXT = "newsdesk_context"
ACTION_CITE = "newsdesk_cite"
ACTION_MORE = "newsdesk_more"
ACTION_SHARE = "newsdesk_share"
ACTION_VOTE_UP = "newsdesk_vote_up"
ACTION_VOTE_DOWN = "newsdesk_vote_down"

# Punctuation kept outside the bold markers, so `(600,` becomes `(*600*,`.
_LEAD = frozenset("\"'“‘([")
_TRAIL = frozenset(".,;:!?\"'”’)]")
# An escaped entity is one unit: `&gt;` is never split by a marker or a cut.
_UNIT = re.compile(r"&(?:amp|lt|gt);|.", re.DOTALL)
# Our own `<url|label>` links: left whole by decorations and cuts.
_SLACK_TOKEN = re.compile(r"(<[^<>\s][^<>]*>)")
_OPEN_END = re.compile(r"&[a-z]{0,3}$|<[^<>]*$")
_WHITESPACE = re.compile(r"(\s+)")
_MARKUP_CHARS = frozenset("*_~`")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
# Slack turns a plain `@channel`, `@here`, `@everyone` (or `@group`) into a ping unless the text is
# verbatim; an invisible word joiner after the `@` keeps the word as it reads and pings no one.
_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone|group)\b)", re.IGNORECASE)
WORD_JOINER = "\u2060"


@dataclass(frozen=True)
class Reply:
    """A Slack message: Block Kit `blocks` and the plain `text` shown in notifications."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    # An error message rather than an answer (the 👀 on the question becomes ⚠️).
    failed: bool = False


def escape(text: str) -> str:
    """Escape Slack's three control characters and neutralise broadcast mentions (`@here`)."""
    return _BROADCAST.sub("@" + WORD_JOINER, escape_controls(text))


def escape_controls(text: str) -> str:
    """Only `&`, `<`, `>` escaped: for URLs, where an added character would break the link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(raw: str, limit: int, fmt: Callable[[str], str] = escape) -> str:
    """`fmt(raw)`, or `fmt` of the longest prefix of `raw` plus an ellipsis that fits `limit`."""
    out = fmt(raw)
    if len(out) <= limit:
        return out
    low, high = 0, len(raw)
    while low < high:
        middle = (low + high + 1) // 2
        if len(fmt(raw[:middle].rstrip() + ELLIPSIS)) <= limit:
            low = middle
        else:
            high = middle - 1
    out = fmt(raw[:low].rstrip() + ELLIPSIS)
    return out if len(out) <= limit else ELLIPSIS[:limit]


def highlight_numbers(mrkdwn: str) -> str:
    """Bold every word that contains a digit, without changing any character of the text.

    Markers go around whole entities (`*5&gt;*`, never `*5&gt*;`) and never inside a `<…>` link.
    """
    pieces = _SLACK_TOKEN.split(mrkdwn)
    for p in range(0, len(pieces), 2):
        parts = _WHITESPACE.split(pieces[p])
        for i in range(0, len(parts), 2):
            parts[i] = _bold_word(parts[i])
        pieces[p] = "".join(parts)
    return "".join(pieces)


def _bold_word(word: str) -> str:
    if not any(c.isdigit() for c in word) or _MARKUP_CHARS & set(word):
        return word
    units = _UNIT.findall(word)
    start, end = 0, len(units)
    while start < end and units[start] in _LEAD:
        start += 1
    while end > start and units[end - 1] in _TRAIL:
        end -= 1
    core = "".join(units[start:end])
    if not any(c.isdigit() for c in core):
        return word
    return "".join(units[:start]) + f"*{core}*" + "".join(units[end:])


def cut(mrkdwn: str, limit: int) -> str:
    """`mrkdwn` cut to `limit` characters with an ellipsis, never inside an entity or a link."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    head = mrkdwn[: max(limit - len(ELLIPSIS), 0)]
    head = _OPEN_END.sub("", head)
    return (head + ELLIPSIS)[:limit]


def quote(raw: str, limit: int = MAX_SECTION_CHARS) -> str:
    """An escaped mrkdwn quote of `raw`, numbers in bold, cut to fit `limit` (a section)."""

    def fmt(text: str) -> str:
        lines = highlight_numbers(escape(text)).split("\n")
        return "\n".join(">" + line for line in lines)

    return fit(raw, limit, fmt)


def link(url: str | None, label: str) -> str:
    """A mrkdwn link to an http(s) URL, or just the escaped label if there is no usable URL."""
    text = fit(label.replace("|", "¦"), MAX_TITLE_CHARS)
    if not url or not url.lower().startswith(("http://", "https://")):
        return text
    safe_url = escape_controls(url.strip().replace(" ", "%20").replace("|", "%7C"))
    return f"<{safe_url}|{text}>"


def source_line(source: str | None, date: dt.date | None, url: str | None, title: str) -> str:
    """`outlet · date · <url|title>`, escaped."""
    outlet = fit(source, 100) if source else messages.OUTLET_UNKNOWN
    return f"{outlet} · {format_date(date)} · {link(url, title or messages.LINK)}"


def encode_value(data: dict[str, Any]) -> str:
    """JSON for a button value, cutting the question if needed to stay within Slack's limit."""

    def dump(question: str) -> str:
        return json.dumps({**data, "q": question} if "q" in data else data, ensure_ascii=False)

    question = data.get("q", "")
    return fit(question, MAX_BUTTON_VALUE, fmt=dump) if "q" in data else dump(question)


def decode_value(value: str | None) -> dict[str, Any]:
    """The dict a button carried, or {} if it is not ours."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": fit(label, MAX_BUTTON_TEXT, str), "emoji": True},
        "action_id": action_id[:MAX_ACTION_ID],
        "value": value if len(value) <= MAX_BUTTON_VALUE else value[: MAX_BUTTON_VALUE - 1] + ELLIPSIS,
    }
    if style:
        element["style"] = style
    return element


def mrkdwn_text(mrkdwn: str, limit: int) -> dict[str, Any]:
    """A mrkdwn text object Slack does not auto-parse (no pings, no auto-links): ours only."""
    return {"type": "mrkdwn", "text": cut(mrkdwn, limit), "verbatim": True}


def section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn_text(mrkdwn, MAX_SECTION_CHARS)}


def context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn_text(mrkdwn, MAX_CONTEXT_CHARS)]}


def render_text(mrkdwn: str, *, failed: bool = False) -> Reply:
    """A one-section message; the caller has escaped anything that came from users."""
    return Reply(text=cut(mrkdwn, MAX_FALLBACK_CHARS), blocks=[section(mrkdwn)], failed=failed)


def render_help(notes: Sequence[str] = ()) -> Reply:
    blocks = [section(messages.HELP)]
    if notes:
        blocks.append(context("\n".join(notes)))
    return Reply(text=messages.HELP_FALLBACK, blocks=blocks)


def with_note(reply: Reply, note: str) -> Reply:
    """`reply` with a short mrkdwn remark above it (within Slack's block limit)."""
    blocks = [context(note), *reply.blocks][:MAX_BLOCKS]
    return Reply(text=cut(f"{note} {reply.text}", MAX_FALLBACK_CHARS), blocks=blocks, failed=reply.failed)


def attribution_line(attribution: Attribution) -> str:
    """`🗣 *Lee Seong-kweun* (“according to”), citing South Korean intelligence service`, escaped."""
    cue = f"“{escape(attribution.cue)}”" if attribution.cue else messages.ATTRIBUTED_QUOTED
    line = messages.ATTRIBUTED_TO.format(speaker=fit(attribution.speaker, 200), cue=cue)
    if attribution.citing:
        line += messages.ATTRIBUTED_CITING.format(citing=fit(attribution.citing, 500))
    return line


def _hit_blocks(hit: Hit) -> list[dict[str, Any]]:
    meta = source_line(hit.source, hit.date, hit.url, hit.title)
    if hit.also_reported_by:
        also = escape(", ".join(hit.also_reported_by))
        meta += " · " + messages.ALSO_REPORTED_BY.format(outlets=also)
    context_value = encode_value({"id": hit.sentence_id, "t": hit.text[:40]})
    cite_value = fit(hit.citation, MAX_BUTTON_VALUE, str)
    if len(meta) > MAX_CONTEXT_CHARS:
        # Only an absurdly long URL gets here: drop the link rather than break it.
        meta = source_line(hit.source, hit.date, None, hit.title)
    meta_block = context(meta)
    if hit.attribution:
        # Under the quote, before outlet and date: who the outlet attributes the sentence to.
        meta_block["elements"].insert(0, mrkdwn_text(attribution_line(hit.attribution), MAX_CONTEXT_CHARS))
    body = quote(hit.text)
    if hit.figure:
        label = messages.FIGURE.format(figure=fit(hit.figure, 100))
        body = label + "\n" + quote(hit.text, MAX_SECTION_CHARS - len(label) - 1)
    return [
        section(body),
        meta_block,
        {
            "type": "actions",
            "elements": [
                button(messages.BUTTON_CONTEXT, ACTION_CONTEXT, context_value),
                button(messages.BUTTON_CITE, ACTION_CITE, cite_value),
            ],
        },
    ]


# Each timeline sentence is cut to this, so eight entries fit one section.
MAX_TIMELINE_TEXT = 300


def _timeline_blocks(timeline: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """The "How this figure changed" block: each distinct figure, its date, outlet and sentence.

    Only when there are two figures or more: one alone repeats a result and shows no change.
    """
    if len(timeline) < 2:
        return []
    entries = [
        messages.TIMELINE_ENTRY.format(
            date=format_date(entry.date),
            figure=fit(entry.figure, 100),
            source=link(entry.url, entry.source or messages.OUTLET_UNKNOWN),
            text=fit(entry.text, MAX_TIMELINE_TEXT),
        )
        for entry in timeline
    ]
    body = cut("\n".join([messages.TIMELINE_TITLE, *entries]), MAX_SECTION_CHARS)
    return [{"type": "divider"}, section(body)]


def _fallback(answer: Answer, hits: Sequence[Hit]) -> str:
    parts = [
        f"“{hit.text}” ({hit.source or messages.OUTLET_UNKNOWN}, {format_date(hit.date)}"
        + (f", {hit.attribution.speaker})" if hit.attribution else ")")
        for hit in hits
    ]
    return fit(f"{answer.question}: " + "; ".join(parts), MAX_FALLBACK_CHARS)


def render_answer(
    answer: Answer,
    *,
    page_size: int,
    offset: int = 0,
    echo: bool = False,
    shared_by: str | None = None,
    share_key: str | None = None,
    notes: Sequence[str] = (),
) -> Reply:
    """The answer to one question (one page of it), with buttons to dig in, page and vote.

    `echo` repeats the question (slash commands and later pages: it is not visible otherwise);
    `shared_by` names who shared it to the channel; `share_key` (the key under which this very
    answer is kept, see `bot.shown`) adds "Share in channel"; `notes` are short mrkdwn remarks.
    """
    question = answer.question
    blocks: list[dict[str, Any]] = []
    if shared_by and _USER_ID.fullmatch(shared_by):
        blocks.append(section(messages.SHARED_BY.format(user=shared_by, question=fit(question, 2900))))
    elif echo or offset:
        label = messages.MORE_RESULTS_FOR if offset else messages.RESULTS_FOR
        blocks.append(section(label.format(question=fit(question, 2900))))
    if notes:
        blocks.append(context("\n".join(notes)))

    hits: Sequence[Hit] = answer.results if answer.answered else ()
    timeline = _timeline_blocks(answer.timeline) if hits and not offset else []
    # Room for the header, notes, the timeline, a cut notice and the footer; each hit takes 4 blocks.
    shown = list(hits[: (MAX_BLOCKS - len(blocks) - len(timeline) - 2) // 4])
    if not shown:
        if offset:
            text = messages.NO_MORE
            blocks.append(section(text))
        else:
            noun = "article" if answer.articles_searched == 1 else "articles"
            template = messages.NO_ANSWER_BECAUSE if answer.refusal_reason else messages.NO_ANSWER
            text = template.format(
                articles=f"{answer.articles_searched:,}", noun=noun, reason=escape(answer.refusal_reason)
            )
            blocks += [section(text), context(messages.NO_ANSWER_HINT)]
    else:
        for i, hit in enumerate(shown):
            if i:
                blocks.append({"type": "divider"})
            blocks += _hit_blocks(hit)
        if len(shown) < len(hits):
            blocks.append(context(messages.CUT_RESULTS.format(shown=len(shown), total=len(hits))))
        blocks += timeline
        text = _fallback(answer, shown)

    footer: list[dict[str, Any]] = []
    # A follow-up pages (and is voted on) as searched: "and how many were wounded?" alone is another question.
    searched = answer.searched_as if answer.follow_up_to else question
    page = {"q": searched, "o": offset}
    if shown and len(hits) >= page_size:
        more = encode_value({"q": searched, "o": offset + len(shown)})
        footer.append(button(messages.BUTTON_MORE, ACTION_MORE, more))
    if share_key:
        share = encode_value({"k": share_key, "o": offset})
        footer.append(button(messages.BUTTON_SHARE, ACTION_SHARE, share, style="primary"))
    vote = encode_value({**page, "ids": [hit.sentence_id for hit in shown]})
    footer += [
        button(messages.BUTTON_UP, ACTION_VOTE_UP, vote),
        button(messages.BUTTON_DOWN, ACTION_VOTE_DOWN, vote),
    ]
    blocks.append({"type": "actions", "elements": footer})
    return Reply(text=text, blocks=blocks)


def render_context(ctx: Context) -> Reply:
    """The sentences around a quoted sentence, the sentence itself quoted."""
    blocks = [
        section(messages.CONTEXT_TITLE.format(title=fit(ctx.title or messages.LINK, MAX_TITLE_CHARS))),
        context(source_line(ctx.source, ctx.date, ctx.url, ctx.title)),
    ]
    if ctx.before:
        blocks.append(section(fit(" ".join(ctx.before), MAX_SECTION_CHARS)))
    blocks.append(section(quote(ctx.sentence)))
    if ctx.after:
        blocks.append(section(fit(" ".join(ctx.after), MAX_SECTION_CHARS)))
    text = fit(" ".join((*ctx.before, ctx.sentence, *ctx.after)), MAX_FALLBACK_CHARS)
    return Reply(text=text, blocks=blocks)


def render_citation(citation: str) -> Reply:
    body = fit(citation, MAX_SECTION_CHARS - 6)
    return Reply(
        text=fit(citation, MAX_FALLBACK_CHARS),
        blocks=[section(messages.CITATION), section(f"```{body}```")],
    )


def render_home(stats: IndexStats | None, error: str | None = None) -> dict[str, Any]:
    """The App Home view: what is indexed, and how to ask."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": messages.HOME_TITLE}},
        section(messages.HOME_INTRO),
        {"type": "divider"},
    ]
    if stats is None:
        # `error` is plain text (an exception's message): escaped here, once.
        blocks.append(section(messages.HOME_NO_INDEX.format(error=fit(error or "", 2500))))
    else:
        if stats.date_min and stats.date_max:
            date_range = f"{format_date(stats.date_min)} – {format_date(stats.date_max)}"
        else:
            date_range = messages.DATE_UNKNOWN
        undated = messages.HOME_UNDATED.format(count=stats.undated_articles) if stats.undated_articles else ""
        blocks.append(
            section(
                messages.HOME_STATS.format(
                    articles=stats.articles,
                    sentences=stats.sentences,
                    date_range=date_range,
                    undated=undated,
                    built_at=escape(stats.built_at or messages.DATE_UNKNOWN),
                )
            )
        )
        if stats.outlets:
            lines = [f"• {fit(name, 100)}: {count:,}" for name, count in stats.outlets[:30]]
            if len(stats.outlets) > 30:
                lines.append(messages.HOME_MORE_OUTLETS.format(count=len(stats.outlets) - 30))
            outlets = fit("\n".join(lines), MAX_SECTION_CHARS - 100, str)
            blocks.append(section(messages.HOME_OUTLETS.format(outlets=outlets)))
    blocks += [{"type": "divider"}, section(messages.HOME_HOW), section(messages.HOME_FIGURES)]
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
