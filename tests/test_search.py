"""Search over a small real index: the right sentence, outlet and date come back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import NEWS_ARTICLES, NK_SENTENCE

from index.errors import IndexMismatchError, IndexMissingError, QuestionError
from index.search import Searcher
from index.versions import META_NAME, current_version


def test_example_question_puts_the_600_soldiers_sentence_first(searcher):
    answer = searcher.search("how many NK soldiers died?")
    assert answer.answered
    first = answer.results[0]
    assert first.text == NK_SENTENCE
    assert first.source == "AFP"
    assert first.date == dt.date(2025, 6, 26)
    assert first.url == "https://example.com/afp/nk-troops"
    assert first.title == "North Korea to send more troops to Russia, Seoul says"
    assert first.citation == f'"{NK_SENTENCE}" (AFP, June 26, 2025)'
    assert first.context_before.startswith("North Korea will send more troops")
    assert first.context_after.startswith("Pyongyang in April confirmed")


def test_hit_json_has_every_field_with_iso_date(searcher):
    hit = searcher.search("what interest rate did the Fed set?").results[0].to_json()
    assert hit["source"] == "CNN"
    assert hit["date"] == "2024-03-20"
    assert set(hit) >= {
        "text",
        "source",
        "date",
        "title",
        "url",
        "score",
        "article_id",
        "sentence_id",
        "context_before",
        "context_after",
        "citation",
    }
    json.dumps(hit)


def test_unknown_date_is_said_not_invented(searcher):
    hit = searcher.search("how much money did the city council approve for the library?").results[0]
    assert hit.source == "The Courier"
    assert hit.date is None
    assert hit.citation.endswith("(The Courier, date unknown)")


def test_unanswerable_question_gets_no_results(searcher):
    answer = searcher.search("what recipe won the baking championship in Paris?")
    assert not answer.answered
    assert answer.results == ()
    assert answer.articles_searched == len(NEWS_ARTICLES)


def test_filters_restrict_by_date_and_outlet(searcher):
    assert all(h.source == "CNN" for h in searcher.search("interest rates source:cnn").results)
    assert searcher.search("interest rates source:cnn").results
    recent = searcher.search("interest rates since:2024-01-01")
    assert recent.results and all(h.date >= dt.date(2024, 1, 1) for h in recent.results)
    old = searcher.search("hurricane landfall before:2024-01-01")
    assert old.results[0].source == "USA Today"
    assert all(h.date < dt.date(2024, 1, 1) for h in old.results)


@pytest.mark.parametrize("question", ["", "   ", "since:2024-01-01", "x" * 10_000])
def test_empty_or_huge_question_is_a_clear_error(searcher, question):
    with pytest.raises(QuestionError) as error:
        searcher.search(question)
    assert "question" in str(error.value).lower()


def test_paging_returns_the_next_results(searcher):
    first = searcher.search("North Korea troops Russia", limit=1)
    second = searcher.search("North Korea troops Russia", limit=1, offset=1)
    assert first.results and second.results
    assert first.results[0].sentence_id != second.results[0].sentence_id


def test_context_returns_neighbouring_sentences(searcher):
    hit = searcher.search("how many NK soldiers died?").results[0]
    context = searcher.context(hit.sentence_id, window=3)
    assert context.sentence == NK_SENTENCE
    assert context.before[-1].startswith("North Korea will send more troops")
    assert context.after[0].startswith("Pyongyang in April")


def test_no_index_says_how_to_build_one(tmp_path, embedder):
    from index.config import Settings

    with pytest.raises(IndexMissingError) as error:
        Searcher.open(Settings(index_dir=tmp_path / "nothing"), embedder)
    assert "newsdesk index build" in str(error.value)


def test_index_built_with_another_model_is_refused(make_index, embedder):
    settings = make_index()
    meta_path = current_version(settings.index_dir) / META_NAME
    meta = json.loads(meta_path.read_text())
    meta["model"] = "some-other-model"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexMismatchError) as error:
        Searcher.open(settings, embedder)
    assert "some-other-model" in str(error.value)
    assert "--fresh" in str(error.value)


def test_searcher_picks_up_a_rebuilt_index_without_restart(make_index, embedder, write_articles):
    from index.build import add_articles

    settings = make_index()
    searcher = Searcher.open(settings, embedder)
    assert not searcher.refresh()
    folder = write_articles(
        [
            {
                "title": "Transit strike ends",
                "source": "Metro Daily",
                "date": "2024-05-02",
                "url": "https://example.com/metro/strike",
                "text": "Bus drivers ended their nine-day strike after agreeing to a 6% raise.",
            }
        ],
        folder="new",
    )
    add_articles(settings, [folder], embedder=embedder, quiet=True)
    assert searcher.refresh()
    hit = searcher.search("how long did the bus drivers strike?").results[0]
    assert hit.source == "Metro Daily"
    assert "nine-day strike" in hit.text


def test_wire_copy_in_two_outlets_is_shown_once(make_index, embedder):
    sentence = "The storm dumped 14 inches of rain on the coastal town of Lumberton overnight."
    articles = [
        {
            "title": "Storm floods Lumberton",
            "source": "AP",
            "date": "2024-09-01",
            "url": "https://example.com/ap/storm",
            "text": sentence,
        },
        {
            "title": "Lumberton under water",
            "source": "Daily Star",
            "date": "2024-09-01",
            "url": "https://example.com/star/storm",
            "text": sentence + "\n\nSchools were closed.",
        },
    ]
    searcher = Searcher.open(make_index(articles), embedder)
    results = searcher.search("how much rain fell in Lumberton?").results
    assert [h.text for h in results].count(sentence) == 1
    shown = results[0]
    assert {shown.source, *shown.also_reported_by} == {"AP", "Daily Star"}


def test_citation_nests_quotes_and_uses_ap_months():
    import datetime as dt

    from index.citation import format_citation

    text = "“We will rebuild,” the mayor said."
    assert format_citation(text, "AP", dt.date(2024, 9, 5), "t") == (
        '"‘We will rebuild,’ the mayor said." (AP, Sept. 5, 2024)'
    )
    assert format_citation("Rain fell.", None, None, "Storm hits") == (
        '"Rain fell." (“Storm hits”, date unknown)'
    )
