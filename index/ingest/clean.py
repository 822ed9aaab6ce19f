"""Removes page furniture from article text and detects the outlet from credits in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SHARE_BUTTONS = frozenset(
    {"x", "facebook", "twitter", "whatsapp", "linkedin", "email", "e-mail", "telegram", "reddit"}
    | {"print", "share", "comments", "copy link", "link copied"}
)
_TIMESTAMP = re.compile(
    r"(?:last\s+)?(?:updated|published|posted)(?:\s+on)?(?:\s*:|\s+\d{1,2}:\d{2}\b)", re.I
)
_READING_TIME = re.compile(r"\d+\s*(?:min|mins|minute|minutes)\.?\s+read", re.I)
_RELATED = re.compile(
    r"(?:related(?: stories| articles| news| content| coverage| topics)?|more stories"
    r"|read more|read next|also read|recommended(?: stories)?|you may also like"
    r"|no stories found\.?)\s*:?",
    re.I,
)
_READ_ALSO_LINK = re.compile(r"(?:also read|read also|read more)\s*[:|]", re.I)
_CALL_TO_ACTION = re.compile(r"(?:share (?:this|on)\b|subscribe\b|follow us\b|sign up\b)", re.I)
_NAME = r"[A-Z][\w.'\u2019-]*"
_BYLINE = re.compile(
    rf"(?:By\s+{_NAME}(?:,?\s+(?:and\s+)?(?:{_NAME}|\|))*|[\u2014\u2013-]\s*{_NAME}(?:\s+{_NAME}){{0,3}})"
)
_COPYRIGHT = re.compile(r"(?:\u00a9|copyright\b|\(c\)\s*\d{4}).{0,120}|.{0,120}all rights reserved\.?", re.I)
_CONTRIBUTING = re.compile(r"Contributing\b[^:]{0,30}:")
_PHOTO_CREDIT = re.compile(
    r"(?:(?:Photo|Image|Picture)s?(?: credit)?\s*[|:]\s*[\w .&'/-]{1,40}"
    r"|\((?:[\w.]+\s)*Photos?(?:/[^)]*)?\))$"
)
# "Source: AFP/lh": an agency and the editor's initials, as wire copy is credited on news sites.
_SOURCE_CREDIT = re.compile(r"Source:\s*(?P<outlet>[A-Z][\w&.' -]{0,39}?)\s*/\s*[a-z]{1,4}(?![a-z])")
_SOURCE_LINE = re.compile(r"Sources?:\s*[A-Z].{0,60}")
_DASH_CREDIT = re.compile(r"[\u2014\u2013-]\s*(?P<outlet>[A-Z]{2,6})(?:/\w+)?")
# "WASHINGTON (Reuters) -", "SAN DIEGO, Calif. (AP) —": a city in capitals, then the agency.
_DATELINE_CREDIT = re.compile(
    r"[A-Z][A-Z .'-]{1,40}(?:, [A-Z][A-Za-z.]+)?\s*"
    r"\((?P<outlet>[A-Z][A-Za-z]{1,20}(?: [A-Z][A-Za-z]+){0,2})\)\s*[\u2014\u2013-]"
)
# Terminal escape sequences (colours, cursor moves, window titles), removed whole so no "[31m"
# is left behind: CSI (ESC [ or the C1 byte), OSC (ESC ] ... BEL or ESC \\), and short ESC codes.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Controls that str.splitlines() treats as line breaks become a plain newline, as before.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85]")
# Every other C0 and C1 control, and DEL; newline and tab stay.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but newline and tab
_DOMAIN = re.compile(r"(?:https?://)?(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})/?", re.I)
_MIN_PREFIX_COPY = 30


@dataclass(frozen=True)
class CleanText:
    """Article text without furniture; paragraphs joined by blank lines."""

    body: str
    source: str | None


def remove_controls(text: str) -> str:
    """`text` without control characters, so none reaches SQLite, a terminal or a citation.

    Terminal escape sequences (`\\x1b[31m`) go whole, line-break controls (CR, form feed, NEL,
    ...) become a newline, and every other C0/C1 control and DEL (NUL from a JSON `\\u0000`, BEL,
    backspace) is removed; newline and tab stay. Every stored field of an article passes here.
    """
    if not _ANY_CONTROL.search(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


def clean_text(text: str, *, title: str | None = None) -> CleanText:
    """Drop control characters and furniture lines; detect the outlet from a wire credit or a
    trailing site name.

    Every line break in `text` is treated as a paragraph break. Kept lines are unchanged apart
    from surrounding whitespace and control characters (`remove_controls`), so quoted sentences
    stay exactly as published.
    """
    lines = [line.strip() for line in remove_controls(text).splitlines()]
    lines = [line for line in lines if line]
    footer = _site_footer(lines)
    source = _wire_credit(lines) or (footer[0] if footer else None)
    if footer:
        lines = [line for i, line in enumerate(lines) if i not in footer[1]]
    lines = _drop_copies(lines)
    lines = [line for line in lines if not is_furniture(line)]
    if title:
        lines = _drop_title_repeats(lines, title)
    return CleanText("\n\n".join(lines), source)


def is_furniture(line: str) -> bool:
    """True for a line that is page furniture rather than article text."""
    return any(rule(line.strip()) for rule in _LINE_RULES)


def _is_share_button(line: str) -> bool:
    return len(line) <= 12 and line.casefold() in _SHARE_BUTTONS


def _is_call_to_action(line: str) -> bool:
    return len(line) <= 80 and bool(_CALL_TO_ACTION.match(line))


def _is_timestamp(line: str) -> bool:
    return len(line) <= 100 and bool(_TIMESTAMP.match(line))


def _is_reading_time(line: str) -> bool:
    return bool(_READING_TIME.fullmatch(line))


def _is_related_heading(line: str) -> bool:
    return bool(_RELATED.fullmatch(line) or _READ_ALSO_LINK.match(line))


def _is_byline(line: str) -> bool:
    return bool(_BYLINE.fullmatch(line))


def _is_contributing(line: str) -> bool:
    return bool(_CONTRIBUTING.match(line))


def _is_copyright(line: str) -> bool:
    return bool(_COPYRIGHT.fullmatch(line))


def _is_photo_caption(line: str) -> bool:
    # The credit closes the line and is short: searching its tail keeps this rule cheap.
    return bool(_PHOTO_CREDIT.search(line[-100:]))


def _is_wire_credit(line: str) -> bool:
    return bool(_SOURCE_CREDIT.match(line) or _SOURCE_LINE.fullmatch(line) or _DASH_CREDIT.fullmatch(line))


_LINE_RULES: tuple[Callable[[str], bool], ...] = (
    _is_share_button,
    _is_call_to_action,
    _is_timestamp,
    _is_reading_time,
    _is_related_heading,
    _is_byline,
    _is_contributing,
    _is_copyright,
    _is_photo_caption,
    _is_wire_credit,
)


def _wire_credit(lines: list[str]) -> str | None:
    """The agency named by "Source: AFP/lh", an opening "CITY (Reuters) -" or a closing "— AP"."""
    for line in lines:
        match = _SOURCE_CREDIT.match(line)
        if match:
            return match["outlet"].strip()
    for line in lines[:3]:
        match = _DATELINE_CREDIT.match(line)
        if match:
            return match["outlet"]
    match = _DASH_CREDIT.fullmatch(lines[-1]) if lines else None
    return match["outlet"] if match else None


def _site_footer(lines: list[str]) -> tuple[str, set[int]] | None:
    """The outlet named by a site name above its domain at the end of the page, and their lines.

    A domain alone names the outlet by its host (without "www."), as for a URL.
    """
    tail = [i for i in range(len(lines) - 1, max(-1, len(lines) - 8), -1) if not is_furniture(lines[i])]
    if not tail:
        return None
    domain = _DOMAIN.fullmatch(lines[tail[0]])
    if not domain:
        return None
    host = domain["host"].lower().removeprefix("www.")
    if len(tail) > 1 and _names_host(lines[tail[1]], host):
        return lines[tail[1]], {tail[0], tail[1]}
    return host, {tail[0]}


def _names_host(name: str, host: str) -> bool:
    """True for "The New Indian Express" and newindianexpress.com, or "CNA" and channelnewsasia.com."""
    squashed = re.sub(r"[\W_]+", "", name.casefold())
    labels = [label for label in host.split(".")[:-1] if len(label) >= 3]
    if len(name) > 60 or not squashed:
        return False
    if any(label in squashed or squashed in label for label in labels):
        return True
    return name.isupper() and len(name) <= 6 and any(_spells(squashed, label) for label in labels)


def _spells(acronym: str, label: str) -> bool:
    letters = iter(label)
    return label[0] == acronym[0] and all(letter in letters for letter in acronym)


def _drop_copies(lines: list[str]) -> list[str]:
    """Keep the last of repeated lines and drop a line repeated at the start of a longer one.

    A standfirst is often printed above the article and again as its first paragraph; a
    caption appears once bare and once with "Photo | AP" glued on (that one is a caption).
    """
    keys = [_key(line) for line in lines]
    last = {key: i for i, key in enumerate(keys)}
    ordered = sorted(last)
    # Sorted order puts every line right before the lines it is a prefix of.
    copies = {
        shorter
        for shorter, longer in zip(ordered, ordered[1:])
        if len(shorter) >= _MIN_PREFIX_COPY and longer.startswith(shorter)
    }
    return [line for i, (line, key) in enumerate(zip(lines, keys)) if last[key] == i and key not in copies]


def _drop_title_repeats(lines: list[str], title: str) -> list[str]:
    title_key = _key(title)
    return [line for line in lines if _key(line) != title_key]


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()
