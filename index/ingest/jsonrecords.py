"""Reads articles from .json (an object or a list of them) and .jsonl (one object a line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BufferedIOBase
from typing import Any

from ..errors import IngestError
from ..records import Article
from .fields import decode, make_article, parse_authors, parse_date, read_document, text_field

TEXT_FIELDS = ("text", "body")
DATE_FIELDS = ("date", "published", "publish_date")
SOURCE_FIELDS = ("source", "outlet")


def read_json(stream: BufferedIOBase, label: str, *, max_bytes: int) -> Iterator[Article | IngestError]:
    """Yield each article of a .json file; a bad record is yielded as an IngestError."""
    text = read_document(stream, label, max_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise IngestError(label, reason) from None
    if isinstance(data, list):
        if not data:
            raise IngestError(label, "holds an empty list; add article objects to it")
        for number, record in enumerate(data, 1):
            yield _article_or_error(record, f"{label} item {number}", label)
    else:
        yield _article_or_error(data, label, label)


def read_jsonl(stream: BufferedIOBase, label: str, *, max_bytes: int) -> Iterator[Article | IngestError]:
    """Yield each article of a .jsonl file, streamed; `max_bytes` applies to each line.

    A bad line is yielded as an IngestError naming `file:line` and the next lines are read.
    """
    records = 0
    for number, line in _lines(stream, max_bytes):
        where = f"{label}:{number}"
        if line is None:
            yield IngestError(where, f"line is larger than the {max_bytes:,} byte limit; skipped")
            continue
        try:
            text = decode(line, where)
        except IngestError as exc:
            yield exc
            continue
        if not text.strip():
            continue
        records += 1
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield IngestError(where, f"is not valid JSON at column {exc.colno}: {exc.msg}")
            continue
        yield _article_or_error(record, where, label)
    if records == 0:
        yield IngestError(label, "is empty")


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


def _article_or_error(record: Any, where: str, path: str) -> Article | IngestError:
    try:
        return article_from_record(record, where, path)
    except IngestError as exc:
        return exc


def article_from_record(record: Any, where: str, path: str) -> Article:
    """An Article from one JSON object (fields: title, text or body, date, source, url, authors).

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
    return make_article(
        where,
        body=text or "",
        title=record.get("title"),
        source=text_field(record, SOURCE_FIELDS)[1],
        date=parse_date(date_value, date_name, where),
        url=text_field(record, ("url", "link"))[1],
        authors=parse_authors(text_field(record, ("authors", "author"))[1]),
        path=path,
        sentences=sentences,
        article_id=record.get("id"),
    )


def _sentences(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise IngestError(where, "field 'sentences' must be a list of strings")
    kept = tuple(s.strip() for s in value if s.strip())
    if not kept:
        raise IngestError(where, "field 'sentences' is empty")
    return kept
