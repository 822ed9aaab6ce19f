"""Answer or refuse: one frozen policy holding every threshold, one decision with its reason.

Cosine alone cannot separate answerable from unanswerable questions (unanswerable ones reach
0.50-0.63), so in the uncertain band the question's rare names must also occur in the article
the best sentence comes from. docs/search.md has the measurements behind each number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Protocol

from .config import BUNDLED_MODEL
from .errors import NewsdeskError
from .ranking import share_floor

# A model folder may carry the thresholds fitted for its cosines (`newsdesk model tune` writes
# one): the defaults below were fitted with the default model's (the bundled one with the news
# adapter); the bundled weights alone (NEWSDESK_MODEL=bundled) keep the answer floor fitted to them.
POLICY_FILE = "answer_policy.json"
BUNDLED_ANSWER_POLICY = {"min_answer_cosine": 0.40, "min_shown_cosine": 0.35}

# An all-capital name of this many letters may be an acronym the article spells out.
ACRONYM_LETTERS = (2, 6)
# Before "no article mentions IIJA" refuses, the articles of this many top-ranked sentences are
# read for the acronym spelled out (the one that spells it is often ranked below the first).
ACRONYM_ARTICLES_DEPTH = 10


@dataclass(frozen=True)
class AnswerPolicy:
    # Below this cosine nothing answers. The adapter's right answers score lower than the bundled
    # model's: on reporter dev 0.40 refused 7.9% of answerable questions, 0.35 3.9%.
    min_answer_cosine: float = 0.35
    # From this cosine the best sentence answers without further evidence.
    confident_cosine: float = 0.60
    # Between the two, this IDF-weighted share of the question's key names must be in the article.
    min_key_coverage: float = 0.7
    # A name no article mentions refuses the question, unless the best cosine reaches this.
    unknown_name_cosine: float = 0.75
    # A name in more than this share of sentences is too common to be a key name.
    key_term_max_share: float = 0.0005
    # Once answered, further sentences are shown down to this cosine: 0.05 under the answer floor,
    # as for the bundled model (reporter dev, as ask shows: R@3 0.777 at 0.35, 0.786 at 0.30).
    min_shown_cosine: float = 0.30

    @classmethod
    def for_model(cls, model_path: str | None) -> AnswerPolicy:
        """The default policy, with the thresholds the model folder's answer_policy.json sets."""
        if model_path == BUNDLED_MODEL:
            return replace(cls(), **BUNDLED_ANSWER_POLICY)
        if model_path is None or not (Path(model_path) / POLICY_FILE).is_file():
            return cls()
        path = Path(model_path) / POLICY_FILE
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NewsdeskError(f"Cannot read {path}: {exc}. Fix it, or delete it for the defaults.") from exc
        if not isinstance(values, dict):
            raise NewsdeskError(f"{path} must hold a JSON object of thresholds.")
        known = {f.name for f in fields(cls)}
        for name, value in values.items():
            if name not in known:
                raise NewsdeskError(
                    f"{path}: {name!r} is not a threshold; known: {', '.join(sorted(known))}."
                )
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise NewsdeskError(f"{path}: {name} must be a number from 0 to 1, not {value!r}.")
        return replace(cls(), **{name: float(value) for name, value in values.items()})


@dataclass(frozen=True)
class Verdict:
    answered: bool
    reason: str = ""  # why nothing was shown, in words a reporter can act on; empty when answered


ANSWERED = Verdict(True)


class Evidence(Protocol):
    """What the decision asks of the index (`store.Store` provides it)."""

    def mentions_anywhere(self, term: str) -> bool: ...

    def article_mentions(self, article_id: int, title: str, term: str) -> bool: ...

    def article_text(self, article_id: int) -> str: ...


@dataclass(frozen=True)
class Best:
    """The first-ranked sentence: its cosine and where it comes from, and the articles of the
    sentences ranked after it (where an acronym the question uses may be spelled out)."""

    cosine: float
    article_id: int
    title: str
    other_articles: tuple[int, ...] = ()


def decide(
    policy: AnswerPolicy,
    best: Best | None,
    *,
    evidence: Evidence,
    weights: Mapping[str, float],
    names: Mapping[str, str],
    sentence_count: int,
) -> Verdict:
    """Whether the best sentence is evidence for an answer; if not, why.

    `weights` holds the IDF of each question term in the index, `names` the terms the question
    names (capitalised, or shorthand spelled out; lower case to the form the question wrote),
    `sentence_count` the size of the index.
    """
    if best is None:
        return Verdict(False, "nothing in the archive matches the question")
    spelled = _Spelled(evidence, (best.article_id, *best.other_articles), names)
    if best.cosine < policy.unknown_name_cosine:
        absent = unknown_names(evidence, weights, sentence_count, names)
        unknown = [t for t in absent if not spelled(t, nearby=True)]
        if unknown:
            return Verdict(False, f"no article mentions {_listing([names[t] for t in unknown])}")
    if best.cosine < policy.min_answer_cosine:
        return Verdict(False, "the best match is too weak to support an answer")
    if best.cosine >= policy.confident_cosine:
        return ANSWERED
    keys = key_terms(policy, weights, sentence_count, names)
    total = sum(keys.values())
    if not total:
        return ANSWERED
    missing = [
        t for t in keys if not evidence.article_mentions(best.article_id, best.title, t) and not spelled(t)
    ]
    found = total - sum(keys[t] for t in missing)
    if found / total >= policy.min_key_coverage:
        return ANSWERED
    return Verdict(False, f"the closest article does not mention {_listing([names[t] for t in missing])}")


def key_terms(
    policy: AnswerPolicy, weights: Mapping[str, float], sentence_count: int, names: Collection[str]
) -> dict[str, float]:
    """The question's names that are rare (in at most `key_term_max_share` of sentences), by IDF.

    Only names: rare lowercase words ("clinched", "moniker") are as often the question's own
    phrasing as its topic, and counting them refused answerable questions (docs/search.md).
    """
    floor = share_floor(sentence_count, policy.key_term_max_share)
    return {t: w for t, w in weights.items() if w >= floor and len(t) > 1 and not t.isdigit() and t in names}


def unknown_names(
    evidence: Evidence, weights: Mapping[str, float], sentence_count: int, names: Collection[str]
) -> list[str]:
    """The names in the question that no sentence, context or headline of the index contains."""
    absent = share_floor(sentence_count, 0.0)  # the IDF of a term found in no sentence
    candidates = sorted(t for t in names if weights.get(t, 0.0) >= absent)
    return [t for t in candidates if not evidence.mentions_anywhere(t)]


def acronym_pattern(acronym: str) -> re.Pattern[str]:
    """Words whose initials spell the acronym: IIJA is "Infrastructure Investment and Jobs Act",
    POY "Player of the Year", HFMD "hand, foot and mouth disease" (initials in either case)."""
    filler = r"(?:(?:and|of|the|for|on|in|&)\s+){0,2}"
    words = rf",?[\s-]+{filler}".join(rf"{re.escape(letter)}[\w'’.]*" for letter in acronym.upper())
    return re.compile(rf"\b{words}\b", re.IGNORECASE)


class _Spelled:
    """Whether an acronym the question uses (IIJA, UNH) is spelled out in the best article, or
    (`nearby`) in any of the ranked articles.

    Newsrooms type acronyms that articles spell out; such a name is known, not missing. An
    article's text is read only for a question with an acronym, and once.
    """

    def __init__(self, evidence: Evidence, article_ids: tuple[int, ...], names: Mapping[str, str]) -> None:
        self._evidence, self._article_ids, self._names = evidence, tuple(dict.fromkeys(article_ids)), names
        self._texts: dict[int, str] = {}

    def __call__(self, term: str, *, nearby: bool = False) -> bool:
        written = self._names.get(term, "")
        if not (ACRONYM_LETTERS[0] <= len(written) <= ACRONYM_LETTERS[1] and written.isupper()):
            return False
        pattern = acronym_pattern(written)
        return any(pattern.search(self._text(a)) for a in self._article_ids[: None if nearby else 1])

    def _text(self, article_id: int) -> str:
        if article_id not in self._texts:
            self._texts[article_id] = self._evidence.article_text(article_id)
        return self._texts[article_id]


def _listing(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " or " + terms[-1]
