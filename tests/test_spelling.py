"""Typos mended from the archive's own words; names and shorthand left as typed."""

from __future__ import annotations

from index import spelling
from index.search import Searcher

ARCHIVE = {"unemployment": 40, "claims": 90, "campaign": 300, "what": 5000, "meltdown": 12, "vetted": 9}


def counts(words):
    return {w: ARCHIVE[w] for w in words if w in ARCHIVE}


def test_a_lower_case_word_the_archive_never_uses_becomes_its_commonest_neighbour():
    assert spelling.corrections("weekly unemplyment claims", counts) == {"unemplyment": "unemployment"}
    assert spelling.corrections("waht was the meltdwon", counts) == {"waht": "what", "meltdwon": "meltdown"}


def test_names_shorthand_short_words_and_known_words_are_left_alone():
    assert spelling.corrections("Campain and Unemplyment", counts) == {}  # capitalised: maybe a name
    assert spelling.corrections("the campain", counts, keep={"campain"}) == {}
    assert spelling.corrections("how many vettes fell in", counts) == {}  # a changed letter in a short word
    assert spelling.corrections("unemployment claims", counts) == {}


def test_apply_replaces_whole_words_only():
    mended = {"campain": "campaign"}
    assert spelling.apply("biden's campain; Campain", mended) == "biden's campaign; Campain"


JOBS = {
    "title": "Storm drives up jobless claims",
    "source": "AP",
    "date": "2012-11-08",
    "url": "https://example.com/ap/claims",
    "text": (
        "Superstorm Sandy drove applications for unemployment benefits up to 439,000 last week.\n\n"
        "Economists expect unemployment aid requests to fall back once power returns.\n\n"
        "The unemployment rate stayed at 7.9 percent in October."
    ),
}


def test_a_typo_still_finds_the_sentence_and_the_answer_says_what_was_searched(make_index, embedder):
    searcher = Searcher.open(make_index([JOBS]), embedder)
    answer = searcher.search("how high did unemplyment claims spike after sandy?")
    assert answer.searched_as == "how high did unemployment claims spike after sandy?"
    assert answer.results[0].text.startswith("Superstorm Sandy drove applications")
    assert searcher.search("how high did jobless claims spike?").searched_as == ""
