"""Parses what a reporter types: the question plus filters such as `since:2024-03-01 source:CNN`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import QuestionError

FILTER = re.compile(r"(?<!\S)(since|after|before|until|source|outlet):(\"[^\"]+\"|\S+)", re.I)


@dataclass(frozen=True)
class Query:
    text: str
    since: dt.date | None = None
    before: dt.date | None = None
    sources: tuple[str, ...] = ()
    typed: str = ""  # the question as typed, when `text` has had its typos mended

    @property
    def filtered(self) -> bool:
        return bool(self.since or self.before or self.sources)


def parse_query(raw: str, *, max_chars: int) -> Query:
    """Split filters from the question; raise QuestionError for an empty or over-long question."""
    if len(raw) > max_chars:
        raise QuestionError(
            f"That question is {len(raw):,} characters long; ask in at most {max_chars:,} "
            "(one question, not a document)."
        )
    since = before = None
    sources: list[str] = []
    for match in FILTER.finditer(raw):
        key, value = match.group(1).lower(), match.group(2).strip('"')
        if key in ("since", "after"):
            since = _parse_date(key, value)
        elif key in ("before", "until"):
            before = _parse_date(key, value)
        else:
            sources.append(value)
    text = " ".join(FILTER.sub(" ", raw).split())
    if not text:
        raise QuestionError(
            'The question is empty: ask something like `newsdesk ask "how many NK soldiers died?"`.'
        )
    return Query(text=text, since=since, before=before, sources=tuple(sources))


def _parse_date(key: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    import dateparser

    parsed = dateparser.parse(value, settings={"PREFER_DAY_OF_MONTH": "first"})
    if parsed is None:
        raise QuestionError(f"`{key}:{value}` is not a date I can read; write it as {key}:2024-03-01.")
    return parsed.date()
