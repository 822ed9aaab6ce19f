"""A quote check as Block Kit blocks plus fallback text (pure): verdict, outlets, differences, cite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from index.citation import format_date
from index.quote_check import Difference, QuoteCheck, QuoteMatch

from . import messages
from .render import (
    ACTION_CITE,
    ACTION_CONTEXT,
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    MAX_CONTEXT_CHARS,
    MAX_FALLBACK_CHARS,
    MAX_SECTION_CHARS,
    Reply,
    button,
    context,
    encode_value,
    escape,
    fit,
    quote,
    section,
    source_line,
)

# Outlets shown in full (sentence, differences, buttons); the others are listed on one line.
SHOWN_MATCHES = 4


def render_quote_checks(checks: Sequence[QuoteCheck]) -> Reply:
    """One reply for the quotes of a message (usually one), each with its verdict and outlets."""
    blocks: list[dict[str, Any]] = []
    texts = []
    shown = SHOWN_MATCHES if len(checks) == 1 else 2
    for n, check in enumerate(checks):
        if n:
            blocks.append({"type": "divider"})
        blocks += _check_blocks(check, shown)
        texts.append(_fallback(check))
    return Reply(text=fit(" ".join(texts), MAX_FALLBACK_CHARS), blocks=blocks[:MAX_BLOCKS])


def _check_blocks(check: QuoteCheck, shown: int) -> list[dict[str, Any]]:
    blocks = [section(messages.QUOTE_CHECKED.format(quote=fit(check.quote, 2800)))]
    if check.verdict == "not_found":
        noun = "article" if check.articles_searched == 1 else "articles"
        blocks.append(
            section(messages.QUOTE_NOT_FOUND.format(articles=f"{check.articles_searched:,}", noun=noun))
        )
        return blocks
    blocks.append(section(messages.QUOTE_EXACT if check.verdict == "exact" else messages.QUOTE_CLOSE))
    for n, match in enumerate(check.matches[:shown]):
        if n:
            blocks.append({"type": "divider"})
        blocks += _match_blocks(match)
    rest = check.matches[shown:]
    if rest:
        also = messages.QUOTE_ALSO_CARRIED.format(outlets=", ".join(_outlet(m) for m in rest))
        blocks.append(context(fit(also, MAX_CONTEXT_CHARS, str)))
    return blocks


def _outlet(match: QuoteMatch) -> str:
    name = escape(match.source or messages.OUTLET_UNKNOWN)
    first = f" ({messages.QUOTE_FIRST_PUBLISHED})" if match.earliest else ""
    return f"{name} · {format_date(match.date)}{first}"


def _match_blocks(match: QuoteMatch) -> list[dict[str, Any]]:
    meta = source_line(match.source, match.date, match.url, match.title)
    if len(meta) > MAX_CONTEXT_CHARS - 40:
        meta = source_line(match.source, match.date, None, match.title)
    if match.earliest:
        meta += f" · *{messages.QUOTE_FIRST_PUBLISHED}*"
    blocks = [section(quote(match.text)), context(meta)]
    if match.differences:
        lines = "\n".join(f"• {_difference(d)}" for d in match.differences)
        blocks.append(section(fit(messages.QUOTE_DIFFERENCES + "\n" + lines, MAX_SECTION_CHARS, str)))
    blocks.append(
        {
            "type": "actions",
            "elements": [
                button(messages.BUTTON_CITE, ACTION_CITE, fit(match.citation, MAX_BUTTON_VALUE, str)),
                button(
                    messages.BUTTON_CONTEXT,
                    ACTION_CONTEXT,
                    encode_value({"id": match.sentence_id, "t": match.text[:40]}),
                ),
            ],
        }
    )
    return blocks


def _difference(difference: Difference) -> str:
    return messages.QUOTE_DIFFERENCE.format(
        quoted=_code(difference.quoted), published=_code(difference.published)
    )


def _code(words: str) -> str:
    """Words in a code span (an empty one reads as "nothing"), cut short when very long."""
    if not words:
        return messages.QUOTE_NOTHING
    return "`" + fit(words.replace("`", "'"), 300) + "`"


def _fallback(check: QuoteCheck) -> str:
    if check.verdict == "not_found":
        return messages.QUOTE_FALLBACK_NOT_FOUND.format(quote=check.quote)
    best = check.matches[0]
    return messages.QUOTE_FALLBACK.format(verdict=check.verdict, quote=check.quote, citation=best.citation)
