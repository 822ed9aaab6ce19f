"""`newsdesk eval`: runs a question set against an index and scores the ranking and the no-answer rule.

QA file: JSONL (UTF-8), one question a line, with `question` and one of
- `expected`: the exact sentence text (or a list of them) that answers it;
- `answer`: a string (or list) that an answering sentence must contain, matched ignoring case
  and as whole words ("3" does not match "2023");
- `"answerable": false`: nothing in the index answers it, so it should get no sentences.

A malformed line (bad encoding or JSON, wrong fields, a question `newsdesk ask` would refuse) is
skipped and named by its number, so one bad entry never costs the whole run.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from .answer_policy import AnswerPolicy
from .config import Settings
from .errors import NewsdeskError, QuestionError
from .query import parse_query
from .records import Answer

DEPTH = 10


@dataclass(frozen=True)
class QAItem:
    question: str
    expected: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.expected or self.answers)

    def is_answered_by(self, sentence: str) -> bool:
        if self.expected:
            return _normal(sentence) in {_normal(e) for e in self.expected}
        return any(_contains_words(sentence, a) for a in self.answers)

    def describe(self) -> str:
        if self.expected:
            return " | ".join(self.expected)
        if self.answers:
            return "contains: " + " | ".join(self.answers)
        return "(unanswerable)"


@dataclass(frozen=True)
class SkippedEntry:
    """A line of the QA file that could not be evaluated, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class QASet:
    """The questions of a QA file, and the lines that were skipped."""

    items: tuple[QAItem, ...]
    skipped: tuple[SkippedEntry, ...] = ()


class _BadEntry(ValueError):
    pass


@dataclass(frozen=True)
class Miss:
    question: str
    expected: str
    rank: int | None  # of the first right sentence within the top 10; None when absent
    first: str | None  # what came first
    refused: str = ""  # why the question got no sentences, when it got none


@dataclass(frozen=True)
class EvalReport:
    questions: int
    answerable: int
    unanswerable: int
    mrr: float
    p_at_1: float
    r_at_3: float
    r_at_5: float
    r_at_10: float
    # As `newsdesk ask` shows them: a refusal, or a right sentence under the display floor, is a miss.
    ask_mrr: float
    ask_p_at_1: float
    ask_r_at_3: float
    no_answer_accuracy: float | None  # unanswerable questions that got no sentences
    false_refusal_rate: float | None  # answerable questions that got no sentences
    refused_right_rate: float | None  # of those whose first sentence was right, the share refused
    # Unanswerable questions refused, or answered with a caution that the first sentence may not answer.
    warned_unanswerable: float | None
    # Of answerable questions answered with the right sentence first, the share given that caution.
    cautioned_right_rate: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    misses: tuple[Miss, ...]
    wrongly_answered: tuple[Miss, ...]
    skipped: tuple[SkippedEntry, ...] = ()  # malformed lines of the QA file, not evaluated

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Ranker(Protocol):
    """`Searcher.rank`: the top k sentences whatever the no-answer rule says, and what it says;
    `policy` holds the display floor `ask` applies."""

    policy: AnswerPolicy

    def rank(self, question: str, k: int = DEPTH) -> Answer: ...


def read_questions(path: Path, *, max_question_chars: int = Settings.max_question_chars) -> QASet:
    """The questions of a QA file; each malformed line is skipped and named by its number."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NewsdeskError(f"Cannot read the QA file {path}: {exc.strerror or exc}") from None
    items: list[QAItem] = []
    skipped: list[SkippedEntry] = []
    # bytes.splitlines splits at \n and \r only, never inside a JSON string (U+2028 and the like).
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            if line.strip():
                items.append(_item(line, max_question_chars))
        except UnicodeDecodeError as exc:
            skipped.append(
                SkippedEntry(number, f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8")
            )
        except _BadEntry as exc:
            skipped.append(SkippedEntry(number, str(exc)))
    if not items:
        why = f" (line {skipped[0].line}: {skipped[0].reason})" if skipped else ""
        raise NewsdeskError(
            f"{path} holds no questions{why}; write one JSON object a line, e.g. "
            '{"question": "how many NK soldiers died?", "answer": "600"}.'
        )
    return QASet(tuple(items), tuple(skipped))


def read_qa(path: Path) -> list[QAItem]:
    """The questions of a QA file that must be whole (a benchmark set): a malformed line is an error."""
    qa = read_questions(path)
    if qa.skipped:
        first = qa.skipped[0]
        raise NewsdeskError(f"{path}:{first.line}: {first.reason}")
    return list(qa.items)


def evaluate(
    ranker: Ranker,
    items: Sequence[QAItem],
    *,
    worst: int = 10,
    progress: Callable[[int], Any] | None = None,
    skipped: Sequence[SkippedEntry] = (),
) -> EvalReport:
    """Ask every question once; rank metrics count the top 10 regardless of the no-answer rule.

    The `ask_` metrics count what `newsdesk ask` shows instead: nothing for a refused question,
    and only sentences whose cosine reaches the ranker's display floor. `skipped` (the QA file's
    malformed lines) is carried into the report.
    """
    ranks: list[int | None] = []
    shipped: list[int | None] = []
    firsts: list[str | None] = []
    refused: list[bool] = []
    reasons: list[str] = []
    cautioned: list[bool] = []
    latencies: list[float] = []
    floor = ranker.policy.min_shown_cosine
    for item in items:
        started = time.perf_counter()
        answer = ranker.rank(item.question, DEPTH)
        latencies.append((time.perf_counter() - started) * 1000)
        texts = [hit.text for hit in answer.results[:DEPTH]]
        ranks.append(next((n for n, t in enumerate(texts, 1) if item.is_answered_by(t)), None))
        shown = [hit.text for hit in answer.results[:DEPTH] if hit.score >= floor]
        shown_rank = next((n for n, t in enumerate(shown, 1) if item.is_answered_by(t)), None)
        shipped.append(shown_rank if answer.answered else None)
        firsts.append(texts[0] if texts else None)
        refused.append(not answer.answered)
        reasons.append(answer.refusal_reason)
        cautioned.append(bool(answer.caution))
        if progress is not None:
            progress(1)
    answerable = [n for n, item in enumerate(items) if item.answerable]
    unanswerable = [n for n, item in enumerate(items) if not item.answerable]
    found = [ranks[n] for n in answerable]
    return EvalReport(
        questions=len(items),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        mrr=_mean([1 / r if r else 0.0 for r in found]),
        p_at_1=_recall(found, 1),
        r_at_3=_recall(found, 3),
        r_at_5=_recall(found, 5),
        r_at_10=_recall(found, 10),
        ask_mrr=_mean([1 / r if r else 0.0 for r in (shipped[n] for n in answerable)]),
        ask_p_at_1=_recall((shipped[n] for n in answerable), 1),
        ask_r_at_3=_recall((shipped[n] for n in answerable), 3),
        no_answer_accuracy=_share(refused[n] for n in unanswerable),
        false_refusal_rate=_share(refused[n] for n in answerable),
        refused_right_rate=_share(refused[n] for n in answerable if ranks[n] == 1),
        warned_unanswerable=_share(refused[n] or cautioned[n] for n in unanswerable),
        cautioned_right_rate=_share(cautioned[n] for n in answerable if shipped[n] == 1),
        latency_p50_ms=round(_percentile(latencies, 50), 1),
        latency_p95_ms=round(_percentile(latencies, 95), 1),
        misses=tuple(
            Miss(items[n].question, items[n].describe(), ranks[n], firsts[n], reasons[n])
            for n in sorted(
                (n for n in answerable if ranks[n] != 1),
                key=lambda n: (-(ranks[n] or DEPTH + 1), n),
            )[:worst]
        ),
        wrongly_answered=tuple(
            Miss(items[n].question, items[n].describe(), None, firsts[n])
            for n in unanswerable
            if not refused[n]
        )[:worst],
        skipped=tuple(skipped),
    )


def _item(line: str, max_question_chars: int) -> QAItem:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadEntry(f"not valid JSON ({exc.msg}).") from None
    except ValueError as exc:  # a number past Python's digit limit
        raise _BadEntry(f"not valid JSON ({str(exc).splitlines()[0][:120]}).") from None
    except RecursionError:
        raise _BadEntry("not valid JSON (nested too deeply).") from None
    if not isinstance(record, dict) or not isinstance(record.get("question"), str):
        raise _BadEntry('each line needs a "question" string.')
    expected = _strings(record.get("expected"), "expected")
    answers = _strings(record.get("answer"), "answer")
    unanswerable = record.get("answerable") is False
    # Other fields ("urls", "article", "style", "checked") document where a question came from.
    if unanswerable == bool(expected or answers):
        raise _BadEntry(
            'give exactly one of "expected" (sentence text), "answer" (a string the '
            'sentence must contain) or "answerable": false.'
        )
    question = _text(record["question"], "question")
    try:
        parse_query(question, max_chars=max_question_chars)
    except QuestionError as exc:
        raise _BadEntry(f'"question": {exc}') from None
    return QAItem(question, expected, answers)


def _strings(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise _BadEntry(f'"{field}" must be a non-empty string or a list of them.')
    return tuple(_text(v, field) for v in values)


def _text(value: str, field: str) -> str:
    """A string JSON allowed but UTF-8 cannot hold (a lone surrogate such as \\ud800) is refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _BadEntry(
            f'"{field}" holds a lone surrogate (\\u{ord(value[exc.start]):04x}), not text.'
        ) from None
    return value


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _contains_words(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.strip())}(?!\w)", text, re.IGNORECASE) is not None


def _recall(ranks: Iterable[int | None], k: int) -> float:
    return _mean([1.0 if r is not None and r <= k else 0.0 for r in ranks])


def _share(flags: Iterable[bool]) -> float | None:
    values = [1.0 if f else 0.0 for f in flags]
    return round(sum(values) / len(values), 4) if values else None


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
