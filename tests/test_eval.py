"""`newsdesk eval` on a tiny real index and a QA file written here: exact metric values."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import NK_SENTENCE

from bot.cli import cli
from index.errors import NewsdeskError
from index.evaluate import QAItem, evaluate, read_qa

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


def test_metrics_are_exact(searcher, qa_file):
    report = evaluate(searcher, read_qa(qa_file))
    assert (report.questions, report.answerable, report.unanswerable) == (7, 5, 2)
    # Ranks of the first right sentence: 1, 1, 1, 3, none.
    assert report.mrr == round((1 + 1 + 1 + 1 / 3 + 0) / 5, 4)
    assert report.p_at_1 == 0.6
    assert report.r_at_3 == report.r_at_5 == report.r_at_10 == 0.8
    assert report.no_answer_accuracy == 1.0
    assert report.false_refusal_rate == 0.2
    # The one refused answerable question had no right sentence anyway; the NK question's right
    # third sentence (Pyongyang's) is under the display floor, so ask does not show it.
    assert (report.ask_mrr, report.ask_p_at_1, report.ask_r_at_3) == (0.6, 0.6, 0.6)
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
    assert "as ask shows:   MRR 0.600, P@1 0.600, R@3 0.600 (a refusal is a miss)" in result.output


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


MALFORMED = [
    b"caf\xe9 is not UTF-8",
    b'{"question": {"text": "nested?"}, "answer": "600"}',
    b'[{"question": "a list?", "answer": "600"}]',
    b'{"question": "how many?", "answer": ' + b"9" * 5000 + b"}",
    b'{"question": "deep?", "answer": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"question": "", "answer": "600"}',
    b'{"question": "' + b"long " * 1000 + b'", "answer": "600"}',
    b'{"question": "how many NK soldiers died? since:notadate", "answer": "600"}',
    b'{"question": "lone \\ud800 surrogate?", "answer": "600"}',
    b'{"question": "what?", "expected": [["nested"]]}',
    b'{"question": "huge float?", "answer": 1e999}',
]


def test_eval_skips_each_malformed_entry_by_line_and_scores_the_rest(embedder, make_index, tmp_path):
    good = [json.dumps(q).encode() for q in QUESTIONS]
    path = tmp_path / "qa.jsonl"
    # Good and bad lines alternate: good ones on odd lines, bad ones on even lines.
    lines = [line for pair in zip(good, MALFORMED, strict=False) for line in pair] + good[len(MALFORMED) :]
    path.write_bytes(b"\n".join(lines) + b"\n")
    settings = make_index()
    result = CliRunner().invoke(
        cli,
        ["eval", str(path), "--index", str(settings.index_dir), "--json", "--quiet"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output[: result.output.rindex("}") + 1])
    assert report["questions"] == len(QUESTIONS)
    assert report["p_at_1"] == 0.6
    skipped = {entry["line"]: entry["reason"] for entry in report["skipped"]}
    assert list(skipped) == [2, 4, 6, 8, 10, 12, 14]
    assert "byte 0xe9 at column 4 is not UTF-8" in skipped[2]
    assert '"question" string' in skipped[4] and '"question" string' in skipped[6]
    assert "not valid JSON" in skipped[8] and "not valid JSON (nested too deeply)" in skipped[10]
    assert "The question is empty" in skipped[12]
    assert "5,000 characters long" in skipped[14]
    assert f"{path}:2: byte 0xe9" in result.output


def test_eval_names_bad_filters_surrogates_and_types_on_the_terminal(embedder, make_index, tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_bytes(b"\n".join([json.dumps(QUESTIONS[0]).encode(), *MALFORMED[7:]]) + b"\n")
    settings = make_index()
    result = CliRunner().invoke(
        cli, ["eval", str(path), "--index", str(settings.index_dir), "--quiet"], obj={"embedder": embedder}
    )
    assert result.exit_code == 1, result.output
    assert "questions:      1 (1 answerable, 0 unanswerable)" in result.output
    assert "4 malformed entries skipped:" in result.output
    assert f'{path}:2: "question": `since:notadate` is not a date I can read' in result.output
    assert f'{path}:3: "question" holds a lone surrogate (\\ud800)' in result.output
    assert f'{path}:4: "expected" must be a non-empty string' in result.output
    assert f'{path}:5: "answer" must be a non-empty string' in result.output
    assert "Traceback" not in result.output


def test_a_file_of_nothing_but_bad_lines_is_one_line(embedder, tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_bytes(MALFORMED[0] + b"\n" + MALFORMED[5] + b"\n")
    result = CliRunner().invoke(
        cli, ["eval", str(path), "--index", str(tmp_path)], obj={"embedder": embedder}
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {path} holds no questions (line 1: byte 0xe9 at column 4 is not UTF-8); write one JSON "
        'object a line, e.g. {"question": "how many NK soldiers died?", "answer": "600"}.'
    ]
