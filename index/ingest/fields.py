"""Checks and conversions shared by the readers: bytes to text, dates, authors, the Article."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from dataclasses import dataclass
from io import BufferedIOBase
from typing import Any
from urllib.parse import urlsplit

from ..errors import IngestError
from ..records import Article
from ..sentences import split_sentences
from .clean import clean_text, remove_controls
from .dates import DateOrder

_TITLE_CHARS = 80
_ENCODING_HINT = "save it as UTF-8 (for example `iconv -f windows-1252 -t utf-8 FILE`)"


@dataclass(frozen=True)
class ReadOptions:
    """What every reader is told: the size limit and the day/month order the user stated."""

    max_bytes: int
    date_order: DateOrder | None = None


def read_limited(stream: BufferedIOBase, label: str, max_bytes: int) -> bytes:
    """Read at most `max_bytes`, so a huge file or a gzip bomb is refused without being loaded."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        grows = "decompresses to more" if isinstance(stream, gzip.GzipFile) else "is larger"
        raise IngestError(label, f"{grows} than the {_size(max_bytes)} limit; split it into smaller files")
    return data


def read_document(stream: BufferedIOBase, label: str, max_bytes: int) -> str:
    """A whole text document within the size limit; an empty one is an error."""
    text = decode(read_limited(stream, label, max_bytes), label)
    if not text.strip():
        raise IngestError(label, "is empty")
    return text


def decode(data: bytes, label: str) -> str:
    """UTF-8 text (a BOM is allowed); binary or other encodings are refused, not guessed."""
    if b"\x00" in data:
        raise IngestError(label, "looks binary (contains NUL bytes); if it is UTF-16 text, save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(label, f"is not valid UTF-8 at byte {exc.start}; {_ENCODING_HINT}") from None


def parse_authors(value: Any) -> tuple[str, ...]:
    """Authors from a list or from one string ("A and B", "A, B")."""
    if value is None:
        return ()
    names = value if isinstance(value, list) else re.split(r",|\band\b|;", str(value))
    return tuple(name for name in (str(n).strip() for n in names) if name)


def text_field(record: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any]:
    """The first of `names` present in `record`, with its value (("", None) when none is)."""
    for name in names:
        if record.get(name) not in (None, ""):
            return name, record[name]
    return "", None


def host_outlet(url: str | None) -> str | None:
    """A readable outlet from a URL: its host without "www." (no lookup table)."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return host.removeprefix("www.") if host else None


def make_article(
    label: str,
    *,
    body: str,
    title: str | None = None,
    source: str | None = None,
    date: dt.date | None = None,
    url: str | None = None,
    authors: tuple[str, ...] = (),
    path: str | None = None,
    sentences: tuple[str, ...] | None = None,
    article_id: Any = None,
) -> Article:
    """Clean the body, detect the outlet and fill in the title; refuse an article without text.

    A source given in the file wins over one detected from the text, which wins over the URL's
    host. Without a title, the first sentence (cut to about 80 characters) is the title. Every
    field loses its control characters (`remove_controls`); one holding a lone UTF-16 surrogate
    (a JSON "\\ud800"), which SQLite and terminals cannot take, refuses the article.
    """
    title = _one_line(title, "title", label)
    if sentences is None:
        cleaned = clean_text(_storable(body, "text", label), title=title)
        body, detected = cleaned.body, cleaned.source
    else:
        sentences = tuple(
            s for s in (remove_controls(_storable(s, "sentences", label)).strip() for s in sentences) if s
        )
        body, detected = " ".join(sentences), None
    if not body.strip():
        raise IngestError(label, "has no article text")
    source = _one_line(source, "source", label) or detected or host_outlet(url)
    return Article(
        title=title or _title_from(body),
        body=body,
        source=source,
        date=date,
        url=_one_line(url, "url", label),
        authors=tuple(a for a in (_one_line(a, "authors", label) for a in authors) if a),
        path=path,
        sentences=sentences,
        id=_one_line(article_id, "id", label),
    )


def _title_from(body: str) -> str:
    sentences = split_sentences(body[:2000])
    first = sentences[0] if sentences else body.strip()
    if len(first) <= _TITLE_CHARS:
        return first
    cut = first[:_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def _one_line(value: Any, field: str, label: str) -> str | None:
    if value is None:
        return None
    text = " ".join(remove_controls(_storable(str(value), field, label)).split())
    return text or None


def _storable(text: str, field: str, label: str) -> str:
    """`text` when it encodes as UTF-8; a lone surrogate cannot reach SQLite or a terminal."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = f"\\u{ord(text[exc.start]):04x}"
        raise IngestError(
            label,
            f"field {field!r} holds a lone UTF-16 surrogate ({code}) at character {exc.start + 1}, "
            "which is not text; fix or remove that escape",
        ) from None
    return text


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"
