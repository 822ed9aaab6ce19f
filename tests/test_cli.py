"""The `newsdesk` command as a user runs it, on the bundled sample articles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NK_SENTENCE, write_article

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "articles"


@pytest.fixture
def sample_index(run, tmp_path) -> Path:
    index = tmp_path / "index"
    result = run("index", "build", str(SAMPLES), "--index", str(index), "--quiet")
    assert result.exit_code == 0, result.output
    return index


def test_example_question_on_the_sample_data(run, sample_index):
    result = run("ask", "how many NK soldiers died?", "--index", str(sample_index), "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["answered"] is True
    first = answer["results"][0]
    assert first["text"] == NK_SENTENCE
    assert first["source"] == "AFP"
    assert first["date"] == "2025-06-26"
    assert first["citation"] == f'"{NK_SENTENCE}" (AFP, June 26, 2025, attributed to Lee Seong-kweun)'
    assert first["attribution"] == {
        "speaker": "Lee Seong-kweun",
        "cue": "according to",
        "citing": "South Korean intelligence service",
    }


def test_terminal_answer_shows_outlet_date_and_citation(run, sample_index):
    result = run("ask", "how many NK soldiers died?", "--index", str(sample_index), "-k", "2")
    assert result.exit_code == 0, result.output
    assert NK_SENTENCE in result.output
    assert "AFP · June 26, 2025" in result.output
    assert "cite: " in result.output


def test_questions_from_stdin_give_one_json_object_a_line(run, sample_index):
    questions = "how many NK soldiers died?\n\nwhat rocket launchers did North Korea ship?\n"
    result = run("ask", "--file", "-", "--json", "-k", "3", "--index", str(sample_index), input=questions)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["question"] for line in lines] == [
        "how many NK soldiers died?",
        "what rocket launchers did North Korea ship?",
    ]
    second = next(r for r in lines[1]["results"] if "240mm rocket launchers" in r["text"])
    assert second["source"] == "The New Indian Express"
    assert second["date"] is None


def test_stats_describe_the_sample_index(run, sample_index):
    result = run("index", "stats", "--index", str(sample_index), "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["articles"] == 2
    assert stats["outlets"] == {"AFP": 1, "The New Indian Express": 1}
    assert stats["date_min"] == stats["date_max"] == "2025-06-26"
    assert stats["undated_articles"] == 1
    assert stats["model"].startswith("sentence-transformers/all-MiniLM-L6-v2 + news adapter ")
    assert stats["index_type"].startswith("flat")


def test_ask_without_an_index_says_how_to_build_one(run, tmp_path):
    result = run("ask", "anything?", "--index", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert "newsdesk index build" in result.output


@pytest.mark.parametrize("question", ["", "x" * 10_240])
def test_empty_or_huge_question_gets_a_clear_message(run, sample_index, question):
    result = run("ask", question, "--index", str(sample_index))
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert "Traceback" not in result.output


def test_build_with_a_broken_file_indexes_the_rest_and_exits_non_zero(run, tmp_path):
    folder = tmp_path / "articles"
    write_article(
        folder,
        "good.txt",
        {
            "title": "Dam opens",
            "source": "AP",
            "date": "2024-02-02",
            "text": "The new dam opened on Friday after six years of work.",
        },
    )
    (folder / "broken.jsonl").write_text('{"title": "A", "text": "Fine."}\n{not json}\n')
    result = run("index", "build", str(folder), "--index", str(tmp_path / "index"), "--quiet")
    assert result.exit_code == 1
    assert "broken.jsonl:2" in result.output
    assert "2 articles" in result.output or "articles" in result.output
    stats = json.loads(run("index", "stats", "--index", str(tmp_path / "index"), "--json").output)
    assert stats["articles"] == 2


def test_remove_without_a_target_is_a_usage_error(run, sample_index):
    result = run("index", "remove", "--index", str(sample_index))
    assert result.exit_code == 2


def test_the_installed_command_answers_in_a_fresh_process(sample_index):
    command = Path(sys.executable).parent / "newsdesk"
    env = {**os.environ, "NEWSDESK_INDEX": str(sample_index)}
    done = subprocess.run(
        [str(command), "ask", "how many NK soldiers died?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert NK_SENTENCE in done.stdout
    assert "AFP · June 26, 2025" in done.stdout


def test_feedback_export_writes_each_vote_as_a_json_line(run, tmp_path):
    from index.feedback import FeedbackStore

    index = tmp_path / "index"
    store = FeedbackStore(index / "feedback.db")
    store.record(
        question="how many NK soldiers died?",
        vote="up",
        results=[{"sentence_id": 7}],
        user="U1",
        channel="C1",
    )
    store.record(question="who won?", vote="down", results=[], user="U2", channel="D2")
    out = tmp_path / "votes.jsonl"
    result = run("feedback", "export", str(out), "--index", str(index))
    assert result.exit_code == 0, result.output
    votes = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(v["question"], v["vote"], v["user"]) for v in votes] == [
        ("how many NK soldiers died?", "up", "U1"),
        ("who won?", "down", "U2"),
    ]
    assert votes[0]["results"] == [{"sentence_id": 7}]


def test_terminal_answer_says_who_said_it_under_the_quote(run, sample_index):
    result = run("ask", "how many NK soldiers died?", "--index", str(sample_index), "-k", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    quote = next(i for i, line in enumerate(lines) if NK_SENTENCE in line)
    assert lines[quote + 1] == (
        "   attributed to: Lee Seong-kweun (“according to”), citing South Korean intelligence service"
    )


def test_ask_for_one_speaker_with_said_or_what_did_they_say(run, sample_index):
    for question in ("what did Lee say about weapons?", "how many soldiers died? said:Lee"):
        result = run("ask", question, "--index", str(sample_index), "--json", "-k", "5")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.output)
        assert answer["answered"] is True, answer
        assert answer["results"]
        assert {r["attribution"]["speaker"] for r in answer["results"]} == {"Lee Seong-kweun"}
    shoigu = json.loads(
        run("ask", "troops said:Lee said:Shoigu", "--index", str(sample_index), "--json").output
    )
    assert shoigu["results"] == []
