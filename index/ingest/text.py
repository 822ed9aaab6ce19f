"""Reads .txt and .md articles, with optional YAML front matter for their metadata."""

from __future__ import annotations

from collections.abc import Iterator
from io import BufferedIOBase
from typing import Any

import frontmatter
import yaml

from ..errors import IngestError
from ..records import Article, IngestWarning
from .clean import is_furniture
from .dates import parse_date_order, read_date
from .fields import ReadOptions, make_article, parse_authors, read_document, text_field

_HEADLINE_MAX_CHARS = 150
_HEADLINE_MAX_WORDS = 25


def read_text(stream: BufferedIOBase, label: str, options: ReadOptions) -> Iterator[Article | IngestWarning]:
    """Yield the one article in a text file, after a warning about its date if there is one.

    Front matter keys: title, source (or outlet), date, date_order (dmy or mdy), url, author or
    authors. Without a title, a first line that reads like a headline (short, no closing full
    stop) is the title.
    """
    meta, body = _front_matter(read_document(stream, label, options.max_bytes), label)
    title = meta.get("title")
    if not title:
        title, body = split_headline(body)
    date_field, date_value = text_field(meta, ("date", "published", "publish_date"))
    order = parse_date_order(meta.get("date_order"), label) or options.date_order
    date = read_date(date_value, date_field, label, order=order)
    article = make_article(
        label,
        body=body,
        title=title,
        source=text_field(meta, ("source", "outlet"))[1],
        date=date.date,
        url=meta.get("url"),
        authors=parse_authors(text_field(meta, ("authors", "author"))[1]),
        path=label,
        article_id=meta.get("id"),
    )
    if date.warning:
        yield IngestWarning(label, date.warning)
    yield article


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader with limits: no aliases (a few hundred bytes of them expand to gigabytes), so
    what is loaded is never larger than the file; dates kept as text for `read_date` (so
    2025-02-30 is an error naming the field); numbers past Python's digit limit refused by line.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "uses a YAML alias (*name); write the value out in full",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)

    def construct_date_text(self, node: yaml.ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def construct_bounded_int(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_int(node)
        except ValueError:
            reason = f"a number of {len(node.value):,} digits is too long to read; quote it"
            raise yaml.constructor.ConstructorError(None, None, reason, node.start_mark) from None


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _FrontMatterLoader.construct_bounded_int)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_date_text)


class _YAMLFrontMatter(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_FrontMatterLoader)


def _front_matter(text: str, label: str) -> tuple[dict[str, Any], str]:
    """The metadata between the opening --- lines (YAML only) and the text after it."""
    handler = _YAMLFrontMatter()
    if not handler.detect(text.strip()):
        return {}, text.strip()
    try:
        meta, body = frontmatter.parse(text, handler=handler)
    except yaml.YAMLError as exc:
        raise IngestError(
            label, f"has unreadable front matter ({_yaml_problem(exc)}); fix the YAML between the --- lines"
        ) from None
    except RecursionError:
        raise IngestError(
            label, "has front matter nested too deeply to read; fix the YAML between the --- lines"
        ) from None
    return (meta if isinstance(meta, dict) else {}), body


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


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """ "line 3: what is wrong", the line counted in the file."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or not problem:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"line {mark.line + 1}: {problem}"
