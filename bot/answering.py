"""Searching for a question and rendering the reply; failures become a message, never a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from index import followup
from index.config import Settings
from index.errors import NewsdeskError, QuestionError
from index.records import Context

from . import messages
from .question import MAX_QUESTION_CHARS, Question, parse_question
from .render import Reply, escape, render_answer, render_context, render_help, render_home, render_text
from .shown import Shown, ShownAnswers

if TYPE_CHECKING:
    from index.search import Searcher

logger = logging.getLogger("newsdesk.bot")


class Answerer:
    """Everything the listeners ask of the index, each call safe to make from any thread."""

    def __init__(self, settings: Settings, searcher: Searcher, shown: ShownAnswers | None = None) -> None:
        self.settings = settings
        self.searcher = searcher
        self.shown = shown or ShownAnswers()
        self.question_limit = min(settings.max_question_chars, MAX_QUESTION_CHARS)

    def parse(self, raw: str | None, bot_user_id: str | None = None, *, has_files: bool = False) -> Question:
        question = parse_question(raw, bot_user_id=bot_user_id, limit=self.question_limit)
        return replace(question, has_files=has_files) if has_files else question

    def answer(
        self,
        question: Question,
        *,
        offset: int = 0,
        echo: bool = False,
        shared_by: str | None = None,
        shareable: bool = False,
        where: dict[str, Any] | None = None,
        reading: followup.Reading | None = None,
    ) -> Reply:
        """The reply to `question` (help text for an empty one); errors become an error message.

        `reading` says how to search it when it was read after an earlier question (bot/followups.py).
        A `shareable` answer is kept as shown, so "Share in channel" posts exactly it.
        """
        if question.is_help:
            return render_help(question.notes(self.question_limit))

        def search() -> Reply:
            text = reading.text if reading else question.text
            answer = self.searcher.search(text, limit=self.settings.results_per_answer, offset=offset)
            if reading:
                answer = followup.annotate(answer, reading)
            notes = question.notes(self.question_limit)
            if answer.follow_up_to:
                notes.append(messages.FOLLOW_UP_TO.format(question=escape(answer.follow_up_to)))
            if answer.searched_as:
                # Escaped: the question as typed may hold "<!channel>" once Slack's escaping is undone.
                notes.append(messages.SEARCHED_AS.format(question=escape(answer.searched_as)))
            if answer.caution:
                notes.append(messages.CAUTION.format(caution=escape(answer.caution)))
            key = self.shown.keep(Shown(answer, offset, tuple(notes))) if shareable else None
            return render_answer(
                answer,
                page_size=self.settings.results_per_answer,
                offset=offset,
                echo=echo,
                shared_by=shared_by,
                share_key=key,
                notes=notes,
            )

        return self._safely(search, "search", where, question=question.text[:200])

    def shared(self, key: str, user: str | None) -> Reply | None:
        """The answer kept under `key`, as `user` shares it in the channel; None if not kept."""
        shown = self.shown.get(key)
        if shown is None:
            return None
        return render_answer(
            shown.answer,
            page_size=self.settings.results_per_answer,
            offset=shown.offset,
            shared_by=user,
            notes=shown.notes,
        )

    def context(self, sentence_id: int, starts_with: str = "", where: dict[str, Any] | None = None) -> Reply:
        """The sentences around `sentence_id`, if it is still the sentence starting `starts_with`."""

        def lookup() -> Reply:
            try:
                found = self.searcher.context(sentence_id)
            except NewsdeskError:
                return render_text(messages.CONTEXT_GONE)
            # Ids belong to one index version: after a rebuild an id may name another sentence.
            if not found.sentence.startswith(starts_with):
                return render_text(messages.CONTEXT_GONE)
            return render_context(found)

        return self._safely(lookup, "context", where, sentence_id=sentence_id)

    def home_view(self) -> dict[str, Any]:
        """The App Home view with the index's numbers, or what to do if there is no index."""
        try:
            self.searcher.refresh()
            return render_home(self.searcher.stats())
        except NewsdeskError as error:
            return render_home(None, str(error))
        except Exception:
            logger.exception("Reading index stats for the App Home failed")
            return render_home(None, messages.ERROR_GENERIC)

    def lookup(self, sentence_id: int) -> Context | None:
        """The sentence behind an id, or None if the index no longer has it."""
        try:
            return self.searcher.context(sentence_id, window=0)
        except NewsdeskError:
            return None

    def _safely(
        self, work: Callable[[], Reply], what: str, where: dict[str, Any] | None, **details: Any
    ) -> Reply:
        context = {**(where or {}), **details}
        try:
            # A rebuild swaps a new index version in; pick it up before every search.
            self.searcher.refresh()
            return work()
        except QuestionError as error:
            return render_text(escape(str(error)), failed=True)
        except NewsdeskError as error:
            logger.warning("%s failed: %s (%s)", what, error, _describe(context))
            return render_text(escape(str(error)), failed=True)
        except Exception:
            logger.exception("%s failed unexpectedly (%s)", what, _describe(context))
            return render_text(messages.ERROR_GENERIC, failed=True)


def _describe(context: dict[str, Any]) -> str:
    return " ".join(f"{key}={value!r}" for key, value in context.items())
