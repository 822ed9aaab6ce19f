"""Figures over time (index/figures.py): the figure a sentence states, newest first, and the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import NK_SENTENCE

from index.figures import FigurePolicy, Ranked, find_figure, newest_first, read_question, timeline

POLICY = FigurePolicy()
NK_QUESTION = "how many North Korea soldiers died?"
OLDER_NK = (
    "About 100 North Korean soldiers have been killed in Russia's Kursk region, Seoul's spy agency said."
)
DEPLOYED = (
    "Lee said some of the roughly 11,000 North Korean soldiers deployed in Kursk have engaged in combat."
)


def figure_of(sentence: str, question: str) -> str | None:
    asked = read_question(question)
    assert asked is not None
    found = find_figure(sentence, asked, POLICY)
    return found.text if found else None


@pytest.mark.parametrize(
    ("sentence", "question", "figure"),
    [
        (NK_SENTENCE, NK_QUESTION, "Around 600"),
        (DEPLOYED, NK_QUESTION, "Roughly 11,000"),
        (
            "The city council voted 7-2 on Tuesday to approve a $4.2 million budget for the public library.",
            "how much is the library budget?",
            "$4.2 million",
        ),
        (
            "In 2022, nearly 20% of Gen Z adults identified as LGBTQ, up from 15% in 2020, Gallup found.",
            "what share of gen z identify as lgbtq?",
            "Nearly 20%",
        ),
        # A year, a date and a compound adjective are not the figure.
        (
            "On Nov. 15, 2024, the three-year-long war had cost 12 soldiers their lives.",
            "how many soldiers died?",
            "12",
        ),
    ],
)
def test_the_figure_is_the_one_stated_about_the_subject(sentence, question, figure):
    assert figure_of(sentence, question) == figure


def test_questions_that_ask_no_figure_get_none():
    assert read_question("who leads North Korea?") is None
    assert read_question("when did Putin visit Pyongyang?") is None
    assert read_question("Haiti quake death toll according to the UN") is not None


def ranked(*rows: tuple[str, float, str | None]) -> list[Ranked]:
    return [Ranked(text, score, dt.date.fromisoformat(date) if date else None) for text, score, date in rows]


def test_the_newest_answering_sentence_comes_first():
    rows = ranked((OLDER_NK, 0.80, "2024-11-13"), (NK_SENTENCE, 0.78, "2025-06-26"))
    asked = read_question(NK_QUESTION)
    assert asked is not None
    assert newest_first(rows, asked, POLICY) == [1, 0]


def test_a_question_naming_its_date_keeps_the_ranking():
    rows = ranked((OLDER_NK, 0.80, "2024-11-13"), (NK_SENTENCE, 0.78, "2025-06-26"))
    asked = read_question("how many North Korea soldiers died by November 2024?")
    assert asked is not None
    assert newest_first(rows, asked, POLICY) == [0, 1]


def test_a_sentence_that_does_not_answer_keeps_its_place():
    rows = ranked(
        (OLDER_NK, 0.80, "2024-11-13"),
        (DEPLOYED, 0.79, "2025-07-01"),  # a figure about the soldiers, but not how many died
        (NK_SENTENCE, 0.78, "2025-06-26"),
    )
    asked = read_question(NK_QUESTION)
    assert asked is not None
    assert newest_first(rows, asked, POLICY) == [2, 1, 0]


def test_a_newer_sentence_far_below_the_best_is_not_promoted():
    rows = ranked(
        (OLDER_NK, 0.80, "2024-11-13"), (NK_SENTENCE, 0.80 - POLICY.newest_margin - 0.01, "2025-06-26")
    )
    asked = read_question(NK_QUESTION)
    assert asked is not None
    assert newest_first(rows, asked, POLICY) == [0, 1]


def test_the_timeline_holds_each_distinct_figure_about_the_subject_oldest_first():
    rows = ranked(
        (NK_SENTENCE, 0.80, "2025-06-26"),
        (OLDER_NK, 0.79, "2024-11-13"),
        (NK_SENTENCE.replace("Around", "About"), 0.78, "2025-06-27"),  # the same figure, reported later
        (DEPLOYED, 0.77, "2024-11-20"),  # another subject: deployed, not killed
        ("Some 300 North Korean soldiers were killed, a report said.", 0.76, None),  # undated
    )
    asked = read_question(NK_QUESTION)
    assert asked is not None
    entries = [(rows[n].date, figure.text) for n, figure in timeline(rows, asked, POLICY)]
    assert entries == [(dt.date(2024, 11, 13), "About 100"), (dt.date(2025, 6, 26), "Around 600")]


def test_a_how_many_answer_counts_what_the_question_counts():
    rows = ranked(
        (
            "North Korea has fired more than 90 cruise and ballistic missiles so far this year.",
            0.80,
            "2022-12-26",
        ),
        ("North Korea fired missiles on 36 days this year, according to a CNN count.", 0.79, "2022-12-26"),
    )
    asked = read_question("on how many days did North Korea fire missiles?")
    assert asked is not None
    assert [figure.text for _, figure in timeline(rows, asked, POLICY)] == ["36"]


def test_the_timeline_margin_counts_from_the_best_score_after_newest_first():
    rows = ranked(
        (NK_SENTENCE, 0.70, "2025-06-26"),  # moved first by newest_first, though not the best
        (OLDER_NK, 0.80, "2024-11-13"),
        ("Some 300 North Korean soldiers were killed, a report said.", 0.56, "2025-01-10"),
    )
    asked = read_question(NK_QUESTION)
    assert asked is not None
    assert [figure.text for _, figure in timeline(rows, asked, POLICY)] == ["About 100", "Around 600"]


def test_a_part_of_a_whole_is_the_figure_and_a_count_is_not_a_share():
    question = "how many South Pacific countries still recognize Taiwan?"
    sentence = "Taiwan is now only formally recognized by four of 14 South Pacific nations."
    assert figure_of(sentence, question) == "Four"
    deaths = "how many fentanyl overdose deaths were there in 2021?"
    assert figure_of("Fentanyl was found in more than 80% of fatal overdoses in Delaware.", deaths) is None
    assert figure_of("Overdose deaths from fentanyl climbed to 71,238 last year.", deaths) == "71,238"
