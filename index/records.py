"""Frozen records passed between modules: articles in, sentences stored, hits out."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from .attribution import Attribution


@dataclass(frozen=True)
class Article:
    """One article as read from a file, before splitting.

    `sentences` is set only when the input fixes sentence boundaries itself (evaluation sets);
    otherwise the body is split by `index.sentences`. `id` is the article's own identifier from
    its file (front matter or a JSON `id` field), not the index's row id.
    """

    title: str
    body: str
    source: str | None = None
    date: dt.date | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    path: str | None = None
    sentences: tuple[str, ...] | None = None
    id: str | None = None


@dataclass(frozen=True)
class IngestWarning:
    """Something the reader did on purpose that the user should know: a link it did not follow,
    a special file it skipped, a date it read one way out of two or refused. Unlike an
    IngestError nothing was lost: the article (if any) is yielded beside it.
    """

    path: str
    reason: str

    def __str__(self) -> str:
        from .errors import printable

        return printable(f"{self.path}: {self.reason}")


@dataclass(frozen=True)
class Sentence:
    """A sentence exactly as published, at `position` within its article."""

    article_id: int
    position: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A sentence returned for a question, with everything needed to quote and cite it."""

    text: str
    source: str | None
    date: dt.date | None
    title: str
    url: str | None
    score: float
    article_id: int
    sentence_id: int
    context_before: str
    context_after: str
    citation: str
    also_reported_by: tuple[str, ...] = field(default=())
    # Who the sentence attributes its content to; None where the outlet states it itself.
    attribution: Attribution | None = None
    figure: str | None = None  # for a figure question, the figure the sentence states ("Around 600")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["also_reported_by"] = list(self.also_reported_by)
        return data


@dataclass(frozen=True)
class TimelineEntry:
    """One distinct figure for a figure question's subject, at its earliest dated report."""

    date: dt.date
    figure: str
    text: str
    source: str | None
    sentence_id: int
    url: str | None = None
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data


@dataclass(frozen=True)
class Answer:
    """The result of one question: `answered` is False when nothing supports an answer."""

    question: str
    answered: bool
    results: tuple[Hit, ...]
    articles_searched: int = 0
    refusal_reason: str = ""  # why nothing supports an answer ("no article mentions AFRICOM")
    searched_as: str = ""  # the question with its typos mended, or as read after an earlier one
    follow_up_to: str = ""  # the earlier question this one was read as following up (index/followup.py)
    # For a figure question: the distinct figures found for its subject, oldest first.
    timeline: tuple[TimelineEntry, ...] = ()
    # Why the first sentence may not answer, for the reporter to check (answer_types.caution).
    caution: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "refusal_reason": self.refusal_reason or None,
            "searched_as": self.searched_as or None,
            "follow_up_to": self.follow_up_to or None,
            "caution": self.caution or None,
            "results": [hit.to_json() for hit in self.results],
            "timeline": [entry.to_json() for entry in self.timeline],
        }


@dataclass(frozen=True)
class Context:
    """The sentences around one sentence of an article, for "Show context"."""

    sentence_id: int
    article_id: int
    title: str
    source: str | None
    date: dt.date | None
    url: str | None
    before: tuple[str, ...]
    sentence: str
    after: tuple[str, ...]


@dataclass(frozen=True)
class IndexStats:
    """What is indexed: shown by `newsdesk index stats` and the Slack App Home."""

    articles: int
    sentences: int
    outlets: tuple[tuple[str, int], ...]
    date_min: dt.date | None
    date_max: dt.date | None
    undated_articles: int
    model: str
    dimension: int
    index_type: str
    built_at: str
    size_bytes: int
    path: str
    # Lines by kind (index/furniture.py): "text" ones are answers, the rest only feed search.
    line_kinds: tuple[tuple[str, int], ...] = ()
    # What made the vectors: "torch", or "onnx-int8/1" (index/int8_encoder.py).
    encoder: str = "torch"
    # Approximate indexes built since it was measured: recall@10 vs exact, and on how many queries.
    recall_at_10: float | None = None
    recall_sample: int = 0
    # Sentences with a "headline. sentence" vector for the second stage (index/headed_vectors.py).
    headed_vectors: int = 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["outlets"] = dict(self.outlets)
        data["line_kinds"] = dict(self.line_kinds)
        data["date_min"] = self.date_min.isoformat() if self.date_min else None
        data["date_max"] = self.date_max.isoformat() if self.date_max else None
        return data
