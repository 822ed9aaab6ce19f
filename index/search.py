"""`Searcher.search(question) -> Answer`: hybrid dense + BM25 retrieval over one index version."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar

import numpy as np

from . import answer_types, figures, headed_vectors, integrity, ranking, spelling, versions
from .answer_policy import ACRONYM_ARTICLES_DEPTH, AnswerPolicy, Best, Verdict, decide
from .attribution import Attribution, attribute_positions, may_be_attributed, speaker_matches
from .citation import format_citation
from .config import Settings
from .errors import IndexMismatchError, NewsdeskError
from .inspect import stats_for
from .news_adapter import older_index_hint
from .query import Query, parse_query
from .quote_check import QuoteCheck, QuotePolicy
from .quote_search import find_quote
from .records import Answer, Context, Hit, IndexStats, TimelineEntry
from .store import SentenceRow, Store

if TYPE_CHECKING:
    from .second_stage import SecondStage

_PUNCTUATION = re.compile(r"[^\w\s]|_")


class QueryEncoder(Protocol):
    """What search needs from a model: its name (checked against the index) and question vectors.

    `Embedder` (sentence-transformers) and `OnnxQueryEncoder` (its ONNX export) both fit.
    """

    @property
    def name(self) -> str: ...

    def encode_query(self, text: str) -> np.ndarray: ...


CANDIDATES = 100
FILTERED_CANDIDATES = 2000
MAX_RESULTS = 50


class _Loaded:
    """One open index version: database, vectors and metadata, immutable once loaded."""

    def __init__(self, version: Path, expected_model: str) -> None:
        self.version = version
        self.meta = versions.read_meta(version)
        if self.meta.get("model") != expected_model:
            raise IndexMismatchError(
                f"The index at {version.parent.parent} was built with {self.meta.get('model')!r} "
                f"but newsdesk is using {expected_model!r}. Rebuild it with "
                "`newsdesk index build --fresh PATH`, or set NEWSDESK_MODEL to the model it was built with."
                + older_index_hint(self.meta.get("model"))
            )
        self.store = integrity.open_store(version)
        with integrity.reading_database(version):
            self.sentence_count = self.store.count("sentences")
            self.article_count = self.store.count("articles")
        self.vectors = integrity.open_vectors(version, self.meta, self.store)


P = ParamSpec("P")
R = TypeVar("R")


def _reports_damage(method: Callable[Concatenate[Searcher, P], R]) -> Callable[Concatenate[Searcher, P], R]:
    """A page found damaged in the middle of a search names the database, not a traceback."""

    @functools.wraps(method)
    def wrapper(self: Searcher, *args: P.args, **kwargs: P.kwargs) -> R:
        with integrity.reading_database(self._loaded.version):
            return method(self, *args, **kwargs)

    return wrapper


class Searcher:
    def __init__(
        self,
        settings: Settings,
        embedder: QueryEncoder,
        loaded: _Loaded,
        recipe: ranking.Recipe | None = None,
        policy: AnswerPolicy | None = None,
        figure_policy: figures.FigurePolicy | None = None,
        second_stage: SecondStage | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.recipe = recipe or ranking.Recipe()
        self.policy = policy or AnswerPolicy.for_model(settings.model_path)
        self.figure_policy = figure_policy or figures.FigurePolicy()
        self.second_stage = second_stage
        self._shorthand = ranking.load_shorthand() if self.recipe.shorthand else {}
        self._loaded = loaded
        self._reload_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: QueryEncoder,
        *,
        recipe: ranking.Recipe | None = None,
        second_stage: SecondStage | None = None,
    ) -> Searcher:
        """Open the current index version; `recipe` swaps the ranking (baselines, experiments),
        `second_stage` re-scores its best sentences (index/second_stage.py)."""
        version = versions.require_current_version(settings.index_dir)
        return cls(settings, embedder, _Loaded(version, embedder.name), recipe, second_stage=second_stage)

    @property
    def version(self) -> str:
        return self._loaded.version.name

    def refresh(self) -> bool:
        """Switch to a newer index version if a build has swapped one in; cheap when none has."""
        current = versions.current_version(self.settings.index_dir)
        if current is None or current == self._loaded.version:
            return False
        with self._reload_lock:
            if current != self._loaded.version:
                self._loaded = _Loaded(current, self.embedder.name)
                return True
        return False

    @_reports_damage
    def search(self, question: str, *, limit: int | None = None, offset: int = 0) -> Answer:
        query = parse_query(question, max_chars=self.settings.max_question_chars)
        loaded = self._loaded
        limit = min(limit or self.settings.results_per_answer, MAX_RESULTS)
        query = self._mend(loaded, query)
        ranked, verdict = self._rank(loaded, query)
        searched_as = _searched_as(query)
        if not verdict.answered:
            return Answer(question, False, (), loaded.article_count, verdict.reason, searched_as)
        ranked, stated, timeline = self._figures(query, ranked)
        shown = [(s, row) for s, row in ranked if s.cosine >= self.policy.min_shown_cosine]
        hits = self._hits(loaded, shown, offset + limit, stated)
        page = tuple(hits[offset : offset + limit])
        return Answer(
            question,
            True,
            page,
            loaded.article_count,
            searched_as=searched_as,
            timeline=timeline,
            caution=self._caution(query, hits) if offset == 0 else "",
        )

    @_reports_damage
    def rank(self, question: str, k: int = 10) -> Answer:
        """The best `k` sentences whatever the no-answer rule says, and what it says (for evaluation)."""
        query = parse_query(question, max_chars=self.settings.max_question_chars)
        loaded = self._loaded
        query = self._mend(loaded, query)
        ranked, verdict = self._rank(loaded, query)
        ranked, stated, timeline = self._figures(query, ranked)
        hits = self._hits(loaded, ranked, min(k, MAX_RESULTS), stated)
        return Answer(
            question,
            verdict.answered,
            tuple(hits),
            loaded.article_count,
            verdict.reason,
            _searched_as(query),
            timeline=timeline,
            caution=self._caution(query, hits) if verdict.answered else "",
        )

    @_reports_damage
    def check_quote(self, quote: str, *, policy: QuotePolicy | None = None) -> QuoteCheck:
        """Whether `quote` was published as written, with other words, or not at all."""
        loaded = self._loaded
        return find_quote(
            quote, loaded.store, loaded.vectors, self.embedder, articles=loaded.article_count, policy=policy
        )

    @_reports_damage
    def context(self, sentence_id: int, window: int = 3) -> Context:
        loaded = self._loaded
        row = loaded.store.sentences([sentence_id]).get(sentence_id)
        if row is None:
            raise NewsdeskError(
                "That sentence is no longer in the index (it was rebuilt or the story removed); "
                "ask the question again."
            )
        around = loaded.store.neighbours(row.article_id, row.position, window)
        return Context(
            sentence_id=row.id,
            article_id=row.article_id,
            title=row.title,
            source=row.source,
            date=row.date,
            url=row.url,
            before=tuple(t for p, t in around if p < row.position),
            sentence=row.text,
            after=tuple(t for p, t in around if p > row.position),
        )

    @_reports_damage
    def stats(self) -> IndexStats:
        loaded = self._loaded
        return stats_for(loaded.version, loaded.meta, loaded.store)

    # -- internals ----------------------------------------------------------------------------

    def _caution(self, query: Query, hits: list[Hit]) -> str:
        """Whether the first sentence lacks the kind of answer asked for (answer_types.caution)."""
        if not hits:
            return ""
        return answer_types.caution(ranking.expand_shorthand(query.text, self._shorthand), hits[0].text)

    def _mend(self, loaded: _Loaded, query: Query) -> Query:
        """The question with its typos mended from the archive's own words (index/spelling.py)."""
        keep = {short.lower() for short in self._shorthand}
        mended = spelling.corrections(query.text, loaded.store.word_counts, keep)
        return replace(query, text=spelling.apply(query.text, mended), typed=query.text)

    def _rank(
        self, loaded: _Loaded, query: Query
    ) -> tuple[list[tuple[ranking.Scored, SentenceRow]], Verdict]:
        """Every candidate best first, and whether the best one is evidence for an answer."""
        recipe = self.recipe
        store, count = loaded.store, loaded.sentence_count
        question = ranking.analyse(
            query.text,
            shorthand=self._shorthand,
            weigh=lambda terms: ranking.idf_weights(
                store.term_counts(terms, ranking.common_cap(count)), count
            ),
        )
        vector = self.embedder.encode_query(question.text)
        k = FILTERED_CANDIDATES if query.filtered else CANDIDATES
        dense = loaded.vectors.search(vector, k) if recipe.dense else []
        match = ranking.bm25_match(question, count, context=bool(recipe.context_weight))
        lexical = (
            loaded.store.full_text_search(match, k, recipe.context_weight) if match and recipe.lexical else []
        )
        cosines = dict(dense)
        missing = [i for i, _ in lexical if i not in cosines]
        if missing:
            cosines.update(zip(missing, (loaded.vectors.reconstruct(missing) @ vector).tolist()))
        rows = loaded.store.sentences(cosines)
        kept = {i for i, row in rows.items() if _passes(row, query)}
        if query.speakers:
            kept = _said_by(loaded.store, {i: rows[i] for i in kept}, query.speakers)
            if not kept and query.asked:
                # "what did drug makers say about …?" where no one of that name is quoted: as asked.
                plain = replace(query, text=query.asked, speakers=query.speakers[:-1], asked="")
                return self._rank(loaded, plain)
        dense_rank = {i: n for n, i in enumerate(i for i, _ in dense if i in kept)}
        lexical_rank = {i: n for n, i in enumerate(i for i, _ in lexical if i in kept)}
        bm25 = dict(lexical)
        neighbour_cosines = self._neighbour_cosines(loaded, vector, kept)
        contexts = loaded.store.contexts(kept) if recipe.context_coverage_weight else {}
        headed = self._headed_cosines(loaded, vector, kept) if recipe.headed_weight else {}
        candidates = [
            ranking.Candidate(
                i,
                rows[i].text,
                cosines[i],
                bm25.get(i, 0.0),
                dense_rank.get(i),
                lexical_rank.get(i),
                _ordinal(rows[i]),
                neighbour_cosines.get(i, 0.0),
                contexts.get(i, ""),
                headed.get(i, 0.0),
            )
            for i in cosines
            if i in kept
        ]
        ranked = [(s, rows[s.sentence_id]) for s in ranking.score(question, candidates, recipe)]
        best = (
            Best(
                ranked[0][0].cosine,
                ranked[0][1].article_id,
                ranked[0][1].title,
                tuple(row.article_id for _, row in ranked[1:ACRONYM_ARTICLES_DEPTH]),
            )
            if ranked
            else None
        )
        verdict = decide(
            self.policy,
            best,
            evidence=store,
            weights=question.weights,
            names=question.names,
            sentence_count=count,
        )
        if self.second_stage is not None:
            ranked = self.second_stage.reorder(
                query.text,
                ranked,
                lambda item: (item[1].text, item[1].title),
                (vector, lambda item: item[0].cosine),
                lambda items: headed_vectors.stored(store, [row.id for _, row in items]),
            )
        return ranked, verdict

    def _figures(
        self, query: Query, ranked: list[tuple[ranking.Scored, SentenceRow]]
    ) -> tuple[list[tuple[ranking.Scored, SentenceRow]], dict[int, str], tuple[TimelineEntry, ...]]:
        """For a figure question: the answering sentences newest first, each one's figure, the timeline."""
        asked = figures.read_question(ranking.expand_shorthand(query.text, self._shorthand))
        if asked is None or not ranked:
            return ranked, {}, ()
        policy = self.figure_policy
        view = [figures.Ranked(row.text, scored.score, row.date) for scored, row in ranked]
        ranked = [ranked[n] for n in figures.newest_first(view, asked, policy)]
        stated = {}
        for _, row in ranked[: policy.pool]:
            figure = figures.find_figure(row.text, asked, policy)
            if figure is not None:
                stated[row.id] = figure.text
        view = [figures.Ranked(row.text, scored.score, row.date) for scored, row in ranked]
        timeline = tuple(
            TimelineEntry(
                date=row.date,
                figure=figure.text,
                text=row.text,
                source=row.source,
                sentence_id=row.id,
                url=row.url,
                title=row.title,
            )
            for n, figure in figures.timeline(view, asked, policy)
            for row in [ranked[n][1]]
            if row.date is not None
        )
        return ranked, stated, timeline

    def _neighbour_cosines(self, loaded: _Loaded, vector: np.ndarray, ids: set[int]) -> dict[int, float]:
        """The best cosine among the prose sentences right before and after each candidate."""
        if not self.recipe.neighbour_weight:
            return {}
        around = loaded.store.prose_neighbours(ids)
        wanted = sorted({n for ns in around.values() for n in ns})
        cosines = dict(zip(wanted, (loaded.vectors.reconstruct(wanted) @ vector).tolist()))
        return {i: max((cosines[n] for n in ns), default=0.0) for i, ns in around.items()}

    @staticmethod
    def _headed_cosines(loaded: _Loaded, vector: np.ndarray, ids: set[int]) -> dict[int, float]:
        """Each candidate's cosine read after its headline, where the index stored one."""
        wanted = sorted(ids)
        found = headed_vectors.stored(loaded.store, wanted)
        return {i: float(v @ vector) for i, v in zip(wanted, found, strict=True) if v is not None}

    def _hits(
        self,
        loaded: _Loaded,
        ranked: list[tuple[ranking.Scored, SentenceRow]],
        count: int,
        stated: dict[int, str] | None = None,
    ) -> list[Hit]:
        """The first `count` hits, the same wording from several outlets shown once."""
        hits: list[Hit] = []
        by_key: dict[str, int] = {}
        for scored, row in ranked:
            key = _dedupe_key(row.text)
            if key in by_key:
                first = hits[by_key[key]]
                if row.source and row.source != first.source and row.source not in first.also_reported_by:
                    hits[by_key[key]] = _with_also(first, row.source)
                continue
            if len(hits) >= count:
                continue
            by_key[key] = len(hits)
            hits.append(self._hit(loaded, scored, row, (stated or {}).get(row.id)))
        return _attributed(loaded.store, hits)

    def _hit(
        self, loaded: _Loaded, scored: ranking.Scored, row: SentenceRow, figure: str | None = None
    ) -> Hit:
        around = dict(loaded.store.neighbours(row.article_id, row.position, 1))
        return Hit(
            text=row.text,
            source=row.source,
            date=row.date,
            title=row.title,
            url=row.url,
            score=round(scored.cosine, 4),
            article_id=row.article_id,
            sentence_id=row.id,
            context_before=around.get(row.position - 1, ""),
            context_after=around.get(row.position + 1, ""),
            citation=format_citation(row.text, row.source, row.date, row.title),
            figure=figure,
        )


def _passes(row: SentenceRow, query: Query) -> bool:
    if query.since and (row.date is None or row.date < query.since):
        return False
    if query.before and (row.date is None or row.date >= query.before):
        return False
    if query.sources:
        source = (row.source or "").casefold()
        return any(s.casefold() in source for s in query.sources)
    return True


def _searched_as(query: Query) -> str:
    """The mended question, when mending changed it."""
    return query.text if query.typed and query.text != query.typed else ""


def _ordinal(row: SentenceRow) -> int:
    return row.date.toordinal() if row.date else 0


def _dedupe_key(text: str) -> str:
    return " ".join(_PUNCTUATION.sub("", text.casefold()).split())


def _with_also(hit: Hit, source: str) -> Hit:
    return replace(hit, also_reported_by=hit.also_reported_by + (source,))


def _attributed(store: Store, hits: list[Hit]) -> list[Hit]:
    """The hits with who said them, the citation naming the speaker where the sentence does not."""
    rows = store.sentences(hit.sentence_id for hit in hits)
    said = _attributions(store, list(rows.values()))
    out = []
    for hit in hits:
        attribution = said.get(hit.sentence_id)
        if attribution is not None:
            citation = format_citation(hit.text, hit.source, hit.date, hit.title, attribution)
            hit = replace(hit, attribution=attribution, citation=citation)
        out.append(hit)
    return out


def _attributions(
    store: Store, rows: list[SentenceRow], mentioning: str = ""
) -> dict[int, Attribution | None]:
    """Who said each sentence, read from its article (sentence id → attribution)."""
    lines = store.article_lines({row.article_id for row in rows}, mentioning)
    by_article: dict[int, list[SentenceRow]] = {}
    for row in rows:
        if row.article_id in lines:
            by_article.setdefault(row.article_id, []).append(row)
    said: dict[int, Attribution | None] = {}
    for article_id, members in by_article.items():
        # Line 0 is the headline, so a sentence's line is its position + 1.
        found = attribute_positions(lines[article_id], [row.position + 1 for row in members])
        said.update((row.id, found[row.position + 1]) for row in members)
    return said


def _said_by(store: Store, rows: dict[int, SentenceRow], speakers: tuple[str, ...]) -> set[int]:
    """The sentences attributed to every one of `speakers` (`said:Lee`)."""
    kept = {i for i, row in rows.items() if may_be_attributed(row.text)}
    for speaker in speakers:
        said = _attributions(store, [rows[i] for i in kept], speaker)
        kept = {i for i in kept if speaker_matches(said.get(i), speaker)}
    return kept
