"""Classifies each paragraph of an article as text or as a kind of page furniture (pure).

Cleaning (`ingest.clean`) deletes lines that are never worth keeping (share buttons, timestamps,
copyright). The lines here are kept, with their exact text, because they still help the keyword
search find a neighbouring sentence, but they are never offered as an answer: a related-story
link or a crosshead that repeats the question's words otherwise outranks the sentence that
answers it (docs/search.md, "Sentences, not furniture").
"""

from __future__ import annotations

import re

TEXT = "text"
RELATED = "related"  # related-story links and teasers: "More:Headline", "READ MORE", a bare URL
HEADING = "heading"  # crossheads and sub-headings: short, no closing punctuation, or a lone question
CAPTION = "caption"  # photo captions and credits, galleries: "... Brandon Bell/Getty Images"
BYLINE = "byline"  # "By Jane Doe", a name alone at the top or bottom, "Follow Jane on Twitter"
DATELINE = "dateline"  # a dateline alone: "CNN —", "New York CNN —"
PROMPT = "prompt"  # newsletter, subscription, app and social prompts; update notes
KINDS = (TEXT, RELATED, HEADING, CAPTION, BYLINE, DATELINE, PROMPT)

# A crosshead is at most this many words; longer lines without closing punctuation are text.
HEADING_MAX_WORDS = 16
# A paragraph that is only a question of at most this many words is a crosshead ("Why does it matter?").
QUESTION_HEADING_MAX_WORDS = 14
# A glued "Topic:Headline" longer than this, or of several sentences, is a state round-up's
# "City:Story", which is prose.
TEASER_MAX_WORDS = 30
# A name alone is a byline only this near the top or bottom of the article.
BYLINE_EDGE = 3

_CLOSING = re.compile(r"[.!?…:;]['\"”’)\]]*$|[\"”’]$")
_DATELINE = re.compile(
    r"(?:[A-Z][\w.'-]*(?:,? [A-Z][\w.'-]*){0,3} )?(?:\(?CNN\)?|\(?AP\)?|\(?Reuters\)?)\s*[\u2014\u2013-]+"
    r"|[A-Z][A-Z .,'-]{1,40}\s*[\u2014\u2013-]+"
)
# "More:Headline", "Route 896 crash:South College Avenue reopened": a label glued to a headline.
_GLUED_TEASER = re.compile(r"[^:\s][^:]{0,80}[A-Za-z0-9)’'”]:[A-Z“\"‘']")
_RELATED_START = re.compile(
    r"(?:(?:more|related|read more|read next|also read|read also|watch|listen|interactive|opinion|"
    r"gallery|see also|from the archives?|previously|recommended)(?: stories| coverage| articles)?\s*[:|]"
    r"|video ad feedback\b|(?:read more|related stories|more stories|related coverage)\s*$)",
    re.IGNORECASE,
)
_RELATED_SENTENCE = re.compile(
    r"(?:get more of|check out|click here|see (?:more|all|the latest)|for more on|read (?:the|our|more))\b",
    re.IGNORECASE,
)
_CREDIT_TAIL = re.compile(
    r"(?:(?:[A-Z][\w.'\u2019-]*|von|van|de|da|del|la|le)\s){1,4}"
    r"[A-Z][\w.'\u2019-]*(?:/[A-Z][\w.'&\u2019 -]*){1,3}$"
    r"|Hide Caption \d+ of \d+$"
    r"|\((?:(?:Photo|Image|Picture)s?(?: credit)?|Credit)[:\s][^)]*\)$"
    r"|(?:Photo|Image|Picture)s? (?:by|courtesy of) [^.]{2,60}$"
    r"|(?:Getty Images|AP Photo|Reuters|AFP via Getty Images|USA TODAY(?: NETWORK)?)$"
)
# A photo credit opening a sentence, before the caption it credits: CNN galleries flattened into a
# paragraph put each slide's credit before the next caption ("… in May 2023. Hugo Burnand/Royal
# Household 2023/AP Charles was born…"). Names and slashes, an agency last, then a capital.
_LEADING_CREDIT = re.compile(
    r"(?:[^\s/]+(?: [^\s/]+){0,4}/){1,4}"
    r"(?:Getty Images|AP|AFP|Reuters|Shutterstock|Bloomberg|EPA(?:-EFE)?|Pool|Corbis|Sipa(?: USA)?|"
    r"NurPhoto|ZUMA(?: Wire| Press)?|Zuma|Alamy|Redux|Polaris|CNN|Archive|Images|Newscom|Xinhua|"
    r"Kyodo|Anadolu Agency|Sputnik|TASS|Handout|Imagn|USA TODAY(?: Sports| NETWORK)?)"
    r"(?= [A-Z\"\u201c\u2018])"
)
_BYLINE_LINE = re.compile(
    r"(?:By|BY)\s+[A-Z]"
    r"|(?:Follow|Contact|Reach|Email)\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}\s+(?:on|at|via)\b"
    r"|(?:Graphics|Reporting|Contributing|Editing|Additional reporting|Written|Edited)\s+by\b"
    r"|[\u2014\u2013\u2212-]\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$"
)
_NAME_ALONE = re.compile(r"[A-Z][\w'’-]*\.?(?:\s+(?:[A-Z]\.|[A-Z][\w'’-]*|de|van|von|da)){1,4}")
_PROMPT = re.compile(
    r"(?:editor'?s note:|subscribe|sign up|signup|get (?:the|our) [\w ]{0,30}(?:newsletter|app)|"
    r"download (?:the|our)|"
    r"follow us|like us|join (?:us|the conversation)|support (?:our|local) journalism|"
    r"this (?:story|article|post|report) (?:has been|was|will be) updated|"
    r"(?:story|article) continues below|advertisement\b|prep for the polls)",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(r"\bnewsletters?\b|\bin your inbox\b", re.IGNORECASE)
# "Arizona: $12.80 to $13.85", "WHEN: Sept. 2": a label and a value with a figure is a fact, not a heading.
# "MISSED OPPORTUNITY: Why Nashville lost its bid": a label in capitals before a teaser headline.
_CAPS_LABEL = re.compile(r"[A-Z][A-Z' -]{2,30}:\s")
# A quoted phrase alone is a crosshead: "‘Less than helpful’".
_QUOTED_PHRASE = re.compile(r"(?:\d{1,2}\.\s+)?[^.!?]{0,60}[‘“\"'][^.!?]{1,80}[’”\"']")
_NUMBERED = re.compile(r"\d{1,2}\.\s+")
_LABELLED_FIGURE = re.compile(r"[A-Z][\w .'()-]{0,40}:\s.*\d")
_WORD = re.compile(r"\S+")
_LINK_ALONE = re.compile(r"(?:https?://|www\.)\S+")


def classify(paragraph: str, index: int = 0, count: int = 1) -> str:
    """The kind of the paragraph at `index` of an article's `count` paragraphs (TEXT when it is prose)."""
    line = paragraph.strip()
    words = len(_WORD.findall(line))
    if _DATELINE.fullmatch(line):
        return DATELINE
    if _LINK_ALONE.fullmatch(line):
        return RELATED
    if line.startswith(("Photos:", "Photo:", "PHOTOS:")) or _CREDIT_TAIL.search(line[-120:]):
        return CAPTION
    if _PROMPT.match(line) or (_NEWSLETTER.search(line) and words <= 30):
        return PROMPT
    teaser = _GLUED_TEASER.match(line) and words <= TEASER_MAX_WORDS and not _has_inner_sentence(line)
    if teaser or _RELATED_START.match(line) or _RELATED_SENTENCE.match(line):
        return RELATED
    if _BYLINE_LINE.match(line) and words <= 20:
        return BYLINE
    near_edge = index < BYLINE_EDGE or index >= count - BYLINE_EDGE
    if near_edge and words <= 5 and _NAME_ALONE.fullmatch(line):
        return BYLINE
    closed = bool(_CLOSING.search(line))
    if _CAPS_LABEL.match(line) and not closed:
        return RELATED
    if line.endswith(":") and words <= 6:
        return HEADING
    numbered = _NUMBERED.match(line)
    unnumbered = line[numbered.end() :] if numbered else line
    if line.endswith("?") and words <= QUESTION_HEADING_MAX_WORDS and line.count("?") == 1:
        return HEADING if not _has_inner_sentence(unnumbered) else TEXT
    if words <= HEADING_MAX_WORDS and _QUOTED_PHRASE.fullmatch(line):
        return HEADING
    if words <= HEADING_MAX_WORDS and not closed and not _LABELLED_FIGURE.match(line):
        return HEADING
    return TEXT


def _has_inner_sentence(line: str) -> bool:
    """A statement before the question ("He asked. Why now?") makes the paragraph prose."""
    return bool(re.search(r"[.!]\s+[A-Z“\"]", line))


def leading_credit(sentence: str) -> str:
    """The photo credit that opens `sentence` ("Toby Melville/AFP/Getty Images"), or ""."""
    credit = _LEADING_CREDIT.match(sentence)
    return credit.group() if credit else ""
