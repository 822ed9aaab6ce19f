"""Reading a question after an earlier one (index/followup.py), and `newsdesk ask --after`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import NEWS_ARTICLES

from bot.cli import cli
from index import followup
from index.records import Answer

NK_QUESTION = "how many NK soldiers died?"
NK_KILLED = (
    "Around 600 North Korean soldiers have been killed fighting for Russia, according to Lee, "
    "citing the South Korean intelligence service."
)
NK_WOUNDED = "Another 4,700 North Korean soldiers have been wounded in the fighting, Lee added."
FAIR_WOUNDED = (
    "Police said 14 people were wounded when gunfire broke out at the county fair on Saturday night."
)

# The follow-up's answer is found only with the earlier question's subject: without it,
# "and how many were wounded?" matches the county fair shooting as well.
FED_ARTICLE = next(a for a in NEWS_ARTICLES if a["title"] == "Fed holds interest rates steady")
FOLLOW_UP_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "North Korea to send more troops to Russia, Seoul says",
        "source": "AFP",
        "date": "2025-06-26",
        "url": "https://example.com/afp/nk-troops",
        "text": (
            "North Korea will send more troops to Russia to assist in its war against Ukraine, "
            "a South Korean lawmaker said on Thursday.\n\n"
            f"{NK_KILLED}\n\n{NK_WOUNDED}\n\n"
            "Pyongyang in April confirmed for the first time that it had deployed troops to "
            "support Russia's war in Ukraine."
        ),
    },
    {
        "title": "Gunfire at the county fair",
        "source": "The Courier",
        "date": "2025-07-06",
        "url": "https://example.com/courier/fair-shooting",
        "text": f"{FAIR_WOUNDED}\n\nTwo men were arrested at the scene, the sheriff's office said.",
    },
    FED_ARTICLE,
]


@pytest.mark.parametrize(
    ("question", "earlier", "searched", "why"),
    [
        ("and how many were wounded?", NK_QUESTION, "and how many were wounded? NK", "starts with"),
        (
            "what was the vote?",
            "did the House pass the TikTok bill?",
            "what was the vote? House TikTok",
            "no subject",
        ),
        (
            "when do they take effect?",
            "how much in American goods will China's new tariffs hit?",
            "when do they take effect? American China's",
            "points back",
        ),
        ("what about Ukraine?", NK_QUESTION, "how many soldiers died? Ukraine", "starts with"),
        ("and in Kursk?", NK_QUESTION, "how many NK soldiers died? in Kursk", "starts with"),
        (
            "what did that cost?",
            "did the city buy new snowplows?",
            "what did that cost? city buy new snowplows",
            "no subject",
        ),
    ],
)
def test_an_elliptical_question_is_searched_with_the_earlier_questions_words(
    question, earlier, searched, why
):
    reading = followup.read(question, earlier)
    assert reading.follow_up
    assert reading.earlier == earlier
    assert reading.text == searched
    assert why in reading.reason


@pytest.mark.parametrize(
    "question",
    [
        "how many US soldiers died?",
        "what did the Fed do with interest rates?",
        "how many tourists visited Paris this year?",
        "how many soldiers did North Korea send to Russia and where did they fight?",
        NK_QUESTION,
    ],
)
def test_a_question_that_names_its_own_subject_is_not_rewritten(question):
    reading = followup.read(question, NK_QUESTION)
    assert not reading.follow_up
    assert reading.text == question


def test_a_chain_of_follow_ups_keeps_the_first_subject():
    second = followup.read("and how many were wounded?", NK_QUESTION)
    third = followup.read("when did they arrive?", second.question, second.text)
    assert third.earlier == "and how many were wounded?"
    assert third.text == "when did they arrive? NK"


def test_the_earlier_questions_filters_carry_over_unless_the_follow_up_sets_its_own():
    earlier = "how many NK soldiers died? since:2025-01-01 source:AFP"
    assert followup.read("and how many were wounded?", earlier).text == (
        "and how many were wounded? NK since:2025-01-01 source:AFP"
    )
    assert followup.read("and how many were wounded? after:2024-06-01", earlier).text == (
        "and how many were wounded? NK after:2024-06-01 source:AFP"
    )


def test_annotate_answers_the_question_asked_and_names_the_one_it_built_on():
    reading = followup.read("and how many were wounded?", NK_QUESTION)
    answer = followup.annotate(Answer(reading.text, True, ()), reading)
    assert answer.to_json() | {"results": []} == {
        "question": "and how many were wounded?",
        "answered": True,
        "refusal_reason": None,
        "searched_as": "and how many were wounded? NK",
        "follow_up_to": NK_QUESTION,
        "caution": None,
        "results": [],
        "timeline": [],
    }
    alone = followup.on_its_own(NK_QUESTION)
    assert followup.annotate(Answer(NK_QUESTION, True, ()), alone).follow_up_to == ""


@pytest.fixture
def follow_up_index(make_index) -> Path:
    return make_index(FOLLOW_UP_ARTICLES).index_dir


def ask(embedder: Any, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["ask", *args, "--json"], obj={"embedder": embedder})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ask_after_an_earlier_question_finds_what_the_follow_up_alone_does_not(embedder, follow_up_index):
    alone = ask(embedder, "and how many were wounded?", "--index", str(follow_up_index))
    assert alone["follow_up_to"] is None
    assert alone["results"][0]["text"] == FAIR_WOUNDED

    after = ask(
        embedder, "--after", NK_QUESTION, "and how many were wounded?", "--index", str(follow_up_index)
    )
    assert after["question"] == "and how many were wounded?"
    assert after["follow_up_to"] == NK_QUESTION
    assert after["searched_as"] == "and how many were wounded? NK"
    assert after["results"][0]["text"] == NK_WOUNDED
    assert after["results"][0]["source"] == "AFP"


def test_ask_after_leaves_a_question_with_its_own_subject_alone(embedder, follow_up_index):
    answer = ask(
        embedder,
        "--after",
        NK_QUESTION,
        "what did the Fed do with interest rates?",
        "--index",
        str(follow_up_index),
    )
    assert answer["follow_up_to"] is None
    assert "5.25%" in answer["results"][0]["text"]


def test_terminal_output_says_which_question_it_built_on(embedder, follow_up_index):
    result = CliRunner().invoke(
        cli,
        ["ask", "--after", NK_QUESTION, "and how many were wounded?", "--index", str(follow_up_index)],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 0, result.output
    assert f"(read as a follow-up to: {NK_QUESTION})" in result.output
    assert NK_WOUNDED in result.output
