"""Filters a reporter types after the question: since:, before:, source:, parsed and applied."""

from __future__ import annotations

import datetime as dt

import pytest

from index.errors import QuestionError
from index.query import parse_query
from index.search import Searcher


def parse(raw: str):
    return parse_query(raw, max_chars=2000)


def test_filters_are_taken_out_of_the_question():
    query = parse("who won the primary? since:2024-03-01 before:2024-04-01 source:CNN")
    assert query.text == "who won the primary?"
    assert query.since == dt.date(2024, 3, 1)
    assert query.before == dt.date(2024, 4, 1)
    assert query.sources == ("CNN",)
    assert query.filtered


def test_aliases_quoted_outlets_and_several_sources():
    query = parse('rates after:2024-01-15 until:2024-02-01 source:"USA Today" outlet:AP')
    assert query.text == "rates"
    assert query.since == dt.date(2024, 1, 15)
    assert query.before == dt.date(2024, 2, 2)  # until: keeps the day it names
    assert query.sources == ("USA Today", "AP")


def test_a_written_out_date_is_read():
    assert parse("rates since:March-2024").since == dt.date(2024, 3, 1)


def test_no_filters_means_unfiltered():
    query = parse("how many NK soldiers died?")
    assert query.text == "how many NK soldiers died?"
    assert not query.filtered


def test_a_word_with_a_colon_inside_is_not_a_filter():
    assert parse("what is the ratio 3:1 in resource:allocation").text == (
        "what is the ratio 3:1 in resource:allocation"
    )


def test_an_unreadable_date_says_how_to_write_it():
    with pytest.raises(QuestionError, match="since:2024-03-01"):
        parse("rates since:someday-soon")


ARTICLES = [
    {
        "title": "Storm floods the coast",
        "source": "CNN",
        "date": "2024-03-10",
        "url": "https://example.com/cnn/storm-march",
        "text": "The storm flooded 300 homes along the coast on Sunday.",
    },
    {
        "title": "Storm season begins",
        "source": "USA Today",
        "date": "2024-01-05",
        "url": "https://example.com/usatoday/storm-january",
        "text": "An early storm flooded 40 homes near the river.",
    },
    {
        "title": "Storm clean-up",
        "source": "The Courier",
        "date": None,
        "url": None,
        "text": "Volunteers cleared mud from homes the storm had flooded.",
    },
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, embedder):
    from conftest import write_article

    from index.build import build_index
    from index.config import Settings

    root = tmp_path_factory.mktemp("filters")
    for number, article in enumerate(ARTICLES):
        write_article(root / "articles", f"{number}.txt", article)
    settings = Settings(index_dir=root / "index")
    build_index(settings, [root / "articles"], embedder=embedder, quiet=True)
    return Searcher.open(settings, embedder)


def sources(answer) -> list[str]:
    return [hit.source for hit in answer.results]


def test_since_keeps_articles_on_or_after_the_date(searcher):
    answer = searcher.search("how many homes did the storm flood? since:2024-03-10", limit=5)
    assert sources(answer) == ["CNN"]


def test_before_keeps_articles_strictly_before_the_date(searcher):
    answer = searcher.search("how many homes did the storm flood? before:2024-03-10", limit=5)
    assert sources(answer) == ["USA Today"]


def test_a_partial_before_keeps_the_last_day_of_its_period(searcher):
    march = searcher.search("how many homes did the storm flood? before:March-2024", limit=5)
    assert sorted(sources(march)) == ["CNN", "USA Today"]  # the CNN story is dated March 10
    february = searcher.search("how many homes did the storm flood? before:2024-02", limit=5)
    assert sources(february) == ["USA Today"]


def test_until_keeps_the_day_it_names(searcher):
    answer = searcher.search("how many homes did the storm flood? until:2024-03-10", limit=5)
    assert sorted(sources(answer)) == ["CNN", "USA Today"]


def test_source_matches_part_of_the_outlet_ignoring_case(searcher):
    answer = searcher.search("how many homes did the storm flood? source:usa", limit=5)
    assert sources(answer) == ["USA Today"]


def test_undated_articles_pass_only_without_a_date_filter(searcher):
    everything = searcher.search("how many homes did the storm flood?", limit=5)
    assert set(sources(everything)) == {"CNN", "USA Today", "The Courier"}
    dated = searcher.search("how many homes did the storm flood? since:2000-01-01", limit=5)
    assert "The Courier" not in sources(dated)


def test_filters_that_exclude_everything_answer_nothing(searcher):
    answer = searcher.search("how many homes did the storm flood? source:Reuters")
    assert not answer.answered
    assert answer.results == ()


@pytest.mark.parametrize(
    ("filters", "since", "before"),
    [
        ("since:2025", dt.date(2025, 1, 1), None),
        ("since:June-2025", dt.date(2025, 6, 1), None),
        ("since:2025-06", dt.date(2025, 6, 1), None),
        ("before:2025", None, dt.date(2026, 1, 1)),
        ("before:June-2025", None, dt.date(2025, 7, 1)),
        ("before:2024-02", None, dt.date(2024, 3, 1)),
        ("until:2024-02-10", None, dt.date(2024, 2, 11)),
        ("since:2024 before:2024", dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
    ],
)
def test_a_partial_date_means_its_start_for_since_and_its_end_for_before(filters, since, before):
    query = parse(f"who won the primary? {filters}")
    assert (query.since, query.before) == (since, before)


def test_before_earlier_than_since_is_an_error_that_says_so():
    with pytest.raises(QuestionError) as raised:
        parse("rates since:2025-03-01 before:2024")
    message = str(raised.value)
    assert "`before:2024` (up to 2024-12-31) is earlier than `since:2025-03-01` (2025-03-01)" in message
    assert "\n" not in message


def test_ask_prints_one_line_for_reversed_dates(tmp_path, embedder, searcher):
    from click.testing import CliRunner

    from bot.cli import cli

    index = searcher.settings.index_dir
    result = CliRunner().invoke(
        cli, ["ask", "storm damage before:2023 since:2024", "--index", str(index)], obj={"embedder": embedder}
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: `before:2023` (up to 2023-12-31) is earlier than `since:2024` (2024-01-01), so no article "
        "could match; swap the two dates."
    ]
