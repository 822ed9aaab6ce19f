"""Figures over time end to end: `ask --json`, the terminal and a Slack mention, over a real index
holding the same subject's figure at two dates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import NEWS_ARTICLES, NK_SENTENCE
from slack_fixtures import *  # noqa: F403 (the fixtures: bot, fake, http_bot, news_index)
from slack_fixtures import build, make_bot
from slack_requests import event_request, mention

from bot import messages
from bot.cli import cli
from index.build import build_index
from index.config import Settings
from index.embedder import Embedder
from index.figures import FigurePolicy
from index.search import Searcher

OLDER_SENTENCE = (
    "About 100 North Korean soldiers have been killed fighting for Russia, a South Korean lawmaker "
    "said, citing the spy agency."
)
LISBON_OLDER = "The Lisbon funicular crash killed 16 people on Wednesday evening, officials said."
LISBON_NEWER = "The toll of the Lisbon funicular crash rose to 17 people killed, officials said on Saturday."
FIGURE_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "North Korean soldiers killed fighting for Russia, Seoul says",
        "source": "Yonhap",
        "date": "2024-12-19",
        "url": "https://example.com/yonhap/nk-killed",
        "text": (
            "North Korea sent troops to Russia to help it fight Ukraine, a South Korean lawmaker said.\n\n"
            f"{OLDER_SENTENCE}\n\n"
            "The lawmaker said the North Korean soldiers lacked experience of drone warfare."
        ),
    },
    {
        "title": "Lisbon funicular crash kills 16",
        "source": "Reuters",
        "date": "2025-09-04",
        "url": "https://example.com/reuters/lisbon",
        "text": (
            f"{LISBON_OLDER}\n\n"
            "The Gloria funicular, a tourist favourite, left its tracks and hit a building."
        ),
    },
    {
        "title": "Lisbon funicular crash toll rises",
        "source": "AP",
        "date": "2025-09-06",
        "url": "https://example.com/ap/lisbon",
        "text": (
            f"{LISBON_NEWER}\n\n"
            "Investigators are examining a cable that connects the two cars of the Gloria funicular."
        ),
    },
    *NEWS_ARTICLES,
]
QUESTION = "how many NK soldiers died?"


@pytest.fixture(scope="module")
def figure_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    root = tmp_path_factory.mktemp("figures")
    return build(root / "articles", FIGURE_ARTICLES, embedder, root / "index")


def ask(embedder: Embedder, settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["ask", QUESTION, "--index", str(settings.index_dir), *args], obj={"embedder": embedder}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_ask_json_gives_the_latest_figure_first_and_the_timeline(embedder, figure_index):
    answer = json.loads(ask(embedder, figure_index, "--json"))
    first = answer["results"][0]
    assert first["text"] == NK_SENTENCE
    assert first["figure"] == "Around 600"
    assert first["date"] == "2025-06-26"
    older = next(r for r in answer["results"] if r["text"] == OLDER_SENTENCE)
    assert older["figure"] == "About 100"
    assert [(e["date"], e["figure"], e["source"]) for e in answer["timeline"]] == [
        ("2024-12-19", "About 100", "Yonhap"),
        ("2025-06-26", "Around 600", "AFP"),
    ]
    assert answer["timeline"][0]["text"] == OLDER_SENTENCE
    assert answer["timeline"][1]["sentence_id"] == first["sentence_id"]


def test_the_newest_answering_sentence_comes_first_even_when_an_older_one_ranks_higher(
    embedder, figure_index
):
    question = "how many people were killed in the Lisbon funicular crash?"
    searcher = Searcher.open(figure_index, embedder)
    unordered = Searcher(
        figure_index, embedder, searcher._loaded, figure_policy=FigurePolicy(newest_margin=-1)
    )
    assert unordered.search(question).results[0].text == LISBON_OLDER
    answer = searcher.search(question)
    assert [(hit.text, hit.figure) for hit in answer.results[:2]] == [
        (LISBON_NEWER, "17"),
        (LISBON_OLDER, "16"),
    ]
    assert [(e.date.isoformat(), e.figure) for e in answer.timeline] == [
        ("2025-09-04", "16"),
        ("2025-09-06", "17"),
    ]


def test_a_question_without_a_figure_has_no_timeline(embedder, figure_index):
    result = CliRunner().invoke(
        cli,
        ["ask", "what did the Fed do with interest rates?", "--index", str(figure_index.index_dir), "--json"],
        obj={"embedder": embedder},
    )
    answer = json.loads(result.output)
    assert answer["timeline"] == []
    assert all(r["figure"] is None for r in answer["results"])


def test_terminal_shows_each_figure_and_how_it_changed(embedder, figure_index):
    output = ask(embedder, figure_index)
    assert "figure: Around 600" in output
    section = output.split("How this figure changed (oldest first):")[1]
    older, newer = (
        section.index("Dec. 19, 2024 · About 100 · Yonhap"),
        section.index("June 26, 2025 · Around 600 · AFP"),
    )
    assert older < newer
    assert OLDER_SENTENCE in section and NK_SENTENCE in section


def test_slack_reply_bolds_the_figure_and_shows_how_it_changed(embedder, figure_index, fake, tmp_path: Path):
    bot = make_bot(figure_index, embedder, fake, tmp_path)
    bot.send(event_request(mention(QUESTION)))
    post = fake.wait_for("chat.postMessage")[0]
    sections = [b["text"]["text"] for b in post.blocks() if b["type"] == "section"]
    assert sections[0].startswith("*Around 600*\n>Around *600* North Korean soldiers")
    timeline = next(s for s in sections if s.startswith(messages.TIMELINE_TITLE))
    lines = timeline.split("\n")[1:]
    assert lines[0] == "Dec. 19, 2024 · *About 100* · <https://example.com/yonhap/nk-killed|Yonhap>"
    assert lines[1] == f">{OLDER_SENTENCE}"
    assert lines[2] == "June 26, 2025 · *Around 600* · <https://example.com/afp/nk-troops|AFP>"
    assert lines[3] == f">{NK_SENTENCE}"


def test_the_sample_data_gives_the_600_sentence_first_with_its_figure_and_a_timeline(embedder, tmp_path):
    samples = Path(__file__).resolve().parents[1] / "data" / "articles"
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [samples], embedder=embedder, quiet=True)
    answer = json.loads(ask(embedder, settings, "--json"))
    assert (answer["results"][0]["text"], answer["results"][0]["figure"]) == (NK_SENTENCE, "Around 600")
    assert [(e["date"], e["figure"], e["source"]) for e in answer["timeline"]] == [
        ("2025-06-26", "Around 600", "AFP")
    ]
