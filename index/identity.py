"""Which stored article an input is: its URL, else its own `id`, else the file that holds it.

Two inputs with the same identity are versions of one article (a correction replaces what it
corrects); two with different identities are different articles, even word for word (wire copy
carried by several outlets stays several articles, each with its own outlet, URL and date).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import IngestError
from .records import Article

# Formats that hold one article a file, so the file is the article when nothing else names it.
_ONE_ARTICLE_KINDS = {".txt", ".md", ".html", ".htm"}
# How a reader names one record of a multi-record file: "a.jsonl:12", "a.json item 3".


def identity(article: Article) -> str:
    """The key that stays the same across versions of one article."""
    if article.url:
        return "url:" + article.url
    if article.id:
        return "id:" + article.id
    source = source_path(article)
    if source is not None and holds_one_article(source):
        return "path:" + source
    # A record of a JSON file with neither URL nor id is known only by what it says.
    text = json.dumps([article.title, article.body, article.sentences], ensure_ascii=False)
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_path(article: Article) -> str | None:
    """The absolute path of the file the article was read from."""
    return str(Path(article.path).resolve()) if article.path else None


def unread_input(failure: IngestError) -> Path:
    """The file or folder a failure could not read (a record's failure names its whole file)."""
    # realpath, not Path.resolve(): a link that loops is exactly the kind of input that failed,
    # and Path.resolve() raises on it.
    return Path(os.path.realpath(failure.input_path))


def lies_under(path: str | None, inputs: list[Path]) -> Path | None:
    """The input (a file, or a folder read recursively) that `path` lies under, if any."""
    if not path:
        return None
    candidate = Path(path)
    for root in inputs:
        if candidate == root or root in candidate.parents:
            return root
    return None


@dataclass(frozen=True)
class Version:
    """One version of an article met during a build, enough to tell which is the newer."""

    path: str
    date: dt.date | None
    modified: float

    @classmethod
    def of(cls, article: Article) -> Version:
        path = article.path or ""
        try:
            modified = os.stat(path).st_mtime if path else 0.0
        except OSError:
            modified = 0.0
        return cls(path=path, date=article.date, modified=modified)

    def is_newer_than(self, other: Version) -> bool:
        """By the article's date, then by its file's modified time; a full tie keeps the later read."""
        mine = (self.date or dt.date.min, self.modified)
        theirs = (other.date or dt.date.min, other.modified)
        return mine >= theirs


def holds_one_article(path: str) -> bool:
    """Whether the file's format holds one article (text, Markdown, a web page), gzipped or not."""
    name = Path(path)
    kind = Path(name.stem).suffix if name.suffix.lower() == ".gz" else name.suffix
    return kind.lower() in _ONE_ARTICLE_KINDS
