"""`newsdesk eval` on a tiny real index and a QA file written here: exact metric values."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import NK_SENTENCE

from bot.cli import cli
from index.errors import NewsdeskError
from index.evaluate import QAItem, evaluate, read_qa
from index.search import Searcher

FED_SENTENCE = (
    "The Federal Reserve held its benchmark interest rate steady on Wednesday at a range "
    "of 5.25% to 5.5%, the highest level in 23 years."
)
QUESTIONS = [
    {"question": "how many NK soldiers died?", "answer": "600"},
    {"question": "what interest rate range did the Federal Reserve hold?", "expected": FED_SENTENCE},
    {"question": "how many homes lost power in Florida?", "answer": ["280,000", "two million"]},
    {
        "question": "how many NK soldiers died?",
        "expected": "Pyongyang in April confirmed for the "
        "first time that it had deployed troops to support Russia's war in Ukraine.",
    },
    {"question": "who won the chess olympiad?", "expected": "Nobody indexed this sentence."},
    {"question": "what recipe won the baking championship in Paris?", "answerable": False},
    {"question": "how tall is the new lighthouse on Guernsey?", "answerable": False},
]


@pytest.fixture
def qa_file(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def searcher(make_index, embedder):
    return Searcher.open(make_index(), embedder)


def test_metrics_are_exact(searcher, qa_file):
    report = evaluate(searcher, read_qa(qa_file))
    assert (report.questions, report.answerable, report.unanswerable) == (7, 5, 2)
    # Ranks of the first right sentence: 1, 1, 1, 3, none.
    assert report.mrr == round((1 + 1 + 1 + 1 / 3 + 0) / 5, 4)
    assert report.p_at_1 == 0.6
    assert report.r_at_3 == report.r_at_5 == report.r_at_10 == 0.8
    assert report.no_answer_accuracy == 1.0
    assert report.false_refusal_rate == 0.2
    # The one refused answerable question had no right sentence anyway, so what ask shows is the same.
    assert (report.ask_mrr, report.ask_p_at_1, report.ask_r_at_3) == (report.mrr, 0.6, 0.8)
    assert [(m.question, m.rank) for m in report.misses] == [
        ("who won the chess olympiad?", None),
        ("how many NK soldiers died?", 3),
    ]
    assert report.misses[1].first == NK_SENTENCE
    assert report.wrongly_answered == ()
    assert 0 < report.latency_p50_ms <= report.latency_p95_ms


def test_eval_command_reports_json(embedder, make_index, qa_file):
    settings = make_index()
    result = CliRunner().invoke(
        cli,
        ["eval", str(qa_file), "--index", str(settings.index_dir), "--json", "--quiet"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["p_at_1"] == 0.6
    assert report["no_answer_accuracy"] == 1.0
    assert report["misses"][0]["expected"] == "Nobody indexed this sentence."


def test_eval_command_prints_a_summary_and_the_misses(embedder, make_index, qa_file):
    settings = make_index()
    result = CliRunner().invoke(
        cli, ["eval", str(qa_file), "--index", str(settings.index_dir), "--quiet"], obj={"embedder": embedder}
    )
    assert result.exit_code == 0, result.output
    assert "P@1:            0.600" in result.output
    assert "Q: who won the chess olympiad? (not in top 10; refused: " in result.output
    assert "as ask shows:   MRR 0.667, P@1 0.600, R@3 0.800 (a refusal is a miss)" in result.output


def test_answer_strings_match_whole_words_ignoring_case():
    item = QAItem("q", answers=("600",))
    assert item.is_answered_by("Around 600 soldiers died.")
    assert not item.is_answered_by("Around 1600 soldiers died.")
    assert QAItem("q", answers=("north korea",)).is_answered_by("North Korea said so.")
    assert QAItem("q", expected=("A  b.",)).is_answered_by("a b.")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"expected": "x"}', '"question" string'),
        ('{"question": "q"}', "exactly one of"),
        ('{"question": "q", "answer": "a", "answerable": false}', "exactly one of"),
        ('{"question": "q", "answer": ""}', "non-empty string"),
    ],
)
def test_a_bad_line_is_named(tmp_path, line, message):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"question": "fine?", "answer": "yes"}\n' + line + "\n")
    with pytest.raises(NewsdeskError, match=message) as error:
        read_qa(path)
    assert f"{path}:2" in str(error.value)
