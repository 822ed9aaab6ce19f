"""Reads an article's date: ISO forms first, then dateparser in the stated day/month order.

A date such as 06/07/2025 reads two ways. With an order stated (`--date-order`, or a
`date_order` field in the file) it is read that way; without one it is read month first, as
before, and a warning names the file, the date and both readings. A date more than a day in
the future is refused: the article is kept without a date (and a warning says so), so a typo
such as 2052 never makes a story look newest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import dateparser

from ..config import DATE_ORDERS, DateOrder
from ..errors import IngestError

_FUTURE_GRACE = dt.timedelta(days=1)  # time zones: "tomorrow" somewhere is today here
_SETTINGS: dict[str, Any] = {
    # A date needs all three parts, and "yesterday" or a bare number is never a date.
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}


@dataclass(frozen=True)
class DateReading:
    """The date read (None when absent or refused) and a warning for the user, if any."""

    date: dt.date | None
    warning: str | None = None


def parse_date_order(value: Any, where: str) -> DateOrder | None:
    """The order named by a file's `date_order` field; an IngestError for anything but dmy/mdy."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lower() in DATE_ORDERS:
        return cast(DateOrder, value.strip().lower())
    raise IngestError(where, f"field 'date_order' must be dmy or mdy, not {value!r}")


def read_date(
    value: Any,
    field: str,
    label: str,
    *,
    order: DateOrder | None = None,
    today: dt.date | None = None,
) -> DateReading:
    """The date in `value`; an IngestError naming `field` when present but not a full date."""
    date, warning = _parse(value, field, label, order)
    if date is None:
        return DateReading(None)
    today = today or dt.date.today()
    if date > today + _FUTURE_GRACE:
        return DateReading(
            None,
            f"field {field!r} is {date.isoformat()}, in the future; the article is kept without "
            "a date (correct the date in the file)",
        )
    return DateReading(date, warning)


def _parse(value: Any, field: str, label: str, order: DateOrder | None) -> tuple[dt.date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        iso = _iso(text)
        if iso is not None:
            return iso, None
        if order is not None:
            stated = _dateparser(text, order)
            if stated is not None:
                return stated, None
        else:
            month_first, day_first = _dateparser(text, "mdy"), _dateparser(text, "dmy")
            date = month_first or day_first
            if date is not None:
                return date, _ambiguity(field, text, month_first, day_first)
    raise IngestError(label, f"field {field!r} is not a date: {value!r}; use a full date such as 2025-06-26")


def _iso(text: str) -> dt.date | None:
    """2025-06-26, 2025-06-26T10:00:00Z, 2025/06/26: a year first is never ambiguous."""
    for parse in (dt.datetime.fromisoformat, lambda t: dt.datetime.strptime(t, "%Y/%m/%d")):
        try:
            return parse(text).date()
        except ValueError:
            pass
    return None


def _dateparser(text: str, order: DateOrder) -> dt.date | None:
    settings = {**_SETTINGS, "DATE_ORDER": order.upper()}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed is not None else None


def _ambiguity(field: str, text: str, month_first: dt.date | None, day_first: dt.date | None) -> str | None:
    if month_first is None or day_first is None or month_first == day_first:
        return None
    return (
        f"field {field!r} is {text!r}, which reads two ways: {_long(month_first)} (month first, "
        f"used) or {_long(day_first)} (day first); state the order with `date_order: dmy` "
        "(or mdy) in the file, or `--date-order dmy` on the command line"
    )


def _long(date: dt.date) -> str:
    return f"{date:%B} {date.day}, {date.year}"
