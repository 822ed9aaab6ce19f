"""Reads articles from .json (an object or a list of them) and .jsonl (one object a line)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from io import BufferedIOBase
from typing import Any

from ..errors import IngestError
from ..records import Article, IngestWarning
from .dates import DateOrder, parse_date_order, read_date
from .fields import ReadOptions, decode, make_article, parse_authors, read_document, text_field

TEXT_FIELDS = ("text", "body")
DATE_FIELDS = ("date", "published", "publish_date")
SOURCE_FIELDS = ("source", "outlet")


Item = Article | IngestError | IngestWarning


def read_json(stream: BufferedIOBase, label: str, options: ReadOptions) -> Iterator[Item]:
    """Yield each article of a .json file; a bad record is yielded as an IngestError."""
    data = _load(read_document(stream, label, options.max_bytes), label, label)
    if isinstance(data, list):
        if not data:
            raise IngestError(label, "holds an empty list; add article objects to it")
        for number, record in enumerate(data, 1):
            yield from _article_or_error(record, f"{label} item {number}", label, options.date_order)
    else:
        yield from _article_or_error(data, label, label, options.date_order)


def read_jsonl(stream: BufferedIOBase, label: str, options: ReadOptions) -> Iterator[Item]:
    """Yield each article of a .jsonl file, streamed; `max_bytes` applies to each line.

    A bad line is yielded as an IngestError naming `file:line` and the next lines are read.
    """
    records = 0
    for number, line in _lines(stream, options.max_bytes):
        where = f"{label}:{number}"
        if line is None:
            reason = f"line is larger than the {options.max_bytes:,} byte limit; skipped"
            yield IngestError(where, reason, input_path=label, scope="record")
            continue
        try:
            text = decode(line, where)
            if not text.strip():
                continue
            records += 1
            record = _load(text, where, label)
        except IngestError as exc:
            yield IngestError(exc.path, exc.reason, input_path=label, scope="record")
            continue
        yield from _article_or_error(record, where, label, options.date_order)
    if records == 0:
        yield IngestError(label, "is empty")


def _load(text: str, where: str, path: str) -> Any:
    """Parsed JSON; malformed, too deeply nested or oversized numbers are an IngestError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = f"line {exc.lineno}, column {exc.colno}" if path == where else f"column {exc.colno}"
        raise IngestError(where, f"is not valid JSON at {at}: {exc.msg}") from None
    except RecursionError:
        raise IngestError(where, "nests JSON arrays or objects too deeply to read") from None
    except ValueError:
        # Python refuses to convert integers longer than its digit limit (a denial of service guard).
        limit = sys.get_int_max_str_digits()
        reason = f"holds a number of more than {limit:,} digits, too long to read; write it as a string"
        raise IngestError(where, reason) from None


def _lines(stream: BufferedIOBase, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; None for a line over `max_bytes`, which is skipped without being kept."""
    number = 0
    while raw := stream.readline(max_bytes + 1):
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(max_bytes + 1)
            yield number, None
        else:
            yield number, raw


def _article_or_error(record: Any, where: str, path: str, order: DateOrder | None) -> Iterator[Item]:
    try:
        article, warning = article_from_record(record, where, path, order)
    except IngestError as exc:
        scope = "file" if where == path else "record"
        yield IngestError(exc.path, exc.reason, input_path=path, scope=scope)
        return
    if warning:
        yield IngestWarning(where, warning)
    yield article


def article_from_record(
    record: Any, where: str, path: str, order: DateOrder | None = None
) -> tuple[Article, str | None]:
    """An Article from one JSON object (fields: title, text or body, date, date_order, source,
    url, authors), and a warning about its date if there is one.

    An optional `sentences` list fixes the sentence boundaries; the body is then their join.
    """
    if not isinstance(record, dict):
        raise IngestError(where, f"is a JSON {type(record).__name__}, not an object with a 'text' field")
    sentences = _sentences(record.get("sentences"), where)
    text_name, text = text_field(record, TEXT_FIELDS)
    if sentences is None and text is None:
        raise IngestError(where, "has no 'text' or 'body' field")
    if sentences is None and not isinstance(text, str):
        raise IngestError(where, f"field {text_name!r} must be a string, not {type(text).__name__}")
    date_name, date_value = text_field(record, DATE_FIELDS)
    date = read_date(
        date_value, date_name, where, order=parse_date_order(record.get("date_order"), where) or order
    )
    article = make_article(
        where,
        body=text or "",
        title=record.get("title"),
        source=text_field(record, SOURCE_FIELDS)[1],
        date=date.date,
        url=text_field(record, ("url", "link"))[1],
        authors=parse_authors(text_field(record, ("authors", "author"))[1]),
        path=path,
        sentences=sentences,
        article_id=record.get("id"),
    )
    return article, date.warning


def _sentences(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise IngestError(where, "field 'sentences' must be a list of strings")
    kept = tuple(s.strip() for s in value if s.strip())
    if not kept:
        raise IngestError(where, "field 'sentences' is empty")
    return kept
