"""Ranking rules: shorthand, question type, asking sentences, fusion, ties and the no-answer rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index import answer_types, ranking
from index.answer_policy import AnswerPolicy, Best, Verdict, acronym_pattern, decide, key_terms
from index.ranking import Candidate, Recipe
from index.search import Searcher


@pytest.fixture(scope="module")
def shorthand() -> dict[str, str]:
    return ranking.load_shorthand()


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("how many NK soldiers died?", "how many North Korea soldiers died?"),
        ("how many nk soldiers died?", "how many North Korea soldiers died?"),
        ("what did SCOTUS rule?", "what did Supreme Court rule?"),
        ("did the Fed cut rates?", "did the Federal Reserve cut rates?"),
        ("who leads the GOP?", "who leads the Republican?"),
        ("what did the UN say?", "what did the United Nations say?"),
        ("where is POTUS today?", "where is president today?"),
    ],
)
def test_shorthand_is_spelled_out(shorthand, typed, expanded):
    assert ranking.expand_shorthand(typed, shorthand) == expanded


@pytest.mark.parametrize(
    "typed",
    [
        "are voters fed up with prices?",  # "Fed" is the central bank only with its capital
        "an un-named official said",  # "UN" only in capitals
        "what happened at 3 pm?",  # "PM" is not matched in lower case
        "NKorea and FEDs",  # only whole words
    ],
)
def test_ordinary_words_are_left_alone(shorthand, typed):
    assert ranking.expand_shorthand(typed, shorthand) == typed


def test_shorthand_stays_a_search_term_beside_its_spelling(shorthand):
    question = ranking.analyse("how many NK soldiers died?", shorthand=shorthand)
    assert question.text == "how many North Korea soldiers died?"
    assert set(question.terms) == {"north", "korea", "soldiers", "died", "nk"}


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("how many people died?", answer_types.FIGURE),
        ("What percentage voted?", answer_types.FIGURE),
        ("when did the storm hit?", answer_types.DATE),
        ("in what year was it built?", answer_types.DATE),
        ("who won the primary?", None),
        # A "when" after another question word opens a clause: no date is asked for.
        ("what happens when a business underpays its workers?", None),
    ],
)
def test_question_type_is_detected(question, wants):
    assert ranking.analyse(question).wants is wants


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("who won the primary?", answer_types.PERSON),
        ("how were the men who ran pharmacies viewed?", None),
        ("when did the storm hit, and who saw it?", answer_types.DATE),
    ],
)
def test_the_kind_of_answer_asked_for_ignores_clause_words(question, wants):
    assert answer_types.fine_answer(question) is wants


def _order(question: str, texts: list[str], recipe: Recipe | None = None) -> list[str]:
    candidates = [
        Candidate(n, text, cosine=0.6, bm25=1.0, dense_rank=n, lexical_rank=n) for n, text in enumerate(texts)
    ]
    scored = ranking.score(ranking.analyse(question), candidates, recipe or Recipe())
    return [texts[s.sentence_id] for s in scored]


@pytest.mark.parametrize(
    ("question", "loser", "winner"),
    [
        pytest.param(
            "how many soldiers were killed?",
            "Many soldiers were killed in the fighting.",
            "Around 600 soldiers were killed.",
            id="a figure wins for how many",
        ),
        pytest.param(
            "when did the bridge open?",
            "The bridge opened to traffic.",
            "The bridge opened on March 3, 2021.",
            id="a date wins for when",
        ),
        pytest.param(
            "what is the inflation target",
            "What is the Fed's inflation target?",
            "The Fed's inflation target is 2%.",
            id="a sentence that asks is demoted",
        ),
        pytest.param(
            "interest rate target",
            "Rates rose and the bank held its target.",
            "The interest rate target was held.",
            id="the question's word pairs count",
        ),
    ],
)
def test_the_rules_put_the_answering_sentence_first(question, loser, winner):
    assert _order(question, [loser, winner])[0] == winner


def test_plain_rrf_recipe_ignores_the_extra_rules():
    texts = ["What is the inflation target?", "Prices rose."]
    assert _order("what is the inflation target", texts, Recipe.named("rrf")) == texts


def test_recipes_by_name():
    assert Recipe.named("best") == Recipe()
    assert not Recipe.named("dense").lexical
    assert not Recipe.named("bm25").dense
    with pytest.raises(ValueError, match="unknown recipe"):
        Recipe.named("magic")


def test_the_score_is_the_weighted_sum_of_cosine_relative_bm25_and_the_neighbours_cosine():
    candidates = [
        Candidate(1, "a b", cosine=0.5, bm25=10.0, neighbour_cosine=0.2),
        Candidate(2, "c d", cosine=0.7, bm25=5.0),
    ]
    only_fusion = Recipe(phrase_weight=0, length_weight=0, novelty_weight=0)
    by_id = {s.sentence_id: s.score for s in ranking.score(ranking.analyse("x"), candidates, only_fusion)}
    assert by_id[1] == pytest.approx(
        ranking.DENSE_WEIGHT * 0.5 + ranking.BM25_WEIGHT * 1.0 + ranking.NEIGHBOUR_WEIGHT * 0.2
    )
    assert by_id[2] == pytest.approx(ranking.DENSE_WEIGHT * 0.7 + ranking.BM25_WEIGHT * 0.5)
    # The headed cosine counts only where a recipe weighs it (the second stage uses it by default).
    headed = [Candidate(1, "a b", cosine=0.5, headed_cosine=0.9), Candidate(2, "c d", cosine=0.6)]
    weighed = ranking.score(ranking.analyse("x"), headed, replace(only_fusion, headed_weight=0.5))
    assert [s.sentence_id for s in weighed] == [1, 2]
    assert [s.sentence_id for s in ranking.score(ranking.analyse("x"), headed, only_fusion)] == [2, 1]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how much did the bailout cost?", answer_types.MONEY),
        ("what % of adults are addicted?", answer_types.PERCENT),
        ("final tally on the vote?", answer_types.NUMBER),
        ("since when has the wage been $7.25?", answer_types.DATE),
        ("who shot the trooper?", answer_types.PERSON),
        ("why did the senator resign?", None),
    ],
)
def test_the_kind_of_answer_asked_for(question, expected):
    assert answer_types.fine_answer(question) is expected


def test_a_sentence_with_the_kind_of_answer_asked_for_wins():
    assert _order(
        "who shot the state trooper at the wawa?",
        [
            "The state trooper was shot at the Wawa on Wednesday.",
            "Police said Burgon Sealy Jr. shot the trooper.",
        ],
    )[0].startswith("Police said Burgon Sealy")
    assert _order(
        "how much did southwest's meltdown cost the airline?",
        [
            "The meltdown cost the airline dearly, executives said.",
            "The meltdown cost Southwest $1.1 billion.",
        ],
    )[0].endswith("$1.1 billion.")


def test_the_headline_and_neighbours_count_for_a_sentence_that_names_nothing():
    question = ranking.analyse(
        "how many north korean troops died in kursk?", weigh=lambda terms: dict.fromkeys(terms, 1.0)
    )
    bare = Candidate(1, "He said about 600 had died.", cosine=0.5, context="North Korean troops in Kursk")
    elsewhere = Candidate(2, "About 600 people died in the flood.", cosine=0.5, context="Floods in Spain")
    order = [s.sentence_id for s in ranking.score(question, [elsewhere, bare], Recipe())]
    assert order[0] == 1


def test_newer_article_wins_a_tie():
    candidates = [
        Candidate(1, "Same wire copy.", cosine=0.6, bm25=2.0, recency=738000),
        Candidate(2, "Same wire copy.", cosine=0.6, bm25=2.0, recency=739000),
    ]
    assert [s.sentence_id for s in ranking.score(ranking.analyse("x"), candidates, Recipe())] == [2, 1]


class _Mentions:
    """Which terms the index holds anywhere, and in article 1 (the best sentence's)."""

    def __init__(self, anywhere: set[str], in_article: set[str]) -> None:
        self.anywhere, self.in_article = anywhere, in_article

    def mentions_anywhere(self, term: str) -> bool:
        return term in self.anywhere

    def article_mentions(self, article_id: int, title: str, term: str) -> bool:
        return term in self.in_article

    def article_text(self, article_id: int) -> str:
        return {
            1: "Congress passed the Infrastructure Investment and Jobs Act in 2021.",
            2: "Nauck was named CAA Player of the Year on Thursday.",
        }.get(article_id, "")


def test_the_answer_policy_says_why_it_refuses():
    policy = AnswerPolicy()
    count = 100_000
    rare = ranking.share_floor(count, 0.0)  # the IDF of a term in no sentence
    weights = {"lisbon": rare - 1, "tram": 5.0, "africom": rare}
    names = {"lisbon": "Lisbon", "africom": "AFRICOM"}
    known = _Mentions({"lisbon", "tram"}, {"lisbon"})

    def verdict(cosine: float, evidence: _Mentions = known, asked: dict[str, str] = names) -> Verdict:
        return decide(
            policy, Best(cosine, 1, ""), evidence=evidence, weights=weights, names=asked, sentence_count=count
        )

    assert decide(policy, None, evidence=known, weights={}, names={}, sentence_count=count).reason
    assert verdict(0.7) == Verdict(False, "no article mentions AFRICOM")
    assert verdict(policy.unknown_name_cosine).answered
    only_lisbon = {"lisbon": "Lisbon"}
    assert verdict(policy.min_answer_cosine - 0.01, asked=only_lisbon) == Verdict(
        False, "the best match is too weak to support an answer"
    )
    assert verdict(policy.confident_cosine, _Mentions({"lisbon"}, set()), only_lisbon).answered
    middle = (policy.min_answer_cosine + policy.confident_cosine) / 2
    assert verdict(middle, asked=only_lisbon).answered
    assert verdict(middle, _Mentions({"lisbon"}, set()), only_lisbon) == Verdict(
        False, "the closest article does not mention Lisbon"
    )
    # An acronym the best article spells out is known, though no article writes it so.
    weights["iija"] = rare
    assert verdict(0.5, asked={"iija": "IIJA"}).answered
    assert verdict(0.5, asked={"iija": "iija"}) == Verdict(False, "no article mentions iija")
    # ... or an article ranked after the best one does, the words in either case ("of the").
    # The best article must still hold it for an answer in the uncertain band.
    weights["poy"] = rare

    def spelled_second(cosine: float) -> Verdict:
        best, names = Best(cosine, 1, "", (3, 2)), {"poy": "POY"}
        return decide(policy, best, evidence=known, weights=weights, names=names, sentence_count=count)

    assert verdict(0.7, asked={"poy": "POY"}) == Verdict(False, "no article mentions POY")
    assert spelled_second(0.7).answered
    assert spelled_second(0.5) == Verdict(False, "the closest article does not mention POY")


def test_acronyms_are_read_in_the_forms_articles_spell_them():
    assert acronym_pattern("HFMD").search("a rise in hand, foot and mouth disease cases")
    assert acronym_pattern("POY").search("named CAA Player of the Year")
    assert acronym_pattern("DOT").search("the U.S. Department of Transportation said")
    assert not acronym_pattern("DOT").search("the Department of Justice and Transportation")
    assert not acronym_pattern("IIJA").search("Infrastructure Investment Act")


SHORTHAND_ARTICLES = [
    {
        "title": "Court rules on abortion pill",
        "source": "CNN",
        "date": "2024-06-13",
        "url": "https://example.com/cnn/court-pill",
        "text": (
            "The Supreme Court unanimously rejected a challenge to the abortion pill mifepristone "
            "on Thursday, preserving access to the drug.\n\n"
            "The justices said the doctors who sued had no standing."
        ),
    },
    {
        "title": "Pill makers watch the case",
        "source": "AP",
        "date": "2024-03-26",
        "url": "https://example.com/ap/pill-makers",
        "text": (
            "Drug makers said a ruling against the pill would unsettle how medicines are approved.\n\n"
            "Pharmacies in several states have started to stock mifepristone."
        ),
    },
]


def test_shorthand_question_finds_the_spelled_out_sentence(make_index, embedder):
    searcher = Searcher.open(make_index(SHORTHAND_ARTICLES), embedder)
    first = searcher.search("what did SCOTUS decide on mifepristone?").results[0]
    assert first.text.startswith("The Supreme Court unanimously rejected")


EXPLAINER = [
    {
        "title": "Explainer: the Fed's inflation target",
        "source": "USA Today",
        "date": "2024-01-31",
        "url": "https://example.com/usatoday/fed-target",
        "text": (
            "What is the Federal Reserve's inflation target?\n\n"
            "The Federal Reserve aims for inflation of 2% a year over the longer run.\n\n"
            "Why does the Federal Reserve target inflation?\n\n"
            "Stable prices help businesses and households plan."
        ),
    }
]


def test_an_explainer_crosshead_does_not_outrank_its_answer(make_index, embedder):
    searcher = Searcher.open(make_index(EXPLAINER), embedder)
    first = searcher.search("what is the Fed's inflation target?").results[0]
    assert first.text.startswith("The Federal Reserve aims for inflation of 2%")


def test_key_terms_are_the_question_s_rare_names():
    weights = {"happened": 9.0, "lisbon": 9.0, "tram": 8.0, "said": 1.0, "2024": 9.0, "paris": 3.0}
    names = {"lisbon", "paris", "2024"}
    # Paris is common, 2024 a number.
    assert set(key_terms(AnswerPolicy(), weights, 100_000, names)) == {"lisbon"}
    assert set(key_terms(AnswerPolicy(), weights, 40, names)) == {"lisbon"}
    assert ranking.analyse("how many NK soldiers died in Kursk?").names == {"nk": "NK", "kursk": "Kursk"}


def test_the_fts_query_quotes_every_term_and_searches_context_only_for_the_terms_given():
    assert ranking.fts_match(["troops", "kursk"], ["troops", "kursk"]) == '"troops" OR "kursk"'
    assert (
        ranking.fts_match(["troops", "kursk"], ["kursk"])
        == 'text : ("troops" OR "kursk") OR context : ("kursk")'
    )
    assert ranking.fts_match(['say "no"'], []) == 'text : ("say ""no""")'


# IDFs in a 200,000-sentence index: "died" is in ~5% of sentences, "kursk" in few.
KURSK = ranking.Question(
    "how many troops died in Kursk",
    ("troops", "died", "kursk"),
    frozenset(),
    None,
    weights={"troops": 5.0, "died": 3.0, "kursk": 9.0},
)
# Every word common.
WHAT_THEY_SAID = ranking.Question(
    "what did they say", ("say", "they", "did"), frozenset(), None, {"say": 1.0, "they": 2.0, "did": 1.5}
)


def test_a_large_index_leaves_common_words_out_of_bm25():
    question = KURSK
    assert ranking.bm25_terms(question, 1_000) == ("troops", "died", "kursk")  # small: every term
    assert ranking.bm25_terms(question, 200_000) == ("troops", "kursk")
    assert ranking.bm25_terms(question, 200_000, max_share=0.0005) == ("kursk",)
    # In ten million sentences "troops" (IDF 5: ~67,000 of them) is under the 2% share but over
    # the 5,000 matches BM25 scores at most, whatever the size.
    assert ranking.bm25_terms(question, 10_000_000) == ("kursk",)
    assert ranking.bm25_terms(question, 10_000_000, max_matches=10**9) == ("troops", "kursk")
    common = WHAT_THEY_SAID
    assert ranking.bm25_terms(common, 200_000) == ("they", "did")  # all common: the two rarest


def test_the_bm25_query_asks_for_any_rare_word_or_for_both_stand_ins():
    question = KURSK
    assert ranking.bm25_match(question, 1_000) == '"troops" OR "died" OR "kursk"'  # small: every word
    assert ranking.bm25_match(question, 200_000) == 'text : ("troops" OR "kursk") OR context : ("kursk")'
    assert ranking.bm25_match(question, 200_000, context=False) == 'text : ("troops" OR "kursk")'
    # Every word common: a sentence must hold both stand-ins. Either one (as before) matched up to
    # millions of sentences at 12.6M lines and took seconds to rank.
    common = WHAT_THEY_SAID
    assert ranking.bm25_match(common, 200_000) == 'text : ("they" AND "did")'
    assert ranking.bm25_match(common, 200_000, both_stand_ins=False) == 'text : ("they" OR "did")'
    assert ranking.bm25_match(ranking.Question("what", (), frozenset(), None), 200_000) == ""


def test_a_question_naming_something_no_article_mentions_gets_no_answer(make_index, embedder):
    searcher = Searcher.open(make_index(SHORTHAND_ARTICLES), embedder)
    assert searcher.search("what did the Supreme Court decide on mifepristone?").answered
    unknown = searcher.search("what did the Guernsey court decide on mifepristone?")
    assert not unknown.answered and unknown.results == ()
    assert unknown.refusal_reason == "no article mentions Guernsey"
    # A name found only in a headline still counts as known ("Watch" is in no sentence).
    assert not searcher.search("what did the Guernsey court decide about drug makers?").answered
    assert searcher.search("what did drug makers Watch say about the ruling?").answered


def test_word_counts_stop_at_a_share_of_the_archive_and_at_a_fixed_count_past_it():
    assert ranking.common_cap(228_426) == 11_421  # the RealTime QA index: the share binds
    assert ranking.common_cap(1_458_273) == ranking.COMMON_MAX_COUNT  # a large archive: the count
    rare, common = ranking.idf_weights(
        {"rare": 3, "common": ranking.common_cap(1_458_273)}, 1_458_273
    ).values()
    assert rare > common > 0


def test_the_context_column_searches_only_rare_words_and_fewer_of_them_in_a_large_archive():
    def idf(in_sentences: int, of: int) -> float:
        return ranking.idf_weights({"t": in_sentences}, of)["t"]

    def context_terms(of: int, counts: dict[str, int]) -> tuple[str, ...]:
        question = ranking.Question(
            "q", tuple(counts), frozenset(), None, weights={t: idf(n, of) for t, n in counts.items()}
        )
        return ranking.context_terms(question, of)

    # The RealTime QA index (228,426 lines): the 0.2% share (457 sentences) binds, as before.
    assert context_terms(228_426, {"kursk": 400, "troops": 600}) == ("kursk",)
    # 1.46M lines: the share would let in words of 2,900 sentences; the count stops at 1,000.
    assert context_terms(1_458_273, {"kursk": 800, "troops": 1_500}) == ("kursk",)
    # When every word is common the context column is not searched; the sentence column still is,
    # with the two rarest words standing in.
    common = {"major": 11_954, "solar": 6_874, "away": 6_761}
    assert context_terms(1_458_273, common) == ()
    question = ranking.Question(
        "q", tuple(common), frozenset(), None, weights={t: idf(n, 1_458_273) for t, n in common.items()}
    )
    assert ranking.bm25_terms(question, 1_458_273) == ("away", "solar")
