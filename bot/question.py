"""Turns the text of a Slack message or command into the plain question to search."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import messages

# A question longer than this is trimmed (and the user told): it also has to fit, JSON-encoded,
# in the 2,000-character value of the "More results" button.
MAX_QUESTION_CHARS = 1000
HELP_WORDS = frozenset({"", "help", "?", "hi", "hello"})

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    """A question as searched: `text` is plain text (Slack markup and escaping removed)."""

    text: str
    original_length: int
    trimmed: bool = False
    # The message carried files: they are not read, and the reporter is told so.
    has_files: bool = False

    @property
    def is_help(self) -> bool:
        return self.text.strip(" ?!.").lower() in HELP_WORDS

    @property
    def mostly_non_latin(self) -> bool:
        """True for questions written mostly in a non-Latin script (Cyrillic, Han, Arabic…)."""
        letters = [c for c in self.text if c.isalpha()]
        foreign = sum(1 for c in letters if not ("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f"))
        return bool(letters) and foreign / len(letters) > 0.5

    def notes(self, limit: int = MAX_QUESTION_CHARS) -> list[str]:
        """Short remarks shown above the answer."""
        notes = []
        if self.trimmed:
            notes.append(messages.QUESTION_TRIMMED.format(length=self.original_length, limit=limit))
        if self.mostly_non_latin:
            notes.append(messages.NOT_ENGLISH)
        if self.has_files:
            notes.append(messages.ATTACHMENTS_NOT_READ)
        return notes


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in incoming text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's message markup to plain text; mentions of the bot itself are removed."""

    def user(match: re.Match[str]) -> str:
        if match.group(1) == bot_user_id:
            return " "
        return "@" + (match.group(2) or match.group(1))

    text = _USER.sub(user, text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: m.group(2) or "@" + m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return _SPACES.sub(" ", unescape(text)).strip()


def parse_question(
    raw: str | None, *, bot_user_id: str | None = None, limit: int = MAX_QUESTION_CHARS
) -> Question:
    """The question in a message or command: plain, whitespace-collapsed, trimmed to `limit`."""
    text = plain_text(raw or "", bot_user_id)
    if len(text) <= limit:
        return Question(text=text, original_length=len(text))
    cut = text[:limit]
    # Cut at a word boundary when there is one near the limit.
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return Question(text=cut, original_length=len(text), trimmed=True)
