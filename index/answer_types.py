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


def broad_answer(question: str) -> re.Pattern[str] | None:
    """FIGURE for "how many/much", DATE for "when", else None."""
    return FIGURE if ASKS_FIGURE.search(question) else DATE if ASKS_DATE.search(question) else None


def fine_answer(question: str) -> re.Pattern[str] | None:
    """What an answering sentence must contain: money, a percentage, a number, a date or a name."""
    for asks, holds in (
        (_ASKS_MONEY, MONEY),
        (_ASKS_PERCENT, PERCENT),
        (_ASKS_NUMBER, NUMBER),
        (_ASKS_DATE, DATE),
        (_ASKS_PERSON, PERSON),
    ):
        if asks.search(question):
            return holds
    return None
