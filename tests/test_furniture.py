"""Lines classified as prose or page furniture, as they come in the RealTime QA outlets' pages."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index import build
from index.build import build_index
from index.furniture import BYLINE, CAPTION, DATELINE, HEADING, PROMPT, RELATED, TEXT, classify
from index.search import Searcher
from index.sentences import split_classified


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("More:Donald Trump now accuses Nancy Pelosi of 'treason' (and wants to impeach her)", RELATED),
        ("Sick at home with COVID-19:How to care for your loved ones infected with coronavirus", RELATED),
        ("RELATED: Costa Rica going to 2022 World Cup after defeating New Zealand", RELATED),
        ("Video Ad Feedback Biden's balancing act amid tensions with China 02:41 - Source: CNN", RELATED),
        ("Get more of CNN’s Ukraine coverage.", RELATED),
        ("Putin’s rhetoric cranks up the heat", HEADING),
        ("How does the process work?", HEADING),
        ("‘Less than helpful’", HEADING),
        ("Taylor Wilson:", HEADING),
        ("Eggs have gotten much more expensive this year. Brandon Bell/Getty Images", CAPTION),
        ("Migrants cross the Rio Grande on December 18, 2022. David von Blohn/CNN", CAPTION),
        ("Amber Heard in court (Image credit: Evelyn Hockstein/Pool/AFP via Getty Images)", CAPTION),
        ("Photos: Russia invades Ukraine A Ukrainian soldier sits on a hospital bed in Kyiv.", CAPTION),
        ("Follow Grace Schneider on Twitter: @gesinfk", BYLINE),
        ("By Jane Doe and John Roe", BYLINE),
        ("New York CNN —", DATELINE),
        ("This story has been updated with additional developments.", PROMPT),
        ("Subscribe to The Week Escape your echo chamber. Get the facts behind the news.", PROMPT),
        # Prose, however short or oddly shaped:
        ("“God is in charge!” he added.", TEXT),
        ("More than 90 people died in the fire, officials said.", TEXT),
        ("Arizona: $12.80 to $13.85", TEXT),
        (
            "Fort Collins:Windsor Middle School has quarantined 37 students and 11 staff members after "
            "learning a student tested positive. The district said all of them would learn remotely.",
            TEXT,
        ),
        (
            "SEOUL: North Korea will send more troops to Russia, a South Korean lawmaker said on Thursday.",
            TEXT,
        ),
        ("He said: “We will win.”", TEXT),
    ],
)
def test_line_kinds(line, kind):
    assert classify(line, index=5, count=20) == kind


def test_a_name_alone_is_a_byline_only_at_the_top_or_bottom():
    assert classify("Christopher Dunagan", index=0, count=30) == BYLINE
    assert classify("Christopher Dunagan", index=15, count=30) == HEADING


def test_each_sentence_keeps_its_exact_text_and_takes_its_paragraph_s_kind():
    body = (
        "Christopher Dunagan\n"
        "An international team of 21 scientists left Sunday. They will sail for a month.\n"
        "Photos: The voyage The ship leaves port. Hide Caption 1 of 9"
    )
    assert split_classified(body) == [
        ("Christopher Dunagan", BYLINE),
        ("An international team of 21 scientists left Sunday.", TEXT),
        ("They will sail for a month.", TEXT),
        ("Photos: The voyage The ship leaves port.", CAPTION),
        ("Hide Caption 1 of 9", CAPTION),
    ]


def test_a_link_glued_to_a_sentence_s_end_is_a_related_line_of_its_own():
    link = "https://www.usatoday.com/story/sports/nba/bucks/2020/10/27/kyle-korver/6051378002/"
    body = (
        f"He was shot by police in Kenosha, Wisconsin. {link}\n"
        "Sports: An earlier version misstated Mark Dantonio's name.http://www.usatoday.com/story/ftw/1/\n"
        "The fund is listed at https://example.org/fund and takes gifts.\n"
        f"It should be Victoria Mayer via Storyful. https://twitter.com/x/1 {link}\n"
        f"{link}"
    )
    assert split_classified(body) == [
        ("He was shot by police in Kenosha, Wisconsin.", TEXT),
        (link, RELATED),
        ("Sports: An earlier version misstated Mark Dantonio's name.", TEXT),
        ("http://www.usatoday.com/story/ftw/1/", RELATED),
        ("The fund is listed at https://example.org/fund and takes gifts.", TEXT),
        ("It should be Victoria Mayer via Storyful.", TEXT),
        (f"https://twitter.com/x/1 {link}", RELATED),
        (link, RELATED),
    ]


def test_a_photo_credit_before_a_caption_is_cut_off_and_the_caption_quoted_alone():
    body = (
        "Charles III poses in the Throne Room after his coronation in May 2023. Hugo Burnand/Royal "
        "Household 2023/AP Charles was born at Buckingham Palace on November 14, 1948. His mother "
        "was Princess Elizabeth at the time, and the palace announced the birth that evening to a "
        "crowd that had waited outside its gates for most of the day.\n"
        "AC/DC singer Brian Johnson said the tour would resume in May."
    )
    assert split_classified(body) == [
        ("Charles III poses in the Throne Room after his coronation in May 2023.", TEXT),
        ("Hugo Burnand/Royal Household 2023/AP", CAPTION),
        ("Charles was born at Buckingham Palace on November 14, 1948.", TEXT),
        (
            "His mother was Princess Elizabeth at the time, and the palace announced the birth that "
            "evening to a crowd that had waited outside its gates for most of the day.",
            TEXT,
        ),
        ("AC/DC singer Brian Johnson said the tour would resume in May.", TEXT),
    ]


TEASER_ARTICLES = [
    {
        "title": "North Korea to send more troops to Russia",
        "source": "AFP",
        "date": "2025-06-26",
        "url": "https://example.com/afp/nk",
        "text": (
            "More:How many North Korean soldiers died? Trump talks to Kim about Russia's war\n\n"
            "North Korean soldiers died in Kursk\n\n"
            "Around 600 North Korean soldiers have been killed and thousands more wounded fighting "
            "for Russia, according to Lee, citing the South Korean intelligence service."
        ),
    }
]


def test_a_teaser_or_crosshead_that_repeats_the_question_is_never_the_answer(make_index, embedder):
    searcher = Searcher.open(make_index(TEASER_ARTICLES), embedder)
    answer = searcher.search("how many NK soldiers died?", limit=5)
    assert [hit.text[:30] for hit in answer.results] == ["Around 600 North Korean soldie"]
    assert answer.results[0].source == "AFP"


def test_a_rebuild_after_a_pipeline_change_says_why_every_article_is_new(
    make_index, embedder, tmp_path, monkeypatch
):
    settings = make_index()
    monkeypatch.setattr(build, "PIPELINE_VERSION", build.PIPELINE_VERSION + 1)
    result = CliRunner().invoke(
        cli,
        ["index", "build", str(tmp_path / "articles"), "--index", str(settings.index_dir), "-q"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 0, result.output
    assert "4 new, 0 updated" in result.output
    assert "every article was read again and counts as new: this newsdesk cleans or splits" in result.output


def test_a_pipeline_change_reuses_every_unchanged_sentence_s_vector(
    make_index, embedder, tmp_path, monkeypatch
):
    settings = make_index()
    folder = tmp_path / "articles"
    monkeypatch.setattr(build, "PIPELINE_VERSION", build.PIPELINE_VERSION + 1)
    report = build_index(settings, [folder], embedder=embedder, quiet=True)
    assert report.articles_new == 4  # every article re-split under the new pipeline
    assert report.reread_reason == "this newsdesk cleans or splits articles differently"
    assert (report.sentences_embedded, report.sentences_reused) == (0, report.sentences_total)
    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text.startswith("Around 600 North Korean soldiers")
