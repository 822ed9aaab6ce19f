"""Who said it: the speaker, reporting word and cited source of a sentence, by rules (pure).

`attribute(sentence, earlier)` reads one sentence with the sentences of its article before it and
returns `Attribution(speaker, cue, citing)`, or None where the outlet states the sentence itself.
The speaker is given by the fullest name the article used for them ("according to Lee" →
"Lee Seong-kweun"); he, she, they and it stand for the last named speaker before the sentence.

Rules rather than a parser: the maintained quote extractors (the BBC's Citron; spaCy-based ones)
need a spaCy pipeline that is downloaded, not shipped in a package, and a parse of a whole article
costs tens of milliseconds where these rules cost tens of microseconds a sentence. The rules and
their scores on hand-labelled RealTime QA sentences are in `bench/attribution.py` and
docs/benchmarks.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Attribution:
    """Whom a sentence attributes its content to; `cue` is None for a bare quotation."""

    speaker: str
    cue: str | None
    citing: str | None = None


# Reporting words that attribute whatever they are attached to.
STRONG_CUES = (
    "said|says|say|told|tells|added|adds|stated|states|according to|explained|explains|concluded"
    "|reported|reports"
)
# Words that attribute only with content after them ("that", a quotation, a colon), or at the end
# of the sentence after what was said ("…, Reuters reported."); otherwise they report acts
# ("EPD wrote a memorandum", "announced Thursday's landing").
WEAK_CUES = (
    "wrote|writes|announced|announces|argued|argues|argue|noted|notes|claimed|claims"
    "|insisted|insists|warned|warns|asked|asks|confirmed|confirms|acknowledged|acknowledges"
    "|admitted|admits|tweeted|posted|pointed out|predicted|predicts|estimated|estimates|believes"
    "|believe|recalled|suggested|suggests|continued"
)
_CUE = re.compile(rf"\b(?:(?P<strong>{STRONG_CUES})|(?P<weak>{WEAK_CUES}))\b", re.I)
_ANY_CUE = re.compile(rf"\b(?:{STRONG_CUES}|{WEAK_CUES})\b|[\"“”]", re.I)
_CITING = re.compile(r"\bciting\b\s+", re.I)
_OPEN_QUOTES = '“"'
_PRONOUNS = frozenset({"he", "she", "they", "it", "him", "her"})

# Before a cue: words that make it no attribution ("is said to", "to say", "That said").
_NOT_BEFORE = re.compile(
    r"(?:\b(?:is|was|are|were|be|been|being|to|would|could|should|might|must|can|will|may|not|never"
    r"|who|which|what|how|when|where|why|had been|has been|have been)\s+$|^\s*that\s+$)",
    re.I,
)
# Words standing between a subject and its cue: "Experts have said", "Lee also said".
_AUXILIARY = re.compile(
    r"(?:\s+(?:has|have|had|also|previously|later|then|again|further|repeatedly|publicly|earlier"
    r"|recently|reportedly|once|since|still|first|long|already|now|initially|simply|[a-z]+ly))+\s*$",
    re.I,
)
# After a cue: when, where and how it was said, skipped before looking for "that" or a quote.
_ADVERBIAL = re.compile(
    r"^(?:\s*,?\s*(?:on|in|at|during|after|before|last|this|late|early|earlier|later|via|by|to|from)?"
    r"\s*(?:(?:a|an|the|his|her|their|its)\s+)?(?:[A-Z][\w.’'-]*|Monday|Tuesday|Wednesday|Thursday"
    r"|Friday|Saturday|Sunday|statement|email|interview|post|tweet|release|news|conference|briefing"
    r"|call|week|month|year|reporters|report|letter|speech|\d+)(?:\s+(?:statement|email|interview"
    r"|post|release|conference|briefing|on\s+[A-Z]\w*))?)*",
)

# A capitalised word, with the lower-case joiners that names and institutions carry.
_CAP_WORD = r"(?:[A-Z][\w.’'&-]*|[A-Z]\.)"
_JOINER = r"(?:of|and|for|de|da|del|van|von|bin|al|la|le|the|on)"
_CAP_RUN = re.compile(rf"{_CAP_WORD}(?:\s+(?:{_JOINER}\s+)*{_CAP_WORD})*")
_TRAILING_RUN = re.compile(rf"({_CAP_WORD}(?:\s+(?:{_JOINER}\s+)*{_CAP_WORD})*)\W*$")


def _load_words() -> dict[str, frozenset[str]]:
    """The word lists in data/attribution_words.txt, by name."""
    lists: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in (Path(__file__).parent / "data" / "attribution_words.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.endswith(":"):
            current = lists.setdefault(line[:-1], set())
        else:
            current.update(line.split())
    return {name: frozenset(words) for name, words in lists.items()}


_WORDS = _load_words()
TITLES = _WORDS["titles"]
_FUNCTION = _WORDS["function"]
_ORG_WORDS = _WORDS["organisations"]
_DOCUMENTS = _WORDS["documents"]
_DAYS = _WORDS["days"]
_OUTLETS = _WORDS["outlets"]
_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.I)
_INFO_FROM = re.compile(
    r"^(?:(?:the\s+)?(?:information|data|figures|intelligence|a report|reports|estimates)\s+(?:from|by)\s+)",
    re.I,
)
_ACCORDING_END = re.compile(
    r"[,;:(\u2013\u2014]|\s(?:citing|who|which|shared|released|published|provided)\s|\.\s*$"
)
_END_PUNCT = re.compile(r"[\s.,;:!?\"“”’')\]]+$")
_BOUNDARY = re.compile(r"[,;:()\u2013\u2014]|\s-\s|\bthat\b", re.I)


def attribute(sentence: str, earlier: Sequence[str] = ()) -> Attribution | None:
    """Who `sentence` attributes its content to, reading the article's `earlier` sentences."""
    return attribute_at([*earlier, sentence], len(earlier))


def attribute_at(sentences: Sequence[str], position: int) -> Attribution | None:
    """The attribution of `sentences[position]`, an article's lines (its headline may come first).

    Earlier sentences are read only as far as needed: the speakers before it, LOOKBACK at most,
    and the names the article used.
    """
    return _Article(sentences, floor=max(0, position - LOOKBACK)).at(position)


def attribute_positions(sentences: Sequence[str], positions: Sequence[int]) -> dict[int, Attribution | None]:
    """The attributions of several sentences of one article, earlier sentences read once."""
    if not positions:
        return {}
    article = _Article(sentences, floor=max(0, min(positions) - LOOKBACK))
    return {position: article.at(position) for position in positions}


def attribute_article(sentences: Sequence[str]) -> list[Attribution | None]:
    """The attribution of every sentence of an article, in one pass."""
    article = _Article(sentences, floor=0)
    return [article.at(position) for position in range(len(sentences))]


# How far back a pronoun or a running quotation looks for its speaker.
LOOKBACK = 15


class _Article:
    """An article's sentences and the attributions worked out so far (each at most once)."""

    def __init__(self, sentences: Sequence[str], floor: int) -> None:
        self.sentences = sentences
        self.floor = floor
        self._found: dict[int, Attribution | None] = {}
        self._names: dict[str, str] = {}

    def at(self, position: int) -> Attribution | None:
        if position not in self._found:
            self._found[position] = _attribute_one(self, position)
        return self._found[position]

    def full_name(self, name: str) -> str:
        """The fullest form of a one-word name the article uses anywhere (read once per name)."""
        if name not in self._names:
            self._names[name] = _full_name(name, self.sentences)
        return self._names[name]

    def before(self, position: int) -> Iterator[Attribution | None]:
        """The attributions of the sentences before `position`, nearest first."""
        for earlier in range(position - 1, self.floor - 1, -1):
            yield self.at(earlier)


def may_be_attributed(sentence: str) -> bool:
    """False for a sentence with no reporting word and no quote mark: the outlet states it."""
    return bool(_ANY_CUE.search(sentence))


def speaker_matches(attribution: Attribution | None, wanted: str) -> bool:
    """True when every word of `wanted` ("Lee", "Lee Seong-kweun") is a word of the speaker."""
    if attribution is None:
        return False
    words = set(_words(attribution.speaker))
    asked = [word for word in _words(wanted) if word not in ("the", "a", "an")]
    return bool(asked) and all(word in words for word in asked)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text.casefold().replace("’", "'").replace("'s", ""))


# -- one sentence -----------------------------------------------------------------------------


def _attribute_one(article: _Article, position: int) -> Attribution | None:
    sentence = article.sentences[position]
    if not _ANY_CUE.search(sentence):
        return None
    quoted = _quoted_mask(sentence)
    main = None
    according = None
    for match in _CUE.finditer(sentence):
        if quoted[match.start()]:
            continue
        cue = match.group(0).lower()
        if cue == "according to":
            if according is None:
                according = match
            continue
        if main is None and _reports(sentence, match, strong=bool(match.group("strong"))):
            speaker = _subject(sentence, match, quoted) or _inverted_subject(sentence, match)
            if speaker:
                main = (speaker, cue, match)
    citing = _citing(sentence, quoted)
    if main is None and according is not None:
        source = _after_according(sentence, according)
        if source:
            main = (source, "according to", according)
    elif main is not None and according is not None and citing is None:
        citing = _after_according(sentence, according)
    if main is None:
        return _bare_quote(article, position, quoted)
    speaker, cue, _ = main
    resolved = _resolve(speaker, article, position)
    if resolved is None:
        return None
    return Attribution(resolved, cue, citing)


def _quoted_mask(sentence: str) -> list[bool]:
    """For each character, whether it lies inside quotation marks.

    A sentence whose first quote mark closes a quotation ("…, he said" after an opening in the
    sentence before) is quoted from its start.
    """
    mask = [False] * (len(sentence) + 1)
    inside = False
    marks = [i for i, c in enumerate(sentence) if c in '“”"']
    if marks and (sentence[marks[0]] == "”" or _closes(sentence, marks[0])) and not _opens_at_start(sentence):
        inside = True
    start = 0
    for i in marks:
        char = sentence[i]
        opening = char == "“" or (char == '"' and not inside)
        if not inside and opening:
            inside, start = True, i
        elif inside and (char == "”" or char == '"'):
            for j in range(start, i + 1):
                mask[j] = True
            inside = False
    if inside:
        for j in range(start, len(sentence)):
            mask[j] = True
    return mask


def _closes(sentence: str, i: int) -> bool:
    """A straight quote mark right after a word and before a space or punctuation closes a quote."""
    before = sentence[i - 1] if i else " "
    after = sentence[i + 1] if i + 1 < len(sentence) else " "
    return sentence[i] == '"' and not before.isspace() and (after.isspace() or after in ",.;:")


def _opens_at_start(sentence: str) -> bool:
    return sentence.lstrip()[:1] in _OPEN_QUOTES and not _closes(
        sentence, len(sentence) - len(sentence.lstrip())
    )


def _reports(sentence: str, match: re.Match[str], *, strong: bool) -> bool:
    """Whether this cue attributes content, rather than being passive, infinitive or an idiom."""
    before = sentence[: match.start()]
    if _NOT_BEFORE.search(before):
        return False
    cue = match.group(0).lower()
    after = sentence[match.end() :]
    if cue in ("added", "adds") and re.match(r"\s+(?:to|a|an|the|more|new|its|their|his|her)\b", after):
        return False
    if cue in ("say", "believe", "argue") and not re.search(r"[A-Za-z]s\s*$|\b(?:they|we|you|I)\s*$", before):
        return False
    if strong:
        return True
    rest = _ADVERBIAL.sub("", after, count=1)
    if re.match(r"\s*(?:that\b|[“\":]|,\s*[“\"])", rest):
        return True
    # "…, Reuters reported." / "…,” he wrote in an email.": the content came first.
    content_first = bool(re.search(r"[,”\"]\s*\S[^,]*$", before))
    return content_first and bool(re.match(r"\s*(?:[,.;]|$)", rest))


def _subject(sentence: str, match: re.Match[str], quoted: list[bool]) -> str | None:
    """The noun phrase before the cue ("a South Korean lawmaker said"), skipping appositions.

    Only the text after the last quotation before the cue is read: a speaker is never inside
    what they said.
    """
    start = match.start()
    while start > 0 and not quoted[start - 1]:
        start -= 1
    before = _AUXILIARY.sub("", sentence[start : match.start()])
    segments = [segment.strip() for segment in _BOUNDARY.split(before)]
    last = segments[-1]
    if last and not _is_apposition(last, after_comma=False):
        return _noun_phrase(last)
    # "Lee Seong-kweun, who serves on a committee, said" / "Shoigu, head of the council, said".
    for index in range(len(segments) - 2, max(-1, len(segments) - 5), -1):
        text = segments[index]
        if not text or _is_apposition(text, after_comma=index > 0):
            continue
        run = _TRAILING_RUN.search(text)
        if run and _is_name(run.group(1)):
            return _clean_name(run.group(1))
        return None
    return None


def _is_apposition(text: str, *, after_comma: bool) -> bool:
    """ "who serves on…", "head of the council", and after a comma "a professor at…".

    "lawmaker Lee Seong-kweun" is a title and a name, not an apposition.
    """
    first = text.split(None, 1)[0]
    lower = first.lower()
    if lower in {"who", "which", "whose", "now", "also"}:
        return True
    if after_comma and lower in {"a", "an", "the", "of", "from", "with"}:
        return True
    if not (first[0].islower() and lower in TITLES | {"co-author"}):
        return False
    run = _TRAILING_RUN.search(text)
    head = text[: run.start()].split() if run else []
    return not (run and head and head[-1].lower() not in _FUNCTION)


def _inverted_subject(sentence: str, match: re.Match[str]) -> str | None:
    """The speaker after the cue: "…,” said Lee." / "…, said the BBC."."""
    before = sentence[: match.start()].rstrip()
    if before and before[-1] not in ",”\"'’" and not before.endswith(("—", "–")):
        return None
    after = sentence[match.end() :]
    end = re.search(r"[,;:.!?(\u2013\u2014]|\s(?:in|on|at|during|after|who|when|as)\s", after)
    phrase = after[: end.start()].strip() if end else after.strip()
    if not phrase or phrase.split()[0].lower() in _DAYS or not re.search(r"[A-Z]", phrase):
        return None
    return _noun_phrase(phrase)


def _noun_phrase(text: str) -> str | None:
    """The speaker in a subject phrase: a name when it ends in one, else the phrase itself."""
    text = _END_PUNCT.sub("", text.strip())
    words = text.split()
    while words and words[0].lower() in {"and", "but", "so", "also", "meanwhile", "however", "then"}:
        words.pop(0)
    if not words:
        return None
    text = " ".join(words)
    if text.lower() in _PRONOUNS:
        return text.lower()
    run = _TRAILING_RUN.search(text)
    if run:
        name = run.group(1)
        head = text[: run.start()].split()
        if not head or (head[-1].lower() not in _FUNCTION and head[-1][:1].islower()) or len(words) > 6:
            return _clean_name(_drop_place(name))
        if _DETERMINER.match(text) or len(words) <= 6:
            return _DETERMINER.sub("", _drop_place(text))
    if len(words) > 8 or words[0].lower() in _FUNCTION - {"the", "a", "an"}:
        return None
    return _DETERMINER.sub("", text)


def _drop_place(name: str) -> str:
    """ "Rep. Lauren Boebert of Colorado" → "Rep. Lauren Boebert"; institutions keep their "of"."""
    person, sep, _ = name.partition(" of ")
    if sep and len(person.split()) >= 2 and not set(person.lower().split()) & _ORG_WORDS:
        return person
    return name


def _clean_name(name: str) -> str:
    """Titles and clause openers cut from the front of a name: "Foreign Minister Wang Yi" → "Wang Yi"."""
    words = name.split()
    while len(words) > 1 and words[0].lower().strip(".") in _FUNCTION:
        words.pop(0)
    while len(words) > 1 and ("-based" in words[0] or words[0].lower() == "former"):
        words.pop(0)
    cut = 0
    for i, word in enumerate(words[:-1]):
        if word.lower().strip(".,") in TITLES:
            cut = i + 1
    rest = words[cut:]
    if cut and rest and not set(w.lower() for w in rest) & _ORG_WORDS and rest[0][:1].isupper():
        words = rest
    return " ".join(words).rstrip(",")


def _is_name(text: str) -> bool:
    return bool(text) and text.split()[-1][:1].isupper() and text.lower() not in _DAYS


def _after_according(sentence: str, match: re.Match[str]) -> str | None:
    """X in "according to X": up to the next comma, the document it speaks through dropped."""
    after = sentence[match.end() :]
    end = re.search(
        r"[,;:(\u2013\u2014]|\s(?:citing|who|which|shared|released|published|provided)\s|\.\s*$", after
    )
    phrase = _END_PUNCT.sub("", (after[: end.start()] if end else after).strip())
    phrase = _INFO_FROM.sub("", phrase)
    phrase = re.sub(r"\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$", "", phrase)
    words = phrase.split()
    if not words:
        return None
    # "Department of Homeland Security figures" → the department; "a 2019 study" stays a study.
    if len(words) > 1 and words[-1].lower() in _DOCUMENTS and words[-2][:1].isupper():
        phrase = " ".join(words[:-1])
    phrase = re.sub(r"[’']s$", "", phrase)
    run = _CAP_RUN.fullmatch(_DETERMINER.sub("", phrase))
    if run:
        return _clean_name(run.group(0))
    return _noun_phrase(phrase)


def _citing(sentence: str, quoted: list[bool]) -> str | None:
    """The source in ", citing X": to the end of the sentence, "information from" dropped."""
    for match in _CITING.finditer(sentence):
        if quoted[match.start()] or not sentence[: match.start()].strip():
            continue
        rest = sentence[match.end() :]
        end = re.search(r";|\s[\u2013\u2014]\s", rest)
        phrase = _END_PUNCT.sub("", rest[: end.start()] if end else rest)
        phrase = _DETERMINER.sub("", _INFO_FROM.sub("", phrase))
        return phrase or None
    return None


def _bare_quote(article: _Article, position: int, quoted: list[bool]) -> Attribution | None:
    """A sentence that is all quotation, in a run of quotation: the speaker of the run."""
    sentence = article.sentences[position].strip()
    if not sentence or not all(quoted[i] or not sentence[i].isalpha() for i in range(len(sentence))):
        return None
    previous = article.at(position - 1) if position > article.floor else None
    if previous is None:
        return None
    return Attribution(previous.speaker, None)


# -- who the speaker is -----------------------------------------------------------------------


def _resolve(speaker: str, article: _Article, position: int) -> str | None:
    """Pronouns and descriptions as whom they stand for; a surname as the fullest form used."""
    lower = speaker.lower()
    if lower in _PRONOUNS:
        person = lower != "it"
        return _last_named(article.before(position), person=person) or (
            _last_person_mentioned(article.sentences[max(article.floor, position - 4) : position])
            if person
            else None
        )
    if not speaker[:1].isupper():
        return _described(speaker, article.before(position))
    if len(speaker.split()) > 1:
        return speaker
    return article.full_name(speaker)


def _described(speaker: str, found: Iterable[Attribution | None]) -> str:
    """ "the official" as the "senior administration official" before it; "the paper" as the outlet."""
    words = speaker.lower().split()
    if len(words) > 2:
        return speaker
    for attribution in found:
        if attribution is None:
            continue
        earlier = attribution.speaker
        if earlier.lower().split()[-1:] == words[-1:] and len(earlier.split()) > len(words):
            return earlier
        if (
            words[-1] in _OUTLETS
            and _is_name(earlier)
            and (len(earlier.split()) < 2 or not _is_person(earlier))
        ):
            return earlier
    return speaker


def _last_named(found: Iterable[Attribution | None], *, person: bool) -> str | None:
    """The speaker of the nearest attributed sentence: a person's name for he/she/they."""
    for attribution in found:
        if attribution is None:
            continue
        if not person or _is_person(attribution.speaker):
            return attribution.speaker
    return None


def _last_person_mentioned(sentences: Sequence[str]) -> str | None:
    """The last person named in the few sentences before (he or she said nothing quoted yet)."""
    for text in reversed(sentences):
        people = [
            _clean_name(run.group(0)) for run in _CAP_RUN.finditer(text) if len(run.group(0).split()) >= 2
        ]
        people = [p for p in people if _is_person(p) and len(p.split()) >= 2]
        if people:
            return people[-1]
    return None


def _is_person(name: str) -> bool:
    words = name.split()
    return (
        1 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not {w.lower().strip(".,") for w in words} & (_ORG_WORDS | _DAYS | _FUNCTION)
    )


def _full_name(name: str, texts: Sequence[str]) -> str:
    """The most used longer form of `name` in `texts` ("Lee" → "Lee Seong-kweun"), else `name`."""
    wanted = name.split()
    pattern = re.compile(rf"(?<![\w-]){re.escape(wanted[0])}(?![\w-])")
    forms: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for text in texts:
        if wanted[0] not in text or not pattern.search(text):
            continue
        for run in _CAP_RUN.finditer(text):
            cleaned = _clean_name(_drop_place(re.sub(r"[’']s$", "", run.group(0))))
            words = [w.rstrip(",.") for w in cleaned.split()]
            if len(words) <= len(wanted) or len(words) > 4 or {w.lower() for w in words} & _ORG_WORDS:
                continue
            if any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1)):
                form = " ".join(words)
                forms[form] += 1
                first_seen.setdefault(form, len(first_seen))
    if not forms:
        return name
    return max(forms, key=lambda form: (forms[form], -first_seen[form]))
