"""Checking the quotes of a Slack message, or of `/newsdesk check …`, against the archive."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from index.errors import NewsdeskError, QuestionError
from index.quote_check import quotes_in

from . import messages
from .question import plain_text
from .render import Reply, escape, render_text
from .render_quote import render_quote_checks

if TYPE_CHECKING:
    from index.search import Searcher

logger = logging.getLogger("newsdesk.bot")

_CHECK = re.compile(r"^\s*check\b:?", re.IGNORECASE)


def check_subcommand(text: str | None) -> str | None:
    """What follows `check` in `/newsdesk check "…"`, or None for an ordinary question."""
    match = _CHECK.match(text or "")
    return text[match.end() :] if text and match else None


def check_quotes(searcher: Searcher, text: str | None, where: dict[str, Any]) -> Reply:
    """The verdict on each quote in `text` (Slack markup); errors become a message, never a crash."""
    plain = plain_text(text or "")
    if not plain.strip(" \"'“”"):
        return render_text(messages.QUOTE_EMPTY)
    try:
        # A rebuild swaps a new index version in; pick it up before every check.
        searcher.refresh()
        return render_quote_checks([searcher.check_quote(quote) for quote in quotes_in(plain)])
    except QuestionError as error:
        return render_text(escape(str(error)))
    except NewsdeskError as error:
        logger.warning("quote check failed: %s (%s)", error, where)
        return render_text(escape(str(error)))
    except Exception:
        logger.exception("quote check failed unexpectedly (%s)", where)
        return render_text(messages.ERROR_GENERIC)
