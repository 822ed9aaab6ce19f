"""Quote check: word alignment (pure) and `newsdesk check` on real indexes (model, FAISS, SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import NEWS_ARTICLES, NK_SENTENCE

from index.quote_check import Difference, align, quotes_in, tokens
from index.search import Searcher

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "articles"
CLOSE_QUOTE = "About 600 North Korean soldiers have died fighting for Russia"
AFP_DEAL = (
    "Russia and North Korea signed a military deal last year, including a mutual defence clause, "
    "during a rare visit by Russian leader Vladimir Putin to the nuclear-armed North."
)
MADE_UP = "About 9,000 North Korean engineers have rebuilt the Kursk bridges for Moscow"


@pytest.fixture
def sample_index(run, tmp_path) -> Path:
    index = tmp_path / "index"
    result = run("index", "build", str(SAMPLES), "--index", str(index), "--quiet")
    assert result.exit_code == 0, result.output
    return index


def check_json(run, index: Path, quote: str) -> dict:
    result = run("check", quote, "--index", str(index), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- alignment (pure) ---------------------------------------------------------------------------


def test_changed_words_are_shown_quoted_to_published():
    found = align(tokens(CLOSE_QUOTE), tokens(NK_SENTENCE))
    assert found is not None
    assert found.differences == (
        Difference("About", "Around"),
        Difference("died", "been killed and thousands more wounded"),
    )
    assert NK_SENTENCE[found.start : found.end] == (
        "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for Russia"
    )


def test_quote_marks_curly_apostrophes_spacing_and_first_letter_case_are_no_difference():
    published = "Pyongyang in April confirmed that it had deployed troops to support Russia’s war in Ukraine."
    quoted = "  “pyongyang in April confirmed that it had deployed   troops to support Russia's war” "
    found = align(tokens(quoted), tokens(published))
    assert found is not None and found.exact


def test_a_word_left_out_of_the_quote_is_a_difference():
    found = align(tokens("600 North Korean soldiers have been killed fighting"), tokens(NK_SENTENCE))
    assert found is not None
    assert found.differences == (Difference("", "and thousands more wounded"),)


def test_words_left_out_at_an_ellipsis_are_no_difference():
    quoted = "Around 600 North Korean soldiers have been killed … fighting for Russia, according to Lee"
    found = align(tokens(quoted), tokens(NK_SENTENCE))
    assert found is not None and found.exact
    # Without the ellipsis, the same gap is a difference.
    found = align(tokens(quoted.replace(" …", "")), tokens(NK_SENTENCE))
    assert found is not None
    assert found.differences == (Difference("", "and thousands more wounded"),)


def test_quotes_in_a_message_are_the_passages_in_quote_marks_else_the_whole_text():
    message = 'Lee said “Around 600 North Korean soldiers have been killed” and "it is bad" today, ok?'
    assert quotes_in(message) == ["Around 600 North Korean soldiers have been killed", "it is bad"]
    assert quotes_in("Around 600 North Korean soldiers have been killed") == [
        "Around 600 North Korean soldiers have been killed"
    ]


# -- the command on the sample data (the "done when") ---------------------------------


def test_reworded_quote_is_close_with_the_afp_sentence_and_its_differences(run, sample_index):
    check = check_json(run, sample_index, CLOSE_QUOTE)
    assert check["quote"] == CLOSE_QUOTE
    assert check["verdict"] == "close"
    first = check["matches"][0]
    assert first["text"] == NK_SENTENCE
    assert first["source"] == "AFP"
    assert first["date"] == "2025-06-26"
    assert first["earliest"] is True
    assert first["differences"] == [
        {"quoted": "About", "published": "Around"},
        {"quoted": "died", "published": "been killed and thousands more wounded"},
    ]
    # The citation is of the published words the quote stands for, ready to paste.
    assert first["citation"] == (
        '"Around 600 North Korean soldiers have been killed and thousands more wounded fighting '
        'for Russia" (AFP, June 26, 2025)'
    )
    assert set(first) >= {
        "text", "source", "date", "url", "citation", "article_id", "sentence_id", "differences", "earliest",
    }  # fmt: skip


def test_the_published_sentence_is_exact(run, sample_index):
    check = check_json(run, sample_index, f"“{NK_SENTENCE}”")
    assert check["verdict"] == "exact"
    first = check["matches"][0]
    assert first["differences"] == []
    assert first["citation"] == f'"{NK_SENTENCE}" (AFP, June 26, 2025)'


def test_a_made_up_quote_is_not_found_and_no_match_is_offered(run, sample_index):
    check = check_json(run, sample_index, MADE_UP)
    assert check == {"quote": MADE_UP, "verdict": "not_found", "matches": []}


def test_a_fragment_is_exact_and_cited_as_published(run, sample_index):
    check = check_json(run, sample_index, "thousands more wounded fighting for Russia")
    assert check["verdict"] == "exact"
    assert check["matches"][0]["text"] == NK_SENTENCE
    assert check["matches"][0]["citation"] == (
        '"thousands more wounded fighting for Russia" (AFP, June 26, 2025)'
    )


def test_a_quote_over_two_sentences_is_found_in_both(run, sample_index):
    quote = f"{AFP_DEAL} Around 600 North Korean soldiers have been killed"
    check = check_json(run, sample_index, quote)
    assert check["verdict"] == "exact"
    assert check["matches"][0]["text"] == f"{AFP_DEAL} {NK_SENTENCE}"
    assert check["matches"][0]["citation"].startswith(f'"{AFP_DEAL} Around 600 North Korean')


def test_terminal_output_gives_verdict_differences_first_publication_and_citation(run, sample_index):
    result = run("check", CLOSE_QUOTE, "--index", str(sample_index))
    assert result.exit_code == 0, result.output
    assert "Close: the same sentence was published with other words" in result.output
    assert "AFP · June 26, 2025 · first published" in result.output
    assert "quoted `About` → published `Around`" in result.output
    assert 'cite: "Around 600 North Korean soldiers' in result.output


def test_terminal_output_says_plainly_when_a_quote_is_not_found(run, sample_index):
    result = run("check", MADE_UP, "--index", str(sample_index))
    assert result.exit_code == 0, result.output
    assert "Not found: no sentence in the 2 articles searched" in result.output
    assert "cite:" not in result.output


def test_a_too_short_quote_is_one_clear_error(run, sample_index):
    result = run("check", "Russia", "--index", str(sample_index))
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: A quote needs at least 3 words")


# -- several outlets ----------------------------------------------------------------------------


def test_every_outlet_that_carried_it_is_listed_with_the_earliest_marked(make_index, embedder):
    copies = [
        {
            "title": "Seoul says Pyongyang will send more troops",
            "source": "The Straits Times",
            "date": "2025-06-27",
            "url": "https://example.com/st/nk",
            "text": f"Seoul's spy agency briefed lawmakers on Thursday.\n\n{NK_SENTENCE}",
        },
        {
            "title": "Lawmaker: more North Korean troops headed to Russia",
            "source": "Korea Daily",
            "date": "2025-06-28",
            "url": "https://example.com/kd/nk",
            "text": (
                "A lawmaker spoke after a closed briefing.\n\nAround 600 North Korean soldiers have been "
                "killed and thousands more injured fighting for Russia, according to Lee."
            ),
        },
    ]
    settings = make_index([*copies, *NEWS_ARTICLES])
    quote = "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for Russia"
    check = Searcher.open(settings, embedder).check_quote(quote)
    assert check.verdict == "exact"
    outlets = [(m.source, m.date.isoformat() if m.date else None, m.earliest) for m in check.matches]
    # The exact copies first, oldest first; the edited copy after them, with what it changed.
    assert outlets == [
        ("AFP", "2025-06-26", True),
        ("The Straits Times", "2025-06-27", False),
        ("Korea Daily", "2025-06-28", False),
    ]
    assert check.matches[2].differences == (Difference("wounded", "injured"),)
