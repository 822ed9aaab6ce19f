"""Keep evaluation text out of the training data.

A quiz passage is dropped when it shares `n` consecutive words with a paragraph or title of an
excluded article or with an excluded gold sentence, or links to an excluded article's URL.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .json_lines import read_json_lines
from .text import ngrams, normal_url, strip_html, urls_in, words


@dataclass
class ExcludedText:
    paragraphs: list[str] = field(default_factory=list)
    gold_sentences: list[str] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    articles: int = 0

    @classmethod
    def read(cls, articles: Sequence[Path], questions: Sequence[Path]) -> ExcludedText:
        """`articles`: JSONL with "url", "title" and "text"; `questions`: a question set (JSONL)
        whose "expected" sentences and "urls" are excluded."""
        excluded = cls()
        for path in articles:
            for record in read_json_lines(path):
                excluded.articles += 1
                excluded.urls.add(normal_url(str(record.get("url") or "")))
                text = str(record.get("text") or "")
                excluded.paragraphs.extend(p for p in re.split(r"\n+", text) if p.strip())
                if record.get("title"):
                    excluded.paragraphs.append(str(record["title"]))
        for path in questions:
            for record in read_json_lines(path):
                expected = record.get("expected")
                if isinstance(expected, str):
                    excluded.gold_sentences.append(expected)
                elif isinstance(expected, list):
                    excluded.gold_sentences.extend(e for e in expected if isinstance(e, str))
                excluded.urls.update(normal_url(u) for u in record.get("urls") or [])
        return excluded


def drop_leaked(
    rows: list[dict[str, Any]], excluded: ExcludedText, n: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The quiz rows whose evidence does not leak, and how many each check caught."""
    rows_by_gram: dict[str, set[int]] = defaultdict(set)
    for i, row in enumerate(rows):
        for gram in ngrams(strip_html(row["evidence"]), n):
            rows_by_gram[gram].add(i)
    in_articles: set[int] = set()
    for paragraph in excluded.paragraphs:
        tokens = words(paragraph)
        for k in range(len(tokens) - n + 1):
            in_articles |= rows_by_gram.get(" ".join(tokens[k : k + n]), set())
    in_gold: set[int] = set()
    for sentence in excluded.gold_sentences:
        for gram in ngrams(sentence, n):
            in_gold |= rows_by_gram.get(gram, set())
    links = {
        i
        for i, row in enumerate(rows)
        if any(normal_url(u) in excluded.urls for u in urls_in(row["evidence"]))
    }
    dropped = in_articles | in_gold | links
    counts = {
        "eligible": len(rows),
        "excluded_articles": excluded.articles,
        "excluded_gold_sentences": len(excluded.gold_sentences),
        "shares_words_with_excluded_article": len(in_articles),
        "shares_words_with_gold_sentence": len(in_gold),
        "links_to_excluded_article": len(links),
        "dropped": len(dropped),
        "kept": len(rows) - len(dropped),
    }
    return [row for i, row in enumerate(rows) if i not in dropped], counts
