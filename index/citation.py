"""Dates and citations as a reporter pastes them (AP style months)."""

from __future__ import annotations

import datetime as dt

# AP style abbreviates these months when a day follows; the rest are spelled out.
AP_MONTHS = {1: "Jan.", 2: "Feb.", 8: "Aug.", 9: "Sept.", 10: "Oct.", 11: "Nov.", 12: "Dec."}
DATE_UNKNOWN = "date unknown"


def format_date(date: dt.date | None) -> str:
    if date is None:
        return DATE_UNKNOWN
    month = AP_MONTHS.get(date.month, date.strftime("%B"))
    return f"{month} {date.day}, {date.year}"


def format_citation(text: str, source: str | None, date: dt.date | None, title: str) -> str:
    """`"Around 600 ..." (AFP, June 26, 2025)`: the exact sentence, then outlet and date."""
    origin = source or f"“{title}”"
    return f'"{nest_quotes(text)}" ({origin}, {format_date(date)})'


def nest_quotes(text: str) -> str:
    """Double quotes inside a quotation become single quotes, as style guides require."""
    return text.translate(NESTED)


NESTED = str.maketrans({"“": "‘", "”": "’", '"': "'"})
