"""Reads a question asked after another: as a follow-up searched with the earlier one's words, or on its own.

"and how many were wounded?" after "how many NK soldiers died?" has no subject of its own; searched
alone it finds whoever was wounded anywhere. Read as a follow-up it is searched with the earlier
question's subject, "and how many were wounded? NK". A question that names its own subject is
searched as asked.

Pure functions: the bot supplies the earlier question of a thread or DM, the CLI takes `--after`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .query import FILTER
from .ranking import STOP_WORDS
from .records import Answer

WORD = re.compile(r"[\w'’.+-]*\w", re.UNICODE)
# Openers that continue the conversation rather than start one ("and how many were wounded?").
CONTINUATIONS = ("what about", "how about", "what of", "same for", "and", "but", "also", "plus", "so", "then")
# Pronouns that point back to something named earlier.
PRONOUNS = frozenset(
    {"he", "she", "it", "they", "them", "him", "his", "her", "hers", "its", "their", "theirs"}
)
# Demonstratives point back when no noun of their own follows ("what did that cost?", not "this year").
DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})
# Words that make a question a question; without one ("and in Kursk?") it is a fragment of the earlier one.
QUESTION_WORDS = frozenset(
    "who whom whose what when where which why how is are was were do does did will would can could "  # noqa: SIM905
    "has have had should may might".split()
)
# A fragment that opens with one of these narrows the earlier question ("and in Kursk?"); one that
# names something else instead ("what about Barbie?") takes the place of the earlier one's names.
PREPOSITIONS = frozenset(
    "in at on for during since before after from to by with among within near under over across".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class FollowUpPolicy:
    """When a question reads as a follow-up, and how much of the earlier question it borrows."""

    # At most this many words of substance, none a name: the question has no subject of its own
    # ("what was the vote?", "who wrote the special?").
    max_subjectless_words: int = 2
    # A pronoun in a question with at most this many words of substance points back
    # ("when do they take effect?"); in a longer one it points within ("... and where did they fight?").
    max_words_with_pronoun: int = 3
    # Words of substance borrowed from the earlier question, at most.
    max_borrowed_words: int = 10
    # The earlier question a fragment is appended to is cut to this many characters.
    max_earlier_chars: int = 400


@dataclass(frozen=True)
class Reading:
    """How a question is searched: `text`, and the earlier question it builds on ("" when none)."""

    question: str
    text: str
    earlier: str = ""
    reason: str = ""  # why it reads as a follow-up, or why not

    @property
    def follow_up(self) -> bool:
        return bool(self.earlier)


def on_its_own(question: str, reason: str = "") -> Reading:
    return Reading(question=question, text=question, reason=reason)


def read(
    question: str,
    earlier: str,
    earlier_searched: str = "",
    policy: FollowUpPolicy | None = None,
) -> Reading:
    """`question` read after `earlier` (searched as `earlier_searched`, if that differs).

    The earlier question's filters (`since:`, `source:`) carry over unless the follow-up sets its own.
    """
    policy = policy or FollowUpPolicy()
    context = earlier_searched or earlier
    if not earlier.strip() or question.strip().casefold() == earlier.strip().casefold():
        return on_its_own(question)
    bare, filters = _split_filters(question)
    words = WORD.findall(bare)
    folded = [w.casefold() for w in words]
    cue = _continuation(folded)
    substance = _substance(words)
    names = _names(words)
    pronoun = _pointing_back(folded)
    rest = folded[len(cue.split()) :] if cue else folded
    if cue:
        reason = f"starts with “{cue}”"
    elif pronoun and len(substance) <= policy.max_words_with_pronoun:
        reason = f"“{pronoun}” points back"
    elif len(substance) <= policy.max_subjectless_words and not names:
        reason = "names no subject of its own"
    else:
        return on_its_own(question, "names its own subject")

    earlier_bare, earlier_filters = _split_filters(context)
    keys = {_filter_key(f) for f in filters}
    carried = [f for f in earlier_filters if _filter_key(f) not in keys]
    if not (set(rest) & QUESTION_WORDS):
        text = _fragment(earlier_bare, words[len(words) - len(rest) :], rest, policy)
    else:
        text = _borrow(bare, earlier_bare, set(folded), policy)
    text = " ".join([text, *filters, *carried])
    return Reading(question=question, text=text, earlier=earlier, reason=reason)


def annotate(answer: Answer, reading: Reading) -> Answer:
    """The answer to `reading.text` as the answer to the question asked, naming what it built on."""
    if not reading.follow_up:
        return answer
    return replace(
        answer,
        question=reading.question,
        searched_as=answer.searched_as or reading.text,
        follow_up_to=reading.earlier,
    )


def _borrow(question: str, earlier: str, own: set[str], policy: FollowUpPolicy) -> str:
    """The question plus the earlier question's subject: the names and figures it gives, or without
    any, all its words of substance (those the question does not already use).

    Borrowing only the names keeps the earlier question's own predicate ("died", "troops near the
    border") from pulling its own answer back up: 12 of 20 follow-ups found against 9 of 20, a tie
    (6 of 10) on 10 written afterwards (docs/benchmarks.md, "Follow-up questions").
    """
    words = WORD.findall(earlier)
    names = set(_names(words))
    substance = [
        w
        for w in dict.fromkeys(words)
        if w.casefold() not in own and w.casefold() not in STOP_WORDS | QUESTION_WORDS
    ]
    subject = [w for w in substance if w in names or any(c.isdigit() for c in w)]
    return " ".join([question.strip(), *(subject or substance)[: policy.max_borrowed_words]])


def _fragment(earlier: str, words: list[str], folded: list[str], policy: FollowUpPolicy) -> str:
    """The earlier question completed by a fragment: narrowed by it, or its names swapped for its own."""
    base = _cut(earlier.strip(), policy.max_earlier_chars)
    # After its opener a fragment has no sentence start: any capitalised word in it is a name.
    if any(w[0].isupper() for w in words) and folded[0] not in PREPOSITIONS:
        names = set(_names(WORD.findall(base)))
        base = " ".join(t for t in base.split() if not (set(WORD.findall(t)) & names))
    return " ".join([base, *words])


def _split_filters(text: str) -> tuple[str, list[str]]:
    filters = [match.group(0) for match in FILTER.finditer(text)]
    return " ".join(FILTER.sub(" ", text).split()), filters


def _filter_key(token: str) -> str:
    """What a filter sets: `after:` and `since:` both set the start, and so on (index/query.py)."""
    key = token.split(":", 1)[0].casefold()
    return {"after": "since", "until": "before", "outlet": "source"}.get(key, key)


def _continuation(folded: list[str]) -> str:
    for cue in CONTINUATIONS:
        parts = cue.split()
        if folded[: len(parts)] == parts and len(folded) > len(parts):
            return cue
    return ""


def _substance(words: list[str]) -> list[str]:
    return [w for w in words if w.casefold() not in STOP_WORDS and w.casefold() not in QUESTION_WORDS]


def _names(words: list[str]) -> list[str]:
    """Capitalised words after the first, and acronyms anywhere (as ranking reads names)."""
    return [w for n, w in enumerate(words) if w[0].isupper() and (n > 0 or (len(w) > 1 and w.isupper()))]


def _pointing_back(folded: list[str]) -> str:
    for n, word in enumerate(folded):
        if word in PRONOUNS:
            return word
        if word in DEMONSTRATIVES:
            following = folded[n + 1] if n + 1 < len(folded) else ""
            if not following or following in STOP_WORDS or following in QUESTION_WORDS:
                return word
    return ""


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut
