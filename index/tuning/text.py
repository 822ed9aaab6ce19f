"""The recipe's text helpers: word n-grams for the leakage check, HTML and sentence splitting for
quiz passages.

They are the recipe as measured (a regular-expression splitter, not the index's): changing them
changes the triplets, and so the weights.
"""

from __future__ import annotations

import html
import re

_URL = re.compile(r"""href\s*=\s*["']([^"']+)["']|(https?://[^\s"'<>]+)""", re.I)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_ABBREVIATION_END = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Jr|Sr|U\.S|U\.K|No|vs|Inc|Co|Corp|Ltd"
    r"|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.$"
)


def words(text: str) -> list[str]:
    """Lower-cased whitespace tokens with punctuation stripped (empty tokens dropped)."""
    out = []
    for token in text.lower().split():
        token = re.sub(r"[^\w]", "", token)
        if token:
            out.append(token)
    return out


def ngrams(text: str, n: int) -> set[str]:
    tokens = words(text)
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def urls_in(text: str) -> list[str]:
    return [a or b for a, b in _URL.findall(text)]


def normal_url(url: str) -> str:
    """A URL without scheme, www/edition/amp prefix, query, fragment or final slash."""
    url = html.unescape(url.strip()).lower()
    url = re.sub(r"^https?://", "", url)
    url = re.sub(r"^(www\.|edition\.|amp\.)", "", url)
    url = url.split("#")[0].split("?")[0]
    return url.rstrip("/")


def strip_html(text: str) -> str:
    text = re.sub(r"</?(a|b|i|em|strong|span)\b[^>]*>", "", text, flags=re.I)  # inline: no space
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of at least three words; common abbreviations do not end one."""
    parts = []
    pending = ""
    for piece in _SENTENCE_END.split(text):
        pending = f"{pending} {piece}".strip() if pending else piece.strip()
        if _ABBREVIATION_END.search(pending):
            continue
        if len(pending) >= 2:
            parts.append(pending)
        pending = ""
    if pending:
        parts.append(pending)
    return [p for p in parts if len(p.split()) >= 3] or ([text.strip()] if text.strip() else [])
