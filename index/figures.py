"""Figures over time: the figure a sentence states, the newest answer first, the timeline (pure).

A figure question asks how many, how much, what share, a toll or a cost. For it, each sentence
gets the figure it states about the question's subject ("Around 600" in "Around 600 North Korean
soldiers have been killed ..."); among the sentences that answer (an anchored figure, about the
subject, scoring close to the best) the newest comes first, and the distinct figures found make a
timeline, oldest to newest. Thresholds live in `FigurePolicy`; docs/benchmarks.md has the numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .answer_types import DATE

_ASKS_FIGURE = re.compile(
    r"\bhow (?:many|much)\b|\bwhat (?:share|%|percent(?:age)?|proportion|fraction|number|amount)\b|"
    r"\bwhat %|%|\btoll\b|\btally\b|\bcost(?:s|ing)?\b|\bprice\b",
    re.IGNORECASE,
)
_ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(?:cost|costing|pay|paid|spend|spent|worth|money|cash|raise|raised|fine|"
    r"price|budget|salary|grant|settle)|\$|\bhow much (?:money|cash)|\bcost\b|\bprice\b",
    re.IGNORECASE,
)
_ASKS_SHARE = re.compile(r"\bwhat (?:share|%|percent(?:age)?|proportion|fraction)\b|%", re.IGNORECASE)

_QUALIFIER = (
    r"(?:an? )?(?:estimated|around|about|approximately|roughly|nearly|almost|some|over|more than|"
    r"less than|fewer than|at least|at most|up to|as many as|as much as|close to|just over|"
    r"just under|upwards of|well over|under|below|above|only|just)"
)
_SMALL = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12,
    "a hundred": 100, "a thousand": 1000,
}  # fmt: skip
_VAGUE = r"dozens|hundreds|thousands|tens of thousands|hundreds of thousands|millions|billions"
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9,
}  # fmt: skip
_FIGURE = re.compile(
    rf"(?:\b(?P<qualifier>{_QUALIFIER})\s+)?"
    r"(?P<currency>[$€£]\s?)?"
    rf"(?P<number>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:{'|'.join(_SMALL)})\b|\b(?:{_VAGUE})\b)"
    r"(?P<scale>\s*(?:hundred|thousand|million|billion|trillion)\b|(?:M|B|bn|mn)\b)?"
    r"(?P<unit>\s*(?:%|percent\b|per cent\b|percentage points?\b))?",
    re.IGNORECASE,
)
_MONTH_BEFORE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s*$", re.IGNORECASE
)
_WORD = re.compile(r"[\w'’-]+")


_COUNTING = re.compile(r"\bhow many (?:more |fewer |diff |different )?", re.IGNORECASE)
_PART_OF = re.compile(r"\s+of\s+(?:the\s+)?")
_ALIASES = {"ppl": "people", "yrs": "years", "kids": "children"}


def _bag(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words a question uses to ask for a figure, not to name its subject.
_ASKING_WORDS = _bag(
    "how many much what which share percent percentage proportion fraction number amount toll "
    "final tally count total per according did does do was were is are has have had get got the "
    "a an of in on to for by from at with and or vs this that these those there their its it "
    "into over since now so far yet still ever end up say says said they're get"
)
# What a figure measures: a question naming one wants sentences naming the same.
_MEASURES = (
    _bag("die died dies dead death deaths killed kill killing fatalities fatal toll lives"),
    _bag("wounded injured injuries injury hurt"),
    _bag("cost costs costing spent spend spending paid pay price priced worth"),
    _bag("fled displaced refugees flee fleeing"),
    _bag("arrested arrests detained"),
)


@dataclass(frozen=True)
class FigurePolicy:
    """Every threshold of figures over time, chosen on the reporter dev questions (docs/benchmarks.md)."""

    # Newest first among the answering sentences scoring within this margin of the best of them.
    newest_margin: float = 0.1
    # Only reorder when the question names no date of its own ("in 2016" asks for that figure).
    newest_only_undated: bool = True
    # Timeline entries score within this margin of the best answering sentence.
    timeline_margin: float = 0.15
    # How many of the ranked sentences are looked at.
    pool: int = 30
    # A figure belongs to the subject when a subject word is this close (in words) to it.
    anchor_distance: int = 4
    # At least this share of the question's subject words in the sentence.
    min_subject_share: float = 0.6
    max_timeline: int = 8


@dataclass(frozen=True)
class Figure:
    """A figure as written ("Around 600"), and its value when it has one (600.0) for telling figures apart."""

    text: str
    value: float | None
    distance: int  # words to the nearest subject word


@dataclass(frozen=True)
class FigureQuestion:
    """What a figure question asks about: its subject words and the kind of figure wanted."""

    subject: tuple[str, ...]
    money: bool
    share: bool
    dated: bool  # the question names a date ("in 2016"): it asks for that figure, not the latest
    measures: tuple[frozenset[str], ...]
    # What "how many" counts ("North", "Korea", "soldiers"): an answer's figure comes right before it.
    counted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranked:
    """One ranked sentence, as figures needs it."""

    text: str
    score: float
    date: dt.date | None


def read_question(question: str) -> FigureQuestion | None:
    """The figure question's subject and kind, or None when the question asks for no figure."""
    if not _ASKS_FIGURE.search(question):
        return None
    words = [w.lower() for w in _WORD.findall(question)]
    measures = tuple(group for group in _MEASURES if group & set(words))
    measure_words = set().union(*measures)
    subject = tuple(
        dict.fromkeys(
            w for w in words if w not in _ASKING_WORDS and w not in measure_words and not w.isdigit()
        )
    )
    counted: list[str] = []
    counting = _COUNTING.search(question)
    for word in _WORD.findall(question[counting.end() :] if counting else ""):
        word = _ALIASES.get(word.lower(), word.lower())
        if word in _ASKING_WORDS or word in measure_words or len(counted) == 3:
            break
        counted.append(word)
    return FigureQuestion(
        subject=subject,
        money=bool(_ASKS_MONEY.search(question)),
        share=bool(_ASKS_SHARE.search(question)),
        dated=bool(DATE.search(question)),
        measures=measures,
        counted=tuple(counted),
    )


def find_figure(sentence: str, question: FigureQuestion, policy: FigurePolicy) -> Figure | None:
    """The figure `sentence` states about the question's subject: the one nearest a subject word."""
    words = [(m.start(), m.group(0).lower()) for m in _WORD.finditer(sentence)]
    subject_at = [n for n, (_, w) in enumerate(words) if _is_subject(w, question.subject)]
    best: Figure | None = None
    previous_end = -1
    for match in _FIGURE.finditer(sentence):
        whole = _PART_OF.fullmatch(sentence[previous_end : match.start()]) if previous_end >= 0 else None
        previous_end = match.end()
        if whole or not _wanted(match, sentence, question):
            continue  # "four of 14 nations": the figure is the four
        first = next(n for n, (start, _) in enumerate(words) if start + len(words[n][1]) > match.start())
        last = max(first, sum(1 for start, _ in words if start < match.end()) - 1)
        distance = min(
            (n - last if n > last else (first - n) + 1 for n in subject_at if not first <= n <= last),
            default=len(words),
        )
        if distance > policy.anchor_distance:
            continue
        if best is None or distance < best.distance:
            best = Figure(_tidy(match.group(0)), _value(match), distance)
    return best


def answers(sentence: str, question: FigureQuestion, policy: FigurePolicy) -> Figure | None:
    """The figure, when `sentence` answers the figure question: anchored, about its subject and measure."""
    figure = find_figure(sentence, question, policy)
    if figure is None or (question.counted and not _counts(sentence, question, policy)):
        return None
    words = {w.lower() for w in _WORD.findall(sentence)}
    if question.subject:
        share = sum(1 for s in question.subject if any(_same(s, w) for w in words)) / len(question.subject)
        if share < policy.min_subject_share:
            return None
    if any(not group & words for group in question.measures):
        return None
    return figure


def newest_first(ranked: Sequence[Ranked], question: FigureQuestion, policy: FigurePolicy) -> list[int]:
    """The order of `ranked` (indexes) with the answering sentences near the best sorted newest first.

    The reordered sentences keep the places they held among the others: a sentence that does not
    answer never moves.
    """
    order = list(range(len(ranked)))
    if question.dated and policy.newest_only_undated:
        return order
    pool = range(min(policy.pool, len(ranked)))
    answering = [n for n in pool if answers(ranked[n].text, question, policy) is not None]
    if not answering:
        return order
    floor = ranked[answering[0]].score - policy.newest_margin
    moved = [n for n in answering if ranked[n].score >= floor]
    newest = sorted(moved, key=lambda n: (-(ranked[n].date or dt.date.min).toordinal(), n))
    for slot, n in zip(moved, newest):
        order[slot] = n
    return order


def timeline(
    ranked: Sequence[Ranked], question: FigureQuestion, policy: FigurePolicy
) -> list[tuple[int, Figure]]:
    """The distinct figures about the subject, each at its earliest dated report, oldest first.

    Returned as (index into `ranked`, figure); an undated sentence has no place on a timeline.
    """
    found = [(n, answers(ranked[n].text, question, policy)) for n in range(min(policy.pool, len(ranked)))]
    stated = [(n, f) for n, f in found if f is not None]
    if not stated:
        return []
    floor = max(ranked[n].score for n, _ in stated) - policy.timeline_margin
    first: dict[object, tuple[int, Figure]] = {}
    for n, figure in stated:
        date = ranked[n].date
        if date is None or ranked[n].score < floor:
            continue
        key = figure.value if figure.value is not None else figure.text.lower()
        if key not in first or date < (ranked[first[key][0]].date or date):
            first[key] = (n, figure)
    entries = sorted(first.values(), key=lambda e: (ranked[e[0]].date or dt.date.min, e[0]))
    return entries[-policy.max_timeline :]


def _counts(sentence: str, question: FigureQuestion, policy: FigurePolicy) -> bool:
    """Whether a figure comes right before what the question counts ("600 North Korean soldiers")."""
    for match in _FIGURE.finditer(sentence):
        if not _wanted(match, sentence, question):
            continue
        following = [w.lower() for w in _WORD.findall(sentence[match.end() :])][: policy.anchor_distance]
        if any(_same(c, w) for c in question.counted for w in following):
            return True
    return False


def _wanted(match: re.Match[str], sentence: str, question: FigureQuestion) -> bool:
    """Whether the match is a figure of the kind asked for, not a year, a date or a time."""
    number = match.group("number")
    is_money = bool(match.group("currency")) or bool(
        re.match(r"\s*(?:dollars?|euros?|pounds?)\b", sentence[match.end() :], re.IGNORECASE)
    )
    is_share = bool(match.group("unit"))
    if question.share != is_share and (question.share or question.counted):
        return False  # a share for "what share", a count (not a share) for "how many"
    if question.money and not question.share and not is_money:
        return False
    plain = not (match.group("qualifier") or match.group("currency") or match.group("scale") or is_share)
    if plain and re.fullmatch(r"(?:1[89]|20)\d\d", number):
        return False  # a year
    if _MONTH_BEFORE.search(sentence[: match.start()]) and number.isdigit():
        return False  # "Nov. 15"
    after = sentence[match.end() : match.end() + 3]
    # Not "three-year-long", "10:30", "170mm", "15th".
    return not re.match(
        r"(?:-[A-Za-z]|:\d|\s?(?:a\.?m|p\.?m|mm)\b|th\b|st\b|nd\b|rd\b)", after, re.IGNORECASE
    )


def _value(match: re.Match[str]) -> float | None:
    number = match.group("number").lower()
    if number in _SMALL:
        value = float(_SMALL[number])
    elif number[0].isdigit():
        value = float(number.replace(",", ""))
    else:
        return None
    scale = (match.group("scale") or "").strip().lower()
    return value * _SCALES.get(scale, 1.0)


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    return text[0].upper() + text[1:] if text[0].islower() else text


def _is_subject(word: str, subject: Sequence[str]) -> bool:
    return any(_same(s, word) for s in subject)


def _same(a: str, b: str) -> bool:
    """The same word give or take an ending: "Korea"/"Korean", "soldier"/"soldiers"."""
    stem = min(len(a), len(b), 5)
    return a == b or (stem >= 4 and a[:stem] == b[:stem])
