"""Who said it: the rules of index/attribution.py, the `said:` filter and "what did X say about …?"."""

from __future__ import annotations

import pytest

from index.attribution import Attribution, attribute, attribute_article, speaker_matches
from index.citation import format_citation
from index.query import parse_query

BRIEFING = [
    "North Korea to send more troops to Russia, Seoul says",
    "North Korea will send more troops to Russia, a South Korean lawmaker said on Thursday, citing "
    "information from Seoul's spy agency.",
    "“North Korea is continuing to send troops,” lawmaker Lee Seong-kweun told reporters after a briefing.",
    "Russia and North Korea signed a military deal last year.",
]
AROUND_600 = (
    "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for Russia, "
    "according to Lee, citing the South Korean intelligence service."
)


def test_according_to_a_surname_gives_the_full_name_from_earlier_and_what_is_cited():
    assert attribute(AROUND_600, BRIEFING) == Attribution(
        "Lee Seong-kweun", "according to", "South Korean intelligence service"
    )


def test_said_told_added_says_and_the_speaker_after_the_quote():
    article = [
        *BRIEFING,
        "“Russia has already announced a second deployment of 4,000 troops,” said Lee.",
        "Pyongyang has also dispatched personnel to repair the new weapons, he added, without details.",
        "“Some of them are assessed to have engaged in combat,” Lee said.",
        "Fifty-seven percent of the shells came from the North, Wells Fargo says.",
    ]
    found = attribute_article(article)
    assert found[1] == Attribution("South Korean lawmaker", "said", "Seoul's spy agency")
    assert found[2] == Attribution("Lee Seong-kweun", "told")
    assert found[4] == Attribution("Lee Seong-kweun", "said")
    assert found[5] == Attribution("Lee Seong-kweun", "added")
    assert found[6] == Attribution("Lee Seong-kweun", "said")
    assert found[7] == Attribution("Wells Fargo", "says")


def test_pronouns_stand_for_the_last_named_speaker():
    article = [
        "Fed Chair Jerome Powell said officials still expect to cut rates three times this year.",
        "Mayor Ana Ruiz said the money would keep branches open on Sundays.",
        "She said the library would hire four more staff.",
        "“We owe it to the readers,” they said.",
    ]
    found = attribute_article(article)
    assert found[0] == Attribution("Jerome Powell", "said")
    assert found[2] == Attribution("Ana Ruiz", "said")
    assert found[3] == Attribution("Ana Ruiz", "said")


def test_an_apposition_between_speaker_and_cue_is_skipped():
    sentence = (
        'The NIS "has confirmed that the North has shipped 170mm artillery", Lee Seong-kweun, who serves '
        "on a parliamentary intelligence committee, said after an NIS briefing."
    )
    assert attribute(sentence) == Attribution("Lee Seong-kweun", "said")
    shoigu = "It comes a week after Sergei Shoigu, head of Russia's Security Council, said sappers would go."
    assert attribute(shoigu) == Attribution("Sergei Shoigu", "said")


def test_said_with_a_later_according_to_cites_it():
    sentence = "Lee said some of the 11,000 soldiers have engaged in combat, according to Seoul's spy agency."
    assert attribute(sentence, BRIEFING) == Attribution("Lee Seong-kweun", "said", "Seoul's spy agency")


def test_according_to_an_organisation_drops_the_document_it_speaks_through():
    sentence = (
        "Nearly 750 migrants have died at the border, according to Department of Homeland Security figures."
    )
    assert attribute(sentence) == Attribution("Department of Homeland Security", "according to")


def test_a_quotation_running_on_keeps_its_speaker_without_a_cue():
    article = [
        "“Colored pills have been around for a few years,” said Joseph Palamar, a professor at NYU.",
        "“I don’t think the color greatly increases danger.”",
    ]
    assert attribute_article(article)[1] == Attribution("Joseph Palamar", None)


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia and North Korea signed a military deal last year, including a mutual defence clause.",
        "The senator is said to have left the party in 2019.",
        "In April 2020, the agency wrote a memorandum modeling the levels outside the plant.",
        "That said, it's always a good idea to take your pet to the vet.",
        "This is Florida’s “red flag” law in action.",
        "Lawmakers added a clause to the bill on Tuesday.",
    ],
)
def test_what_the_outlet_states_itself_has_no_attribution(sentence):
    assert attribute(sentence) is None


def test_the_citation_names_the_speaker_only_where_the_sentence_does_not():
    lee = Attribution("Lee Seong-kweun", "according to", "South Korean intelligence service")
    assert format_citation(AROUND_600, "AFP", None, "t", lee) == (
        f'"{AROUND_600}" (AFP, date unknown, attributed to Lee Seong-kweun)'
    )
    named = "Lee Seong-kweun said the troops had arrived."
    assert format_citation(named, "AFP", None, "t", Attribution("Lee Seong-kweun", "said")) == (
        f'"{named}" (AFP, date unknown)'
    )


def test_a_speaker_filter_matches_any_of_the_speakers_names():
    lee = Attribution("Lee Seong-kweun", "said")
    assert speaker_matches(lee, "Lee")
    assert speaker_matches(lee, "lee seong-kweun")
    assert not speaker_matches(lee, "Kim")
    assert not speaker_matches(None, "Lee")


def test_said_is_a_filter_and_what_did_x_say_makes_the_speaker_one():
    query = parse_query("how many soldiers died? said:Lee source:AFP", max_chars=2000)
    assert query.text == "how many soldiers died?"
    assert query.speakers == ("Lee",) and query.sources == ("AFP",) and query.filtered

    quoted = parse_query('troops said:"Lee Seong-kweun"', max_chars=2000)
    assert quoted.speakers == ("Lee Seong-kweun",)

    asked = parse_query("what did Lee say about the weapons?", max_chars=2000)
    assert asked.speakers == ("Lee",)
    assert asked.text == "Lee said the weapons"

    plain = parse_query("what did North Korea send to Russia?", max_chars=2000)
    assert plain.speakers == ()


def test_search_keeps_only_the_speakers_sentences_and_carries_who_said_each(make_index, embedder):
    from index.search import Searcher

    searcher = Searcher.open(make_index(), embedder)
    answer = searcher.search("what did Powell say about interest rates?")
    assert answer.answered
    assert answer.results[0].text.startswith("Fed Chair Jerome Powell said officials still expect")
    assert {hit.attribution for hit in answer.results} == {Attribution("Jerome Powell", "said")}

    everyone = searcher.search("what did the Fed do with interest rates?", limit=5)
    assert any(hit.attribution is None for hit in everyone.results)  # the Fed's decision, as reported
    assert not searcher.search("interest rates said:Ruiz").results
    # Nobody called "the Federal Reserve" is quoted: the question is searched as it was asked.
    asked = searcher.search("what did the Federal Reserve say about interest rates?")
    assert asked.answered and "benchmark interest rate steady" in asked.results[0].text
