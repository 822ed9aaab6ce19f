"""Splits article text into sentences that are exact substrings of it (pure)."""

from __future__ import annotations

import re

import blingfire

from .furniture import CAPTION, RELATED, TEXT, classify, leading_credit

# A list marker at the start of a paragraph: "-", "*", "•", "1.", "2)".
_BULLET = re.compile(r"(?:[-*\u2022\u25aa\u25e6\u25cf\u00b7]|\d{1,2}[.)])\s+")
_LETTER = re.compile(r"[^\W\d_]")
# Abbreviations that never end a sentence, though blingfire sometimes cuts after them
# (mostly when they open a paragraph: "Gov. Gretchen Whitmer said ...", "Roe v. Wade").
_NEVER_FINAL = re.compile(
    r"(?:^|[\s(\u201c\"])(?:Mr|Mrs|Ms|Dr|Prof|Rev|Gov|Govs|Sen|Sens|Rep|Reps|Gen|Lt|Col|Maj"
    r"|Capt|Cmdr|Adm|Sgt|Cpl|Pvt|Supt|Det|v|vs)\.$"
)
# Ambiguous ones, joined only when the fragment is nothing but the abbreviation.
_LONE_ABBREVIATION = re.compile(r"(?:St|Ft|Mt)\.")
# Bare links glued to the end of a sentence, after its closing punctuation: "… in Kenosha,
# Wisconsin. https://www.usatoday.com/story/…" (USA Today's corrections), "… name.http://…",
# "… room. https://… https://…".
_TRAILING_LINK = re.compile(r"(?<=[.!?\"'\u201d\u2019)])\s*(https?://\S+(?:\s+(?:and\s+)?https?://\S+)*)$")


def split_sentences(text: str) -> list[str]:
    """Return the sentences of `text` in order, each an exact, stripped substring of it.

    Every line break ends a paragraph and so a sentence; list markers are dropped and
    pieces without any letter (rules, stray punctuation, lone numbers) are left out.
    """
    return [sentence for sentence, _ in split_classified(text)]


def split_classified(text: str) -> list[tuple[str, str]]:
    """Each sentence of `text` with the kind of its paragraph (`furniture.TEXT` for prose)."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    sentences: list[tuple[str, str]] = []
    for index, paragraph in enumerate(paragraphs):
        bullet = _BULLET.match(paragraph)
        if bullet:
            paragraph = paragraph[bullet.end() :]
        kind = classify(_without_link_tail(paragraph), index, len(paragraphs))
        for start, end in _join_abbreviations(paragraph, _spans(paragraph)):
            for sentence, sentence_kind in _pieces(paragraph[start:end], kind):
                if _LETTER.search(sentence):
                    sentences.append((sentence, sentence_kind))
    return sentences


def _pieces(sentence: str, kind: str) -> list[tuple[str, str]]:
    """The sentence with a photo credit before it and links after it cut off as lines of their own,
    so a quote is the caption or sentence alone."""
    credit = leading_credit(sentence)
    if not credit:
        return _without_trailing_link(sentence, kind)
    return [(credit, CAPTION), *_without_trailing_link(sentence[len(credit) :].lstrip(), kind)]


def _without_link_tail(paragraph: str) -> str:
    """The paragraph as classified: a link at its end says nothing of its kind."""
    link = _TRAILING_LINK.search(paragraph)
    return paragraph[: link.start()] if link and _LETTER.search(paragraph[: link.start()]) else paragraph


def _without_trailing_link(sentence: str, kind: str) -> list[tuple[str, str]]:
    """The sentence, and a link glued to its end as a line of its own: a related link, so a quote
    never ends in a URL and the URL's words are no answer."""
    text = _without_link_tail(sentence)
    if text == sentence:
        return [(sentence, kind)]
    return [(text, kind), (sentence[len(text) :].lstrip(), RELATED)]


def all_text(sentences: list[str]) -> list[tuple[str, str]]:
    """Sentences fixed by the input (evaluation sets) are all prose."""
    return [(sentence, TEXT) for sentence in sentences]


def _spans(paragraph: str) -> list[tuple[int, int]]:
    """Sentence spans from blingfire, mapped back onto the paragraph by position."""
    if not paragraph:
        return []
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in blingfire.text_to_sentences(paragraph).split("\n"):
        piece = piece.strip()
        start = paragraph.find(piece, position) if piece else -1
        if start < 0:
            # blingfire changed a character: keep the rest of the paragraph whole.
            break
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    if position < len(paragraph.rstrip()):
        rest = paragraph[position:]
        spans.append((position + len(rest) - len(rest.lstrip()), len(paragraph.rstrip())))
    return spans


def _join_abbreviations(paragraph: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo cuts made after an abbreviation that cannot end a sentence."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and _ends_in_abbreviation(paragraph[joined[-1][0] : joined[-1][1]]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _ends_in_abbreviation(sentence: str) -> bool:
    return bool(_NEVER_FINAL.search(sentence) or _LONE_ABBREVIATION.fullmatch(sentence))
