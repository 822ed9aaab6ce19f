"""Reads .txt and .md articles, with optional YAML front matter for their metadata."""

from __future__ import annotations

from collections.abc import Iterator
from io import BufferedIOBase
from typing import Any

import frontmatter
import yaml

from ..errors import IngestError
from ..records import Article
from .clean import is_furniture
from .fields import make_article, parse_authors, parse_date, read_document, text_field

_HEADLINE_MAX_CHARS = 150
_HEADLINE_MAX_WORDS = 25


def read_text(stream: BufferedIOBase, label: str, *, max_bytes: int) -> Iterator[Article | IngestError]:
    """Yield the one article in a text file.

    Front matter keys: title, source (or outlet), date, url, author or authors. Without a
    title, a first line that reads like a headline (short, no closing full stop) is the title.
    """
    text = read_document(stream, label, max_bytes)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        reason = f"has unreadable front matter ({_first_line(exc)}); fix the YAML between the --- lines"
        raise IngestError(label, reason) from None
    meta: dict[str, Any] = post.metadata if isinstance(post.metadata, dict) else {}
    body = post.content
    title = meta.get("title")
    if not title:
        title, body = split_headline(body)
    date_field, date_value = text_field(meta, ("date", "published", "publish_date"))
    yield make_article(
        label,
        body=body,
        title=title,
        source=text_field(meta, ("source", "outlet"))[1],
        date=parse_date(date_value, date_field, label),
        url=meta.get("url"),
        authors=parse_authors(text_field(meta, ("authors", "author"))[1]),
        path=label,
        article_id=meta.get("id"),
    )


def split_headline(body: str) -> tuple[str | None, str]:
    """The first line as a headline, and the rest, when that line reads like a headline."""
    first, _, rest = body.lstrip().partition("\n")
    # A Markdown heading ("# Port strike ends") is a headline without its marker.
    first = first.strip().lstrip("#").strip()
    if rest.strip() and looks_like_headline(first):
        return first, rest
    return None, body


def looks_like_headline(line: str) -> bool:
    """Short, several words, no closing full stop, and not page furniture."""
    words = line.split()
    return (
        2 <= len(words) <= _HEADLINE_MAX_WORDS
        and len(line) <= _HEADLINE_MAX_CHARS
        and not line.endswith((".", "\u2026", ":", ";", ","))
        and not is_furniture(line)
    )


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
