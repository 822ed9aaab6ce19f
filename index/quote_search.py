"""Finding a quote in one index version: candidates from FAISS and FTS5, aligned and judged.

Candidates are the sentences nearest the quote's vector, the sentences sharing its rarest words
(BM25), and the sentences holding its words as a phrase. Each is tried alone and with the prose
sentence before and after it, since a quote may run over two sentences. Once the best published
wording is known, every sentence holding that wording is looked up too: each outlet that carried it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from . import ranking
from .citation import format_citation
from .quote_check import (
    Alignment,
    QuoteCheck,
    QuoteMatch,
    QuotePolicy,
    Token,
    align,
    quote_words,
    strip_quote_marks,
    tokens,
    verdict_of,
)
from .store import SentenceRow, Store
from .vectors import VectorIndex

DENSE_CANDIDATES = 30
KEYWORD_CANDIDATES = 30
PHRASE_CANDIDATES = 30
# The rarest content words of the quote that go into the BM25 OR-query.
RARE_WORDS = 8
# Sentences looked up that carry the best published wording (wire copy in many outlets).
COPIES = 100
# The longest phrase looked up for copies: long enough to be unique, short enough to stay fast.
COPY_PHRASE_WORDS = 16
# ... and its first and last this many words, for copies an editor changed.
COPY_END_WORDS = 6
MAX_MATCHES = 20
# A sentence is tried with its neighbours only if it holds this share of the quote's content
# words: of a quote over two sentences, one of them holds at least half.
PAIR_MIN_COVERAGE = 0.25
_LETTERS = re.compile(r"[^\w]+")


class _Encoder(Protocol):
    def encode_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class _Window:
    """One sentence, or two consecutive ones, of an article as a passage to align the quote with."""

    rows: tuple[SentenceRow, ...]
    text: str
    words: list[Token]
    # Where each sentence starts in `text`.
    starts: tuple[int, ...]


@dataclass(frozen=True)
class _Candidate:
    window: _Window
    alignment: Alignment
    cosine: float

    def rank(self) -> tuple[bool, float, float, int, float]:
        a = self.alignment
        return (not a.exact, -a.coverage, -a.precision, len(self.window.rows), -self.cosine)


def find_quote(
    raw: str,
    store: Store,
    vectors: VectorIndex,
    embedder: _Encoder,
    *,
    articles: int = 0,
    policy: QuotePolicy | None = None,
) -> QuoteCheck:
    """Whether `raw` was published as written (`exact`), with changed words (`close`), or not at all."""
    policy = policy or QuotePolicy()
    quote = strip_quote_marks(raw)
    words = quote_words(quote)
    vector = embedder.encode_query(quote)
    ids = set(store.sentences_with_phrase(_phrase(words), PHRASE_CANDIDATES))
    judged = _judge(store, vectors, vector, ids, words)
    if not any(c.alignment.exact for c in judged):
        # Not published word for word in one sentence: look wider, by meaning and by rare words.
        wider = {i for i, _ in vectors.search(vector, DENSE_CANDIDATES)} | _keyword_candidates(store, words)
        judged += _judge(store, vectors, vector, wider - ids, words)
        ids |= wider
    accepted = [c for c in judged if policy.accepts(c.alignment, c.cosine)]
    if accepted:
        best = min(accepted, key=_Candidate.rank)
        copies = {
            i for phrase in _copy_phrases(best) for i in store.sentences_with_phrase(phrase, COPIES)
        } - ids
        accepted += [
            c for c in _judge(store, vectors, vector, copies, words) if policy.accepts(c.alignment, c.cosine)
        ]
    return QuoteCheck(quote, verdict_of(matches := _matches(accepted)), matches, articles)


def _keyword_candidates(store: Store, words: Sequence[Token]) -> set[int]:
    """Sentences sharing the quote's rarest content words, best BM25 first."""
    content = sorted({w.key.lower() for w in words if w.content})
    counts = store.word_counts(content)
    rare = sorted(content, key=lambda w: counts.get(w, 0))[:RARE_WORDS]
    if not rare:
        return set()
    match = ranking.fts_match([_LETTERS.sub(" ", w).strip() for w in rare if _LETTERS.sub("", w)])
    return {i for i, _ in store.full_text_search(match, KEYWORD_CANDIDATES, 0.0)}


def _phrase(words: Sequence[Token]) -> str:
    return " ".join(_LETTERS.sub(" ", w.key) for w in words).strip()


def _copy_phrases(best: _Candidate) -> list[str]:
    """The longest run of the best published wording inside one sentence, as a phrase, and its
    first and last words, so that copies with a word changed in the middle or at an end are found."""
    window, a = best.window, best.alignment
    bounds = [*window.starts, len(window.text) + 1]
    parts = [
        [w for w in window.words if max(lo, a.start) <= w.start and w.end <= min(hi - 1, a.end)]
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    longest = max(parts, key=len)
    phrases = [_phrase(longest[:COPY_PHRASE_WORDS])]
    if len(longest) > 2 * COPY_END_WORDS:
        phrases += [_phrase(longest[:COPY_END_WORDS]), _phrase(longest[-COPY_END_WORDS:])]
    return phrases


def _judge(
    store: Store, vectors: VectorIndex, vector: np.ndarray, ids: Iterable[int], words: Sequence[Token]
) -> list[_Candidate]:
    """Every candidate sentence aligned with the quote, alone and, where it holds part of the quote
    but not all of it, with each prose neighbour."""
    ids = sorted(ids)
    if not ids:
        return []
    around = store.prose_neighbours(ids)
    rows = store.sentences(set(ids) | {n for ns in around.values() for n in ns})
    known = sorted(rows)
    cosines = dict(zip(known, (vectors.reconstruct(known) @ vector).tolist(), strict=True))
    judged: list[_Candidate] = []
    paired: set[tuple[int, ...]] = set()

    def add(window_rows: tuple[SentenceRow, ...]) -> Alignment | None:
        window = _window(window_rows)
        alignment = align(words, window.words)
        if alignment is not None:
            cosine = max(cosines.get(r.id, 0.0) for r in window_rows)
            judged.append(_Candidate(window, alignment, cosine))
        return alignment

    for i in ids:
        if i not in rows:
            continue
        alone = add((rows[i],))
        if alone is None or alone.exact or alone.coverage < PAIR_MIN_COVERAGE:
            continue
        for n in around.get(i, []):
            pair = tuple(sorted((rows[i], rows[n]), key=lambda r: r.position))
            if (key := tuple(r.id for r in pair)) not in paired:
                paired.add(key)
                add(pair)
    return judged


def _window(rows: tuple[SentenceRow, ...]) -> _Window:
    starts, text = [], ""
    for row in rows:
        text += " " if text else ""
        starts.append(len(text))
        text += row.text
    return _Window(rows, text, tokens(text), tuple(starts))


def _matches(accepted: list[_Candidate]) -> tuple[QuoteMatch, ...]:
    """The best window of each article, best wording first; the first publication marked."""
    best: dict[int, _Candidate] = {}
    for candidate in accepted:
        article = candidate.window.rows[0].article_id
        if article not in best or candidate.rank() < best[article].rank():
            best[article] = candidate
    # Exact copies first, oldest first; then changed ones, the closest first.
    chosen = sorted(
        best.values(),
        key=lambda c: (not c.alignment.exact, -round(c.alignment.coverage, 2), *_order(c)),
    )
    dated = [c for c in chosen if c.window.rows[0].date is not None]
    first = min(dated, key=_order) if dated else None
    return tuple(_match(c, c is first) for c in chosen[:MAX_MATCHES])


def _order(candidate: _Candidate) -> tuple[int, int, int]:
    row = candidate.window.rows[0]
    return (row.date.toordinal() if row.date else 10**9, row.article_id, row.position)


def _match(candidate: _Candidate, earliest: bool) -> QuoteMatch:
    window, a = candidate.window, candidate.alignment
    whole = a.start == window.words[0].start and a.end == window.words[-1].end
    published = window.text if whole else window.text[a.start : a.end]
    # The sentences the published wording runs over: the first one is cited.
    first = max(n for n, start in enumerate(window.starts) if start <= a.start)
    last = max(n for n, start in enumerate(window.starts) if start < a.end)
    row = window.rows[first]
    return QuoteMatch(
        text=" ".join(r.text for r in window.rows[first : last + 1]),
        published=published,
        source=row.source,
        date=row.date,
        title=row.title,
        url=row.url,
        citation=format_citation(published, row.source, row.date, row.title),
        article_id=row.article_id,
        sentence_id=row.id,
        differences=a.differences,
        earliest=earliest,
        coverage=round(a.coverage, 4),
        precision=round(a.precision, 4),
        cosine=round(candidate.cosine, 4),
    )
