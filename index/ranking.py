"""Scores candidate sentences for a question, and decides whether anything answers it.

Every weight and threshold here was chosen from measurements on MultiReQA-SQuAD and RealTime QA;
docs/search.md has the numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources

from .answer_types import broad_answer, fine_answer
from .store import quote_term

RRF_K = 60
# The weights of the default ranking: every candidate's score is a weighted sum of the signals
# below, fitted on the reporter dev questions (bench/data/reporter/dev.jsonl, coordinate ascent,
# checked by five-fold cross-validation) under a guard rail: MultiReQA-SQuAD MRR on every 20th
# question kept within 0.015 of the issue-4 ranking's. docs/search.md has the numbers.
# The question's cosine to the sentence.
DENSE_WEIGHT = 0.65
# BM25 over the best BM25. Zero: reporters paraphrase, and the coverage signals below carry the
# question's words better (the fit put it at -0.1 without the SQuAD guard rail, 0 with it).
BM25_WEIGHT = 0.0
# The best cosine among the prose sentences right before and after ("He said 600 had died.").
NEIGHBOUR_WEIGHT = 0.3
# The question's cosine to the sentence read after its headline (index/headed_vectors.py), for
# every candidate; 0 leaves it to the second stage, which re-scores the best 10 with it.
HEADED_WEIGHT = 0.0
# The IDF-weighted share of the question's terms the sentence contains.
COVERAGE_WEIGHT = 0.2
# The same share over the sentence, its headline and the sentences around it (the context column).
CONTEXT_COVERAGE_WEIGHT = 0.8
# The share of the question's adjacent word pairs that the sentence repeats.
PHRASE_WEIGHT = 0.3
# Penalty for a sentence without the kind of answer asked for: money for "how much did it cost",
# a percentage, a number, a date, a person's name for "who" (answer_types.fine_answer).
ANSWER_TYPE_PENALTY = 0.3
# Penalty for a sentence without a figure when the question asks "how many", or without a date
# when it asks "when" (answer_types.broad_answer).
TYPE_PENALTY = 0.05
# Penalty for a sentence that asks (the explainer's "What is X?" crosshead) rather than answers:
# larger than any other score difference, so every sentence that states comes first.
ASKING_PENALTY = 1.0
# Times log(words + 1): a longer sentence more often holds the answer as well as the topic.
LENGTH_WEIGHT = 0.05
# Times the share of the sentence's words that are not the question's. Negative: with the coverage
# of headline and neighbours weighing 0.8, a sentence padded with unrelated words is more often off topic.
NOVELTY_WEIGHT = -0.2
# BM25 weight of a match in the context column (headline, two sentences either side) against one
# in the sentence itself. MultiReQA-SQuAD MRR 0.784 -> 0.801 (quarter sample), RealTime QA R@5 up.
CONTEXT_WEIGHT = 0.2

# Document frequencies are counted up to this share of sentences; commoner words weigh the same.
COMMON_SHARE = 0.05
# ...and never past this count: counting is the stage's cost, and a share grows with the archive
# (term IDFs p95 59 ms at 1.46M lines). Above the RealTime QA index's 5% (11,421), so it binds only
# past 400,000 sentences, where a word in 20,000 of them is common whatever else it is in.
COMMON_MAX_COUNT = 20_000
# In an index this large, the BM25 query leaves out words found in more than BM25_MAX_SHARE of the
# sentences: scoring their thousands of matches cost up to 80 ms a question at p95, and leaving
# them out moved no answer (RealTime QA MRR 0.244 -> 0.243, R@5 0.350 -> 0.353).
BM25_PRUNE_FROM = 50_000
BM25_MAX_SHARE = 0.02
# Whatever the index's size, the BM25 query also leaves out words found in more than this many
# sentences: scoring every match of every word is the stage's cost, and a share lets it grow with
# the archive (p95 728 ms at 1.46M lines). At the RealTime QA index's size the share binds first.
BM25_MAX_MATCHES = 5_000
# The context column holds five times the text, so there the query keeps only rarer words.
CONTEXT_MAX_SHARE = 0.002
# ...and words in at most this many sentences: past 500,000 sentences the share lets the context
# column's matches, and the stage's time, grow with the archive.
CONTEXT_MAX_MATCHES = 1_000

# Function words that carry no evidence; everything else goes into the BM25 OR-query.
STOP_WORDS = frozenset(
    line.strip()
    for line in resources.files("index").joinpath("data/stop_words.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Recipe:
    """Which levers are on. `Recipe()` is the measured best; the others are the baselines."""

    dense: bool = True
    lexical: bool = True
    fusion: str = "weighted"  # or "rrf"
    dense_weight: float = DENSE_WEIGHT
    bm25_weight: float = BM25_WEIGHT
    neighbour_weight: float = NEIGHBOUR_WEIGHT
    headed_weight: float = HEADED_WEIGHT
    coverage_weight: float = COVERAGE_WEIGHT
    context_coverage_weight: float = CONTEXT_COVERAGE_WEIGHT
    phrase_weight: float = PHRASE_WEIGHT
    answer_type_penalty: float = ANSWER_TYPE_PENALTY
    type_penalty: float = TYPE_PENALTY
    asking_penalty: float = ASKING_PENALTY
    length_weight: float = LENGTH_WEIGHT
    novelty_weight: float = NOVELTY_WEIGHT
    shorthand: bool = True
    context_weight: float = CONTEXT_WEIGHT  # 0: BM25 searches the sentence alone

    @classmethod
    def named(cls, name: str) -> Recipe:
        """'best', or a baseline: 'dense', 'bm25', 'rrf' (plain reciprocal rank fusion)."""
        plain = cls(
            fusion="rrf",
            neighbour_weight=0.0,
            coverage_weight=0.0,
            context_coverage_weight=0.0,
            phrase_weight=0.0,
            answer_type_penalty=0.0,
            type_penalty=0.0,
            asking_penalty=0.0,
            length_weight=0.0,
            novelty_weight=0.0,
            shorthand=False,
            context_weight=0.0,
        )
        recipes = {
            "best": cls(),
            "dense": replace(plain, lexical=False),
            "bm25": replace(plain, dense=False),
            "rrf": plain,
        }
        if name not in recipes:
            raise ValueError(f"unknown recipe {name!r}; choose from {', '.join(recipes)}")
        return recipes[name]


@dataclass(frozen=True)
class Question:
    """What ranking needs to know about a question, worked out once."""

    text: str  # for the encoder: the question with shorthand spelled out
    terms: tuple[str, ...]  # for BM25
    pairs: frozenset[tuple[str, str]]  # adjacent content words, for the phrase bonus
    wants: re.Pattern[str] | None  # FIGURE for "how many", DATE for "when"
    weights: dict[str, float] = field(default_factory=dict)  # IDF of each term in the index
    # Terms the question names (capitalised, not as its first word), lower case -> as written.
    names: dict[str, str] = field(default_factory=dict)
    answer: re.Pattern[str] | None = None  # what an answer holds: money, a percentage, a name...
    words: frozenset[str] = frozenset()  # every word of the question, folded as _stem does


@dataclass(frozen=True)
class Candidate:
    sentence_id: int
    text: str
    cosine: float
    bm25: float = 0.0  # 0 when no question term occurs in the sentence
    dense_rank: int | None = None
    lexical_rank: int | None = None
    recency: int = 0  # the article's date as an ordinal (0 undated): newer wins a tie
    neighbour_cosine: float = 0.0  # the best cosine among the prose sentences either side
    context: str = ""  # the headline and the lines around the sentence (store.sentence_context)
    headed_cosine: float = 0.0  # the cosine of "headline. sentence", where the recipe weighs it


@dataclass(frozen=True)
class Scored:
    sentence_id: int
    score: float
    cosine: float


def analyse(
    text: str,
    *,
    shorthand: dict[str, str] | None = None,
    weigh: Callable[[list[str]], dict[str, float]] | None = None,
) -> Question:
    """Spell out shorthand, pick the BM25 terms and word pairs, and see what kind of answer is wanted.

    `weigh` gives each term its IDF in the index (for the coverage bonus); without it there is none.
    """
    expanded = expand_shorthand(text, shorthand) if shorthand else text
    # The shorthand stays a search term too: articles write "GOP" as often as "Republican".
    terms = list(dict.fromkeys(lexical_terms(expanded) + lexical_terms(text)))
    words = [_stem(w) for w in WORD.findall(expanded.lower())]
    pairs = frozenset((a, b) for a, b in zip(words, words[1:]) if a not in STOP_WORDS or b not in STOP_WORDS)
    weights = weigh(terms) if weigh is not None and terms else {}
    names = {
        w.lower(): w
        for n, w in enumerate(WORD.findall(expanded))
        if w[0].isupper() and (n > 0 or (len(w) > 1 and w.isupper()))
    }
    return Question(
        expanded,
        tuple(terms),
        pairs,
        broad_answer(text),
        weights,
        names,
        answer=fine_answer(text),
        words=frozenset(words),
    )


def lexical_terms(question: str) -> list[str]:
    terms = [w.lower() for w in WORD.findall(question)]
    return list(dict.fromkeys(t for t in terms if t not in STOP_WORDS))


def bm25_terms(
    question: Question,
    sentence_count: int,
    max_share: float = BM25_MAX_SHARE,
    max_matches: int = BM25_MAX_MATCHES,
    *,
    stand_in: bool = True,
) -> tuple[str, ...]:
    """The question's terms worth a BM25 query: all of them, or in a large index the rarer ones
    (in at most `max_share` of the sentences and at most `max_matches` of them).

    When every term is common, the two rarest stand in (unless not `stand_in`), so BM25 still
    finds candidates; `bm25_match` then asks for both.
    """
    if sentence_count < BM25_PRUNE_FROM or not question.weights:
        return question.terms
    floor = share_floor(sentence_count, min(max_share, max_matches / sentence_count))
    rare = tuple(t for t in question.terms if question.weights.get(t, floor) >= floor)
    if rare or not stand_in:
        return rare
    return tuple(sorted(question.terms, key=lambda t: -question.weights.get(t, 0.0))[:2])


def context_terms(question: Question, sentence_count: int) -> tuple[str, ...]:
    """The question's terms the BM25 query looks for in the context column: only rarer ones, and
    none when every term is common. The context column holds five times the text, so a common word
    standing in there set the stage's p95 at 1.46M lines (docs/benchmarks.md)."""
    return bm25_terms(question, sentence_count, CONTEXT_MAX_SHARE, CONTEXT_MAX_MATCHES, stand_in=False)


def bm25_match(
    question: Question,
    sentence_count: int,
    *,
    context: bool = True,
    max_matches: int = BM25_MAX_MATCHES,
    both_stand_ins: bool = True,
) -> str:
    """The FTS5 query for a question's BM25 candidates, "" for none.

    Any of the rarer terms, in the sentence or (with `context`) rarer still in its context column;
    when every term is common, a sentence with both stand-ins (not `both_stand_ins`: either of them,
    as it was: at 12.6M lines, where stand-ins are found in up to 2.1M sentences, asking for both
    took the ranked query's p95 for such questions from 692 to 87 ms, and BM25's own top 100 still
    held the answer for 23 of those 132 questions against 25; docs/benchmarks.md).
    """
    rare = bm25_terms(question, sentence_count, max_matches=max_matches, stand_in=False)
    if rare:
        return fts_match(rare, context_terms(question, sentence_count) if context else ())
    standing_in = bm25_terms(question, sentence_count, max_matches=max_matches)
    if not standing_in:
        return ""
    joined = f" {'AND' if both_stand_ins else 'OR'} ".join(quote_term(t) for t in standing_in)
    return f"text : ({joined})"


def fts_match(terms: Sequence[str], context_terms: Sequence[str] = ()) -> str:
    """An FTS5 query: any of `terms` (at least one) in the sentence, or any of `context_terms` in its context.

    The same terms for both is a plain OR over both columns (it ranks better than two column
    filters: MultiReQA-SQuAD quarter MRR 0.801 against 0.794).
    """
    if tuple(terms) == tuple(context_terms):
        return _any(terms)
    query = f"text : ({_any(terms)})"
    return f"{query} OR context : ({_any(context_terms)})" if context_terms else query


def _any(terms: Sequence[str]) -> str:
    return " OR ".join(quote_term(t) for t in terms)


def share_floor(sentence_count: int, share: float) -> float:
    """The IDF, as `idf_weights` computes it, of a term in `share` of the sentences."""
    return math.log((sentence_count + 1) / (sentence_count * share + 1))


def idf_weights(counts: dict[str, int], sentence_count: int) -> dict[str, float]:
    """Each term's IDF, log((N + 1) / (n + 1)) for a term in n of N sentences.

    Counts stop at COMMON_SHARE of the sentences, or COMMON_MAX_COUNT (`common_cap`): commoner words
    all weigh the same.
    """
    return {term: math.log((sentence_count + 1) / (n + 1)) for term, n in counts.items()}


def common_cap(sentence_count: int) -> int:
    return max(1, min(int(sentence_count * COMMON_SHARE), COMMON_MAX_COUNT))


def score(question: Question, candidates: Sequence[Candidate], recipe: Recipe) -> list[Scored]:
    """The candidates best first."""
    if recipe.fusion == "rrf":
        scores = _reciprocal_ranks(candidates, recipe)
    else:
        best_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
        scores = {c.sentence_id: _weighted(question, c, recipe, best_bm25) for c in candidates}
    recency = {c.sentence_id: c.recency for c in candidates}
    cosine = {c.sentence_id: c.cosine for c in candidates}
    scored = [Scored(i, s, cosine[i]) for i, s in scores.items()]
    return sorted(scored, key=lambda s: (-s.score, -s.cosine, -recency[s.sentence_id], s.sentence_id))


def _reciprocal_ranks(candidates: Sequence[Candidate], recipe: Recipe) -> dict[int, float]:
    scores: dict[int, float] = {}
    for c in candidates:
        total = 0.0
        if recipe.dense and c.dense_rank is not None:
            total += 1.0 / (RRF_K + c.dense_rank + 1)
        if recipe.lexical and c.lexical_rank is not None:
            total += 1.0 / (RRF_K + c.lexical_rank + 1)
        if total:
            scores[c.sentence_id] = total
    return scores


def _weighted(question: Question, candidate: Candidate, recipe: Recipe, best_bm25: float) -> float:
    text = candidate.text
    words = [_stem(w) for w in WORD.findall(text.lower())]
    present = set(words)
    total = recipe.dense_weight * candidate.cosine + recipe.bm25_weight * candidate.bm25 / best_bm25
    total += recipe.neighbour_weight * candidate.neighbour_cosine
    total += recipe.headed_weight * candidate.headed_cosine
    if question.pairs:
        shared = question.pairs & set(zip(words, words[1:]))
        total += recipe.phrase_weight * len(shared) / len(question.pairs)
    weight_sum = sum(question.weights.values())
    if weight_sum:
        total += recipe.coverage_weight * _covered(question, present) / weight_sum
        if recipe.context_coverage_weight:
            around = present | {_stem(w) for w in WORD.findall(candidate.context.lower())}
            total += recipe.context_coverage_weight * _covered(question, around) / weight_sum
    if question.wants is not None and not question.wants.search(text):
        total -= recipe.type_penalty
    if question.answer is not None and not question.answer.search(text):
        total -= recipe.answer_type_penalty
    if text.rstrip().rstrip("\"'”’)").endswith("?"):
        total -= recipe.asking_penalty
    total += recipe.length_weight * math.log(len(words) + 1)
    new = [w for w in present if w not in question.words and w not in STOP_WORDS]
    return total + recipe.novelty_weight * len(new) / (len(present) + 1)


def _covered(question: Question, words: set[str]) -> float:
    return sum(w for term, w in question.weights.items() if _stem(term) in words)


def _stem(word: str) -> str:
    """A light plural fold, enough to match "troops" with "troop" in word pairs."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# -- shorthand --------------------------------------------------------------------------------


def load_shorthand() -> dict[str, str]:
    """Newsroom shorthand (NK, SCOTUS, Fed, ...) mapped to what articles call it.

    Read from data/shorthand.tsv; an entry marked any-case is also matched in lower case.
    """
    table: dict[str, str] = {}
    text = resources.files("index").joinpath("data/shorthand.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        short, long, *flags = (part.strip() for part in line.split("\t"))
        table[short] = long
        if "any-case" in flags:
            table.setdefault(short.lower(), long)
    return table


def expand_shorthand(text: str, table: dict[str, str]) -> str:
    """Spell out each shorthand that stands as a whole word: "NK troops" -> "North Korea troops".

    Case matters ("Fed" is the Federal Reserve, "fed up" is not), except for entries marked any-case.
    """
    return WORD.sub(lambda match: table.get(match.group(0), match.group(0)), text)
