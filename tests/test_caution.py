"""A first sentence without the kind of answer asked for is shown with a caution, not hidden."""

from __future__ import annotations

import json

import pytest
from conftest import NK_SENTENCE

from index import answer_types

POWELL_SENTENCE = "Fed Chair Jerome Powell said officials still expect to cut rates three times this year."


@pytest.mark.parametrize(
    ("question", "sentence", "lacks"),
    [
        # The only name is the one the question asks about.
        (
            "who took over from mark rutte as dutch PM",
            "Dutch Prime Minister Mark Rutte apologized Monday for the Netherlands' slavery past.",
            "names no one",
        ),
        # The only figure is the year the question gives.
        ("how many votes did chase oliver get in 2024", "Chase Oliver was on the ballot in 2024.", "figure"),
        ("when did the fujian start sea trials", "The Fujian is China's biggest carrier.", "date"),
        ("how much did the city pay to settle", "The city settled the lawsuit.", "sum of money"),
    ],
)
def test_a_sentence_without_a_new_answer_of_the_asked_kind_is_cautioned(question, sentence, lacks):
    caution = answer_types.caution(question, sentence)
    assert lacks in caution
    assert caution.startswith("The first sentence") and caution.endswith("before quoting it.")


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("who took over from mark rutte as dutch PM", "Dick Schoof succeeded Mark Rutte as prime minister."),
        ("how many NK soldiers died?", NK_SENTENCE),
        ("when did the fujian start sea trials", "The Fujian began sea trials in May 2024."),
        ("how much did the city pay to settle", "The city agreed to pay $5.4 million."),
        # A question that asks for no particular kind of answer is never cautioned.
        ("why did the fed hold rates", "The Fed held rates."),
        # "when" and "who" after another question word open a clause; they do not ask for a date or name.
        ("what happens when a business underpays its workers?", "Such a business is understaffed."),
        ("how were the men who ran pharmacies viewed?", "They were held in high regard."),
    ],
)
def test_a_sentence_with_a_new_answer_is_not_cautioned(question, sentence):
    assert answer_types.caution(question, sentence) == ""


def test_search_cautions_when_the_first_sentence_only_repeats_the_question(searcher):
    answer = searcher.search("who did Jerome Powell replace as Fed chair?")
    assert answer.answered
    assert answer.results[0].text == POWELL_SENTENCE
    assert answer.caution.startswith("The first sentence names no one your question does not already name")
    assert answer.to_json()["caution"] == answer.caution


def test_search_gives_no_caution_when_the_first_sentence_answers(searcher):
    answer = searcher.search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE
    assert answer.caution == ""
    assert answer.to_json()["caution"] is None


def test_ask_prints_the_caution_above_the_sentences(make_index, run):
    settings = make_index()
    result = run("ask", "who did Jerome Powell replace as Fed chair?", "--index", str(settings.index_dir))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    caution = next(n for n, line in enumerate(lines) if line.startswith("The first sentence names no one"))
    assert caution < next(n for n, line in enumerate(lines) if POWELL_SENTENCE in line)
    question = "who did Jerome Powell replace as Fed chair?"
    as_json = run("ask", question, "--index", str(settings.index_dir), "--json")
    assert json.loads(as_json.output)["caution"].startswith("The first sentence names no one")


def test_eval_counts_cautioned_unanswerable_and_right_answers(make_index, run, tmp_path):
    settings = make_index()
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        json.dumps({"question": "who did Jerome Powell replace as Fed chair?", "answerable": False})
        + "\n"
        + json.dumps({"question": "how many NK soldiers died?", "expected": [NK_SENTENCE]})
        + "\n"
    )
    result = run("eval", str(qa), "--index", str(settings.index_dir), "--json", "-q")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["warned_unanswerable"] == 1.0
    assert report["cautioned_right_rate"] == 0.0
