"""Reads article files and folders into Articles, yielding an IngestError for each bad one.

Where each field comes from, highest precedence first:

1. `--source` / `--date` given on the command line (the `source` and `date` arguments);
2. metadata in the file: YAML front matter, JSON fields, a page's <meta> tags;
3. what the text itself says: a wire credit ("Source: AFP/lh", "WASHINGTON (Reuters) -",
   a closing "— AP") or a site name above its domain at the end of the page;
4. for the outlet only, the host of the article's URL without "www.".

A date is never invented: without one it stays None, and a date that is present but cannot
be read is an error naming the field. Without a title, a text file's first line is the title if
it reads like a headline; otherwise the first sentence, cut to about 80 characters, is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from io import BufferedIOBase
from pathlib import Path

from ..errors import IngestError
from ..records import Article
from .html import read_html
from .jsonrecords import read_json, read_jsonl
from .text import read_text

Reader = Callable[..., Iterator[Article | IngestError]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".html": read_html,
    ".htm": read_html,
}
_SUPPORTED = "newsdesk reads .txt .md .json .jsonl .html .htm, optionally .gz"

__all__ = ["READERS", "read_articles"]


def read_articles(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    source: str | None = None,
    date: dt.date | None = None,
) -> Iterator[Article | IngestError]:
    """Yield the articles in `paths` (files, or folders read recursively in sorted order).

    Hidden files and folders are skipped. Bad files and records are yielded as IngestErrors,
    never raised, so one broken article does not stop the others.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    for path in map(Path, paths):
        if not path.exists():
            yield IngestError(path, "does not exist; check the path")
            continue
        for file in _files(path):
            for item in _read_file(file, max_bytes):
                if isinstance(item, Article) and (source or date):
                    item = dataclasses.replace(item, source=source or item.source, date=date or item.date)
                yield item


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    found: list[Path] = []
    for folder, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(folder, name) for name in names if not name.startswith("."))
    return sorted(found, key=lambda p: p.parts)


def _read_file(file: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    compressed = file.suffix.lower() == ".gz"
    kind = (Path(file.stem).suffix if compressed else file.suffix).lower()
    reader = READERS.get(kind)
    if reader is None:
        shown = kind + ".gz" if compressed else kind
        yield IngestError(file, f"unsupported file type '{shown or 'no extension'}' ({_SUPPORTED})")
        return
    try:
        with _open(file, compressed) as stream:
            yield from reader(stream, str(file), max_bytes=max_bytes)
    except IngestError as exc:
        yield exc
    except (gzip.BadGzipFile, EOFError, zlib.error):
        yield IngestError(file, "is not a valid gzip file (it may be truncated); compress it again")
    except OSError as exc:
        yield IngestError(file, f"cannot be read: {exc.strerror or exc}")


def _open(file: Path, compressed: bool) -> BufferedIOBase:
    return gzip.open(file, "rb") if compressed else file.open("rb")
