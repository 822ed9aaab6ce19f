"""Dates and citations as a reporter pastes them (AP style months)."""

from __future__ import annotations

import datetime as dt

from .attribution import Attribution

# AP style abbreviates these months when a day follows; the rest are spelled out.
AP_MONTHS = {1: "Jan.", 2: "Feb.", 8: "Aug.", 9: "Sept.", 10: "Oct.", 11: "Nov.", 12: "Dec."}
DATE_UNKNOWN = "date unknown"


def format_date(date: dt.date | None) -> str:
    if date is None:
        return DATE_UNKNOWN
    month = AP_MONTHS.get(date.month, date.strftime("%B"))
    return f"{month} {date.day}, {date.year}"


def format_citation(
    text: str,
    source: str | None,
    date: dt.date | None,
    title: str,
    attribution: Attribution | None = None,
) -> str:
    """`"Around 600 ..." (AFP, June 26, 2025)`: the exact sentence, then outlet and date.

    When the sentence does not name its speaker in full ("according to Lee"), the citation does:
    `(AFP, June 26, 2025, attributed to Lee Seong-kweun)`.
    """
    origin = source or f"“{title}”"
    named = ""
    if attribution and attribution.speaker.casefold() not in text.casefold():
        named = f", attributed to {attribution.speaker}"
    return f'"{nest_quotes(text)}" ({origin}, {format_date(date)}{named})'


def format_attribution(attribution: Attribution) -> str:
    """`Lee Seong-kweun ("according to"), citing South Korean intelligence service`."""
    cue = f" (“{attribution.cue}”)" if attribution.cue else " (quoted)"
    citing = f", citing {attribution.citing}" if attribution.citing else ""
    return f"{attribution.speaker}{cue}{citing}"


def nest_quotes(text: str) -> str:
    """Double quotes inside a quotation become single quotes, as style guides require."""
    return text.translate(NESTED)


NESTED = str.maketrans({"“": "‘", "”": "’", '"': "'"})
