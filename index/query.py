"""Parses what a reporter types: the question plus filters such as `since:2024-03-01 source:CNN`."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .errors import QuestionError

FILTER = re.compile(r"(?<!\S)(since|after|before|until|source|outlet|said):(\"[^\"]+\"|\S+)", re.I)
# A partial date is read at its first day; its period ("year", "month") then gives its last.
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_MONTH_OF_YEAR": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
}
# "what did Lee say about the troops?": the speaker becomes a `said:` filter, the rest the question.
ASKED_OF = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have)\s+(?P<speaker>.+?)\s+(?:say|said|tell|told)"
    r"(?:\s+(?:reporters|us|(?:the\s+)?press))?(?:\s+(?:about|on|of|regarding)\s+(?P<rest>.+?))?\s*\??\s*$",
    re.I,
)


@dataclass(frozen=True)
class Query:
    text: str
    since: dt.date | None = None
    before: dt.date | None = None
    sources: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()  # said:Lee, or "what did Lee say about …?"
    # "what did X say about …?" as typed: searched so when nobody called X is quoted.
    asked: str = ""
    typed: str = ""  # the question as typed, when `text` has had its typos mended

    @property
    def filtered(self) -> bool:
        return bool(self.since or self.before or self.sources or self.speakers)


def parse_query(raw: str, *, max_chars: int) -> Query:
    """Split filters from the question; raise QuestionError for an empty or over-long question.

    A partial date covers its whole period: `since:` takes its first day (since:2025 is
    2025-01-01, since:June-2025 2025-06-01) and `before:` runs through its last (before:2025
    keeps 2025-12-31). `Query.before` is the first day excluded: before:2024-04-01 keeps March,
    before:2025 is stored as 2026-01-01. A `before:` earlier than the `since:` is a QuestionError.
    """
    if len(raw) > max_chars:
        raise QuestionError(
            f"That question is {len(raw):,} characters long; ask in at most {max_chars:,} "
            "(one question, not a document)."
        )
    since = before = None
    since_typed = before_typed = ""
    sources: list[str] = []
    speakers: list[str] = []
    for match in FILTER.finditer(raw):
        key, value = match.group(1).lower(), match.group(2).strip('"')
        if key in ("since", "after"):
            since, since_typed = _parse_date(key, value)[0], match.group(0)
        elif key in ("before", "until"):
            first, last = _parse_date(key, value)
            through_last = key == "until" or first != last
            before = last + dt.timedelta(days=1) if through_last else first
            before_typed = match.group(0)
        elif key == "said":
            speakers.append(value)
        else:
            sources.append(value)
    if since and before and before <= since:
        last_kept = before - dt.timedelta(days=1)
        raise QuestionError(
            f"`{before_typed}` (up to {last_kept.isoformat()}) is earlier than `{since_typed}` "
            f"({since.isoformat()}), so no article could match; swap the two dates."
        )
    text = " ".join(FILTER.sub(" ", raw).split())
    asked = ASKED_OF.match(text)
    typed = text
    if asked:
        # Searched as the sentences read ("Lee said … weapons"): the bare topic is too short a
        # question to reach the answer threshold.
        speaker = asked.group("speaker")
        speakers.append(speaker)
        text = f"{speaker} said {asked.group('rest') or ''}".strip()
    if not text:
        raise QuestionError(
            'The question is empty: ask something like `newsdesk ask "how many NK soldiers died?"`.'
        )
    return Query(
        text=text,
        since=since,
        before=before,
        sources=tuple(sources),
        speakers=tuple(speakers),
        asked=typed if asked else "",
    )


def _parse_date(key: str, value: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of the date, month or year that `value` names."""
    try:
        day = dt.date.fromisoformat(value)
        return day, day
    except ValueError:
        pass
    from dateparser.date import DateDataParser

    data = DateDataParser(settings=_DATEPARSER_SETTINGS).get_date_data(value)
    if data.date_obj is None:
        raise QuestionError(f"`{key}:{value}` is not a date I can read; write it as {key}:2024-03-01.")
    first = data.date_obj.date()
    if data.period == "year":
        return first.replace(month=1, day=1), first.replace(month=12, day=31)
    if data.period == "month":
        last_day = calendar.monthrange(first.year, first.month)[1]
        return first.replace(day=1), first.replace(day=last_day)
    return first, first
