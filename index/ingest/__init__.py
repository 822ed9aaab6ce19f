"""Reads article files and folders into Articles, yielding an IngestError for each bad one.

Where each field comes from, highest precedence first:

1. `--source` / `--date` given on the command line (the `source` and `date` arguments);
2. metadata in the file: YAML front matter, JSON fields, a page's <meta> tags;
3. what the text itself says: a wire credit ("Source: AFP/lh", "WASHINGTON (Reuters) -",
   a closing "— AP") or a site name above its domain at the end of the page;
4. for the outlet only, the host of the article's URL without "www.".

A date is never invented: without one it stays None, and a date that is present but cannot
be read is an error naming the field (index/ingest/dates.py: day/month order, future dates).
Without a title, a text file's first line is the title if it reads like a headline;
otherwise the first sentence, cut to about 80 characters, is.

Every input that is not read is named: an IngestError for what could not be read (its
`input_path` is the file or folder whose articles this run may lack), an IngestWarning for what
was skipped on purpose (a link out of the paths given, a named pipe) or read with a doubt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import os
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from io import BufferedIOBase
from pathlib import Path

from ..errors import IngestError
from ..records import Article, IngestWarning
from .dates import DateOrder
from .fields import ReadOptions
from .html import read_html
from .jsonrecords import read_json, read_jsonl
from .text import read_text
from .walk import describe_mode, find_files

Item = Article | IngestError | IngestWarning
Reader = Callable[[BufferedIOBase, str, ReadOptions], Iterator[Item]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".html": read_html,
    ".htm": read_html,
}
_SUPPORTED = "newsdesk reads .txt .md .json .jsonl .html .htm, optionally .gz"

__all__ = ["READERS", "Item", "read_articles"]


def read_articles(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    source: str | None = None,
    date: dt.date | None = None,
    date_order: DateOrder | None = None,
    follow_links: bool = False,
) -> Iterator[Item]:
    """Yield the articles in `paths` (files, or folders read recursively in sorted order).

    Hidden files and folders are skipped, and links leading out of `paths` too unless
    `follow_links`. Bad files and records are yielded as IngestErrors, never raised, so one
    broken article does not stop the others.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    options = ReadOptions(max_bytes=max_bytes, date_order=date_order)
    for found in find_files([Path(p) for p in paths], follow_links=follow_links):
        if not isinstance(found, Path):
            yield found
            continue
        for item in _read_file(found, options):
            if isinstance(item, Article) and (source or date):
                item = dataclasses.replace(item, source=source or item.source, date=date or item.date)
            yield item


def _read_file(file: Path, options: ReadOptions) -> Iterator[Item]:
    compressed = file.suffix.lower() == ".gz"
    kind = (Path(file.stem).suffix if compressed else file.suffix).lower()
    reader = READERS.get(kind)
    if reader is None:
        shown = kind + ".gz" if compressed else kind
        yield IngestError(file, f"unsupported file type '{shown or 'no extension'}' ({_SUPPORTED})")
        return
    records = kept = 0
    try:
        with _open(file) as raw:
            stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
            for item in reader(stream, str(file), options):
                records += not isinstance(item, IngestWarning)
                kept += isinstance(item, Article)
                yield item
    except _NotRegularFile as exc:
        yield IngestWarning(str(file), f"{exc}, not a regular file; skipped")
    except IngestError as exc:
        yield exc
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        why = (
            "the compressed data ends early"
            if isinstance(exc, EOFError)
            else "the compressed data is corrupt"
        )
        yield _damaged(
            file, records, kept, why, "is not a valid gzip file (it may be truncated); compress it again"
        )
    except OSError as exc:
        why = exc.strerror or str(exc)
        yield _damaged(file, records, kept, why, f"cannot be read: {why}")


def _damaged(file: Path, records: int, kept: int, why: str, unread: str) -> IngestError:
    """Say exactly what was kept of a file that broke part way (a truncated .jsonl.gz)."""
    if not records:
        return IngestError(file, unread)
    return IngestError(file, f"damaged after record {records:,}: {why}; {kept:,} records kept")


class _NotRegularFile(Exception):
    pass


def _open(file: Path) -> BufferedIOBase:
    """The file opened for reading, refusing anything but a regular file.

    The type is checked on the open descriptor (O_NONBLOCK, so a named pipe put in the file's
    place after it was listed cannot make the open wait for a writer).
    """
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _NotRegularFile(f"is {describe_mode(mode)}")
        os.set_blocking(fd, True)
        raw = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return raw
