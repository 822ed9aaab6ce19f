"""Reads saved web pages: trafilatura finds the article text and its metadata, offline."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import BufferedIOBase

import trafilatura
from trafilatura.metadata import Document

from ..errors import IngestError
from ..records import Article, IngestWarning
from ..sentences import split_sentences
from .dates import read_date
from .fields import ReadOptions, decode, make_article, parse_authors, read_limited

_NO_ARTICLE = "no article text found; save the article page itself, not an index page"
_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.I)
# A sentence of running text: some words and a closing full stop, question or exclamation mark.
_PROSE = re.compile(r"(?:\S+\s+){3,}\S*[.!?][\"')\]\u2019\u201d]*$")


def read_html(stream: BufferedIOBase, label: str, options: ReadOptions) -> Iterator[Article | IngestWarning]:
    """Yield the article of a saved page (title, date, site name, URL, author from its metadata).

    The page is only parsed, never fetched: trafilatura receives the HTML text, not a URL.
    """
    html = _decode_page(read_limited(stream, label, options.max_bytes), label)
    if not html.strip():
        raise IngestError(label, "is empty")
    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        # Dates only from the page's markup and URL, never guessed from its running text.
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": dt.date.today().isoformat(),
        },
    )
    if not isinstance(document, Document) or not document.text:
        raise IngestError(label, _NO_ARTICLE)
    date = read_date(document.date, "date", label, order=options.date_order)
    article = make_article(
        label,
        body=document.text,
        title=document.title,
        source=document.sitename,
        date=date.date,
        url=document.url,
        authors=parse_authors(document.author and document.author.split(";")),
        path=label,
    )
    # trafilatura falls back to menus and link lists on pages without an article.
    if not any(_PROSE.search(sentence) for sentence in split_sentences(article.body)):
        raise IngestError(label, _NO_ARTICLE)
    if date.warning:
        yield IngestWarning(label, date.warning)
    yield article


def _decode_page(data: bytes, label: str) -> str:
    """UTF-8, or the charset the page declares in a <meta> tag; never a guessed one."""
    try:
        return decode(data, label)
    except IngestError:
        declared = _DECLARED_CHARSET.search(data[:4096])
        if not declared or b"\x00" in data:
            raise
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            charset = declared.group(1).decode("ascii")
            raise IngestError(label, f"is not valid {charset}, the charset its <meta> tag declares") from None
