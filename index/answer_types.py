"""What kind of answer a question asks for, and what a sentence holding one looks like (pure).

Two grains: the broad one ("how many" wants a figure, "when" a date) and a finer one ("how much
did it cost" wants money, "what share" a percentage, "who" a person's name). A sentence without
the kind of answer asked for is rarely the answer, however close its words (docs/search.md).
"""

from __future__ import annotations

import re

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|"
    r"half|percent"
)
FIGURE = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)
DATE = re.compile(
    rf"\b(?:1\d{{3}}|20\d{{2}})s?\b|\b(?:{_MONTHS})|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|yesterday|today|tomorrow|tonight|century|centuries|decade|BC|AD)\b"
)
MONEY = re.compile(r"\$|€|£|\b(?:dollars?|cents?|million|billion|trillion)\b", re.IGNORECASE)
PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundreds?|thousands?|millions?|billions?|dozens?)\b",
    re.IGNORECASE,
)
PERSON = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+")

ASKS_FIGURE = re.compile(
    r"\b(?:how (?:many|much|long|far|old|big|large|tall|high|fast|often)|"
    r"what (?:percentage|percent|number|amount|proportion|fraction|size))\b",
    re.IGNORECASE,
)
ASKS_DATE = re.compile(
    r"\b(?:when|what (?:year|date|month|day|decade|century)|which (?:year|month|day|decade|century))\b",
    re.IGNORECASE,
)
_ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(?:cost|pay|paid|spend|spent|worth|money|cash|raise|raised|fine|price|budget|"
    r"salary|\$)|\bhow much (?:money|cash)",
    re.IGNORECASE,
)
_ASKS_PERCENT = re.compile(
    r"\b(?:what|which) (?:%|percent|percentage|share)|\bwhat %|\bhow many percent", re.IGNORECASE
)
_ASKS_NUMBER = re.compile(
    r"\bhow (?:many|much|old|long|far|big|large|tall|high)\b|\bwhat (?:number|amount|size|age)\b|"
    r"\bfinal (?:tally|toll|score|count)|\bscore\b|\btoll\b",
    re.IGNORECASE,
)
_ASKS_DATE = re.compile(
    r"\bwhen\b|\bwhat (?:year|date|month|day)\b|\bwhich year\b|\bsince when\b", re.IGNORECASE
)
_ASKS_PERSON = re.compile(r"\bwho\b|\bwhose\b", re.IGNORECASE)


# "who" or "when" after another question word opens a clause ("what happens when…", "how were the
# men who…"); it does not say what the question asks for.
_FIRST_ASK = re.compile(r"\b(?:what|which|why|how|where|who|whose|when)\b", re.IGNORECASE)
_CLAUSE_WORD = re.compile(r"\b(?:who|whose|when)\b", re.IGNORECASE)


def _without_clause_words(question: str) -> str:
    """The question without a "who" or "when" that follows another question word."""
    first = _FIRST_ASK.search(question)
    if first is None or first.group().lower() in ("who", "whose", "when"):
        return question
    return question[: first.end()] + _CLAUSE_WORD.sub(" ", question[first.end() :])


def broad_answer(question: str) -> re.Pattern[str] | None:
    """FIGURE for "how many/much", DATE for "when", else None."""
    asked = _without_clause_words(question)
    return FIGURE if ASKS_FIGURE.search(asked) else DATE if ASKS_DATE.search(asked) else None


def fine_answer(question: str) -> re.Pattern[str] | None:
    """What an answering sentence must contain: money, a percentage, a number, a date or a name."""
    asked = _without_clause_words(question)
    for asks, holds in (
        (_ASKS_MONEY, MONEY),
        (_ASKS_PERCENT, PERCENT),
        (_ASKS_NUMBER, NUMBER),
        (_ASKS_DATE, DATE),
        (_ASKS_PERSON, PERSON),
    ):
        if asks.search(asked):
            return holds
    return None


# A name: two or more capitalised words ("Dick Schoof"; "Cpl. Stephen J. Ballard" gives "Stephen J.").
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z.]+)+")
_QUESTION_WORD = re.compile(r"[\w$%.'’-]+")
_EDGE = ".,;:()\"'’“”"
_LACKS = {
    MONEY.pattern: "gives no sum of money your question does not already give",
    PERCENT.pattern: "gives no percentage your question does not already give",
    NUMBER.pattern: "gives no figure your question does not already give",
    DATE.pattern: "gives no date your question does not already give",
    PERSON.pattern: "names no one your question does not already name",
}


def caution(question: str, sentence: str) -> str:
    """Why the sentence shown first may not answer: it lacks the kind of answer the question wants.

    Empty when the question wants no particular kind, or the sentence holds one the question does
    not already give ("who took over from mark rutte?" is not answered by a sentence whose only name
    is Mark Rutte, nor "how many votes in 2024?" by one whose only figure is 2024).
    """
    wanted = fine_answer(question)
    if wanted is None or _holds_new_answer(wanted, question, sentence):
        return ""
    return f"The first sentence {_LACKS[wanted.pattern]}: check that it answers before quoting it."


def _holds_new_answer(wanted: re.Pattern[str], question: str, sentence: str) -> bool:
    """Whether the sentence holds a match of `wanted` whose words the question does not contain."""
    asked = {w.lower().strip(_EDGE) for w in _QUESTION_WORD.findall(question)}
    if wanted.pattern == PERSON.pattern:
        names = (name.group().split() for name in _FULL_NAME.finditer(sentence))
        return any(not any(w.lower() in asked for w in words) for words in names)
    lowered = question.lower()
    for match in wanted.finditer(sentence):
        start, end = match.start(), match.end()
        while start > 0 and not sentence[start - 1].isspace():
            start -= 1
        while end < len(sentence) and not sentence[end].isspace():
            end += 1
        token = sentence[start:end].lower().strip(_EDGE)
        if token and token not in asked and token not in lowered:
            return True
    return False
