"""Damaged index files, unwritable paths and bad bytes: one line that says what is wrong and what to do.

Each damage is done to a copy of a real index (real model, FAISS, SQLite) built once per module.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from conftest import NK_SENTENCE
from slack_requests import APP_TOKEN, BOT_TOKEN

from bot.cli import cli
from index.vectors import IndexSpec, VectorIndex
from index.versions import DB_NAME, META_NAME, VECTORS_NAME, current_version

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "articles"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    index = tmp_path_factory.mktemp("built") / "index"
    result = CliRunner().invoke(
        cli, ["index", "build", str(SAMPLES), "--index", str(index), "--quiet"], obj={"embedder": embedder}
    )
    assert result.exit_code == 0, result.output
    return index


@pytest.fixture
def index(built_index: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sample index, to damage."""
    copy = tmp_path / "index"
    shutil.copytree(built_index, copy, symlinks=True)
    return copy


def version_of(index: Path) -> Path:
    version = current_version(index)
    assert version is not None
    return version


def edit_meta(index: Path, change: Callable[[dict], object]) -> None:
    path = version_of(index) / META_NAME
    meta = json.loads(path.read_text())
    replaced = change(meta)
    path.write_text(json.dumps(meta if replaced is None else replaced))


def zero(path: Path) -> None:
    path.write_bytes(b"\0" * path.stat().st_size)


def truncate(path: Path, keep: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(keep)


DAMAGES: dict[str, tuple[Callable[[Path], object], str, str]] = {
    # name: (damage the index, the file the message must name, what it must say is wrong)
    "db truncated": (lambda i: truncate(version_of(i) / DB_NAME, 20_000), DB_NAME, "malformed"),
    "db zeroed": (lambda i: zero(version_of(i) / DB_NAME), DB_NAME, "not a database"),
    "db not a database": (
        lambda i: (version_of(i) / DB_NAME).write_text("These are my notes.\n"),
        DB_NAME,
        "not a database",
    ),
    "db empty": (lambda i: truncate(version_of(i) / DB_NAME, 0), DB_NAME, "not a newsdesk index"),
    "db missing": (lambda i: (version_of(i) / DB_NAME).unlink(), DB_NAME, "missing"),
    "vectors missing": (lambda i: (version_of(i) / VECTORS_NAME).unlink(), VECTORS_NAME, "missing"),
    "vectors truncated": (lambda i: truncate(version_of(i) / VECTORS_NAME, 1_000), VECTORS_NAME, ""),
    "vectors zeroed": (lambda i: zero(version_of(i) / VECTORS_NAME), VECTORS_NAME, "FAISS index"),
    "build.json not JSON": (
        lambda i: (version_of(i) / META_NAME).write_text("{model: minilm"),
        META_NAME,
        "not valid JSON",
    ),
    "build.json a list": (lambda i: edit_meta(i, lambda m: [m]), META_NAME, "a JSON list, not an object"),
    "build.json missing keys": (
        lambda i: edit_meta(i, lambda m: {"created": m["created"]}),
        META_NAME,
        'lacks "model", "dimension", "index"',
    ),
    "build.json wrong types": (
        lambda i: edit_meta(i, lambda m: m.update(index="flat")),
        META_NAME,
        '"index" is a string, not an object',
    ),
    "build.json dimension a string": (
        lambda i: edit_meta(i, lambda m: m.update(dimension="384")),
        META_NAME,
        '"dimension" is a string, not a number',
    ),
    "build.json recall a string": (
        lambda i: edit_meta(i, lambda m: m.update(recall_at_10="0.95")),
        META_NAME,
        '"recall_at_10" is a string, not a number',
    ),
    "build.json recall over 1": (
        lambda i: edit_meta(i, lambda m: m.update(recall_at_10=95)),
        META_NAME,
        '"recall_at_10" is 95, not a share between 0 and 1',
    ),
    "build.json deeply nested": (
        lambda i: (version_of(i) / META_NAME).write_text("[" * 100_000 + "]" * 100_000),
        META_NAME,
        "not valid JSON",
    ),
    "build.json missing": (lambda i: (version_of(i) / META_NAME).unlink(), META_NAME, "missing"),
}
COMMANDS = {
    "ask": ["ask", "how many NK soldiers died?"],
    "stats": ["index", "stats"],
    "add": ["index", "add", str(SAMPLES), "--quiet"],
}
SLACK_ENV = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_APP_TOKEN": APP_TOKEN,
    # Nothing listens here: serve must stop on the index before it tries Slack.
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
}


def assert_one_line(result: Result, *expected: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for text in expected:
        assert text in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [*COMMANDS, "serve"])
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_is_one_line_naming_the_file_and_the_way_out(run, index, damage, command):
    do_damage, file_name, problem = DAMAGES[damage]
    do_damage(index)
    if command == "serve":
        result = run("serve", "--index", str(index), env=SLACK_ENV)
    else:
        result = run(*COMMANDS[command], "--index", str(index))
    line = assert_one_line(
        result, file_name, problem, f"newsdesk index check --index {index}", "newsdesk index build --fresh"
    )
    assert str(index) in line


def test_check_passes_a_sound_index(run, index):
    result = run("index", "check", "--index", str(index))
    assert result.exit_code == 0, result.output
    assert (
        "2 articles, 26 sentences, 26 answerable sentences, 26 fts rows, 26 headed vectors, 26 vectors"
        in (result.output)
    )
    assert "OK" in result.output


@pytest.mark.parametrize("damage", DAMAGES)
def test_check_lists_each_damage_and_exits_1(run, index, damage):
    do_damage, file_name, problem = DAMAGES[damage]
    do_damage(index)
    result = run("index", "check", "--index", str(index), "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is False
    assert any(file_name in p and problem in p for p in report["problems"]), report["problems"]


def swap_vector(index: Path, sentence_text: str, stray_id: int) -> int:
    """Drop the vector of one sentence and store one under an id SQLite does not have."""
    version = version_of(index)
    with sqlite3.connect(version / DB_NAME) as db:
        (sentence_id,) = db.execute("SELECT id FROM sentences WHERE text = ?", [sentence_text]).fetchone()
    meta = json.loads((version / META_NAME).read_text())
    vectors = VectorIndex.load(version / VECTORS_NAME, IndexSpec(**meta["index"]))
    moved = vectors.reconstruct([sentence_id])
    vectors.remove([sentence_id])
    vectors.add(moved, np.array([stray_id]))
    vectors.save(version / VECTORS_NAME)
    return int(sentence_id)


def test_check_names_vectors_without_a_sentence_and_sentences_without_a_vector(run, index):
    sentence_id = swap_vector(index, NK_SENTENCE, 999_999)
    result = run("index", "check", "--index", str(index))
    assert result.exit_code == 1
    assert "1 vectors for no answerable sentence (ids 999999)" in result.output
    assert f"1 answerable sentences without one (ids {sentence_id})" in result.output
    assert "newsdesk index build --fresh" in result.output


def test_ask_that_meets_a_missing_vector_names_the_file(run, index):
    swap_vector(index, NK_SENTENCE, 999_999)
    result = run("ask", "how many NK soldiers died?", "--index", str(index))
    assert_one_line(result, VECTORS_NAME, "has no vector for sentence", "newsdesk index check")


def test_check_names_sentences_missing_from_the_full_text_index(run, index):
    with sqlite3.connect(version_of(index) / DB_NAME) as db:
        row = db.execute("SELECT id, text, context FROM sentences WHERE text = ?", [NK_SENTENCE]).fetchone()
        db.execute(
            "INSERT INTO sentences_fts (sentences_fts, rowid, text, context) VALUES ('delete', ?, ?, ?)", row
        )
    result = run("index", "check", "--index", str(index))
    assert result.exit_code == 1
    assert f"full-text index: 1 sentences not in it (ids {row[0]})" in result.output


def test_check_names_sentences_without_a_headed_vector(run, index):
    with sqlite3.connect(version_of(index) / DB_NAME) as db:
        (sentence_id,) = db.execute("SELECT id FROM sentences WHERE text = ?", [NK_SENTENCE]).fetchone()
        db.execute("DELETE FROM headed_vectors WHERE sentence_id = ?", [sentence_id])
    result = run("index", "check", "--index", str(index))
    assert result.exit_code == 1
    assert f"headed vectors: 1 answerable sentences without one (ids {sentence_id})" in result.output


def test_check_finds_damage_inside_the_database_file(run, index):
    path = version_of(index) / DB_NAME
    with open(path, "r+b") as handle:  # zero three pages in the middle; the header stays sound
        handle.seek(4096 * 8)
        handle.write(b"\0" * 4096 * 3)
    result = run("index", "check", "--index", str(index))
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert "Traceback" not in result.output


def test_check_names_another_model_and_wrong_counts(run, index):
    edit_meta(index, lambda m: m.update(model="other-model", sentences=3))
    report = json.loads(run("index", "check", "--index", str(index), "--json").output)
    assert any("built with model 'other-model'" in p for p in report["problems"])
    assert any("says 3 sentences, newsdesk.db holds 26" in p for p in report["problems"])


def test_check_names_a_dimension_the_model_does_not_make(run, index):
    edit_meta(index, lambda m: m.update(dimension=512))
    report = json.loads(run("index", "check", "--index", str(index), "--json").output)
    assert any("says 512 dimensions, the model makes 384" in p for p in report["problems"])
    assert any("holds 384-dimension vectors where build.json says 512" in p for p in report["problems"])


def test_build_fresh_mends_a_damaged_index(run, index):
    DAMAGES["build.json not JSON"][0](index)
    damaged = version_of(index)
    plain = run("index", "build", str(SAMPLES), "--index", str(index), "--quiet")
    assert_one_line(plain, "not valid JSON", "index build --fresh")
    assert version_of(index) == damaged
    fresh = run("index", "build", "--fresh", str(SAMPLES), "--index", str(index), "--quiet", "--json")
    assert fresh.exit_code == 0, fresh.output
    assert json.loads(fresh.output)["sentences_reused"] == 0
    assert version_of(index) != damaged
    assert run("index", "check", "--index", str(index)).exit_code == 0
    answer = json.loads(run("ask", "how many NK soldiers died?", "--index", str(index), "--json").output)
    assert answer["results"][0]["text"] == NK_SENTENCE


def test_build_fresh_that_fails_leaves_the_served_index_alone(run, index, tmp_path):
    served = version_of(index)
    (tmp_path / "empty").mkdir()
    result = run("index", "build", "--fresh", str(tmp_path / "empty"), "--index", str(index), "--quiet")
    assert result.exit_code == 1
    assert "the index was not changed" in result.output
    assert version_of(index) == served
    assert run("index", "check", "--index", str(index)).exit_code == 0


def test_index_under_a_regular_file_is_one_line(run, tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run("index", "build", str(SAMPLES), "--index", str(tmp_path / "notes.txt" / "index"), "--quiet")
    assert_one_line(
        result, f"Cannot write the index at {tmp_path / 'notes.txt' / 'index'}", "Not a directory"
    )


def test_index_setting_naming_a_file_is_one_line(run, tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run(
        "index", "build", str(SAMPLES), "--quiet", env={"NEWSDESK_INDEX": str(tmp_path / "notes.txt")}
    )
    assert_one_line(result, "Cannot write the index at", "--index folder you can write to")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_index_in_a_folder_without_write_permission_is_one_line(run, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run("index", "build", str(SAMPLES), "--index", str(locked / "index"), "--quiet")
    finally:
        locked.chmod(0o700)
    assert_one_line(result, "Cannot write the index at", "Permission denied")


def test_feedback_export_to_a_missing_folder_is_one_line_and_creates_nothing(run, tmp_path):
    target = tmp_path / "no" / "such" / "votes.jsonl"
    result = run("feedback", "export", str(target), "--index", str(tmp_path / "index"))
    assert_one_line(result, f"the folder {target.parent} does not exist", "Create it first")
    assert not (tmp_path / "no").exists()


def test_feedback_export_from_a_damaged_feedback_db_is_one_line(run, tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "feedback.db").write_text("not a database")
    result = run("feedback", "export", str(tmp_path / "votes.jsonl"), "--index", str(tmp_path / "index"))
    assert_one_line(result, "feedback.db: not a readable feedback database", "Move it aside")


def test_ask_file_skips_a_line_that_is_not_utf8_and_answers_the_rest(run, built_index):
    questions = b"how many NK soldiers died?\ncaf\xe9 au lait?\n\nhow many NK soldiers died? \xff\n"
    result = run("ask", "--file", "-", "--json", "--index", str(built_index), input=questions)
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["results"][0]["text"] == NK_SENTENCE
    assert lines[1] == {"line": 2, "question": "", "error": lines[1]["error"]}
    assert "byte 0xe9 at column 4 is not UTF-8" in lines[1]["error"]
    assert lines[2]["line"] == 4 and "byte 0xff at column 28" in lines[2]["error"]
    assert len(lines) == 3


def test_ask_file_names_bad_lines_by_number_on_the_terminal(run, built_index, tmp_path):
    path = tmp_path / "questions.txt"
    path.write_bytes(b"\xef\xbb\xbfhow many NK soldiers died?\n\x80\n")
    result = run("ask", "--file", str(path), "--index", str(built_index))
    assert result.exit_code == 1
    assert NK_SENTENCE in result.output
    assert "Error on line 2: byte 0x80 at column 1 is not UTF-8" in result.output
    assert "Traceback" not in result.output


def test_a_question_with_a_byte_that_is_not_utf8_is_one_line(run, built_index):
    # What Python makes of the command-line bytes b"caf\xe9": a lone surrogate for the bad byte.
    result = run("ask", "caf\udce9?", "--index", str(built_index))
    assert_one_line(result, "byte 0xe9 (at character 4), which is not UTF-8")


def test_a_quote_to_check_with_a_byte_that_is_not_utf8_is_one_line(run, built_index):
    result = run("check", "caf\udce9 au lait", "--index", str(built_index))
    assert_one_line(result, "The quote holds byte 0xe9 (at character 4)")


def test_an_earlier_question_with_a_byte_that_is_not_utf8_is_one_line(run, built_index):
    result = run("ask", "--after", "caf\udce9?", "and the tea?", "--index", str(built_index))
    assert_one_line(result, "byte 0xe9 (at character 4), which is not UTF-8")


def test_the_installed_command_refuses_a_non_utf8_argument_in_one_line(tmp_path):
    command = Path(sys.executable).parent / "newsdesk"
    env = {**os.environ, "NEWSDESK_INDEX": str(tmp_path / "index"), "LC_ALL": "C.UTF-8"}
    done = subprocess.run(
        [str(command), "ask", b"caf\xe9?"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: The question holds byte 0xe9 (at character 4), which is not UTF-8 text: set your "
        "terminal to UTF-8 and type the question again."
    ]


def test_ivf_vectors_list_their_ids_and_pass_a_glance(tmp_path):
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((2_000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(5, 2_005, dtype=np.int64)
    spec = IndexSpec("ivf-sq8", nlist=16, nprobe=4)
    path = tmp_path / "versions" / "v1" / VECTORS_NAME
    path.parent.mkdir(parents=True)
    VectorIndex.build(vectors, ids, spec).save(path)
    loaded = VectorIndex.load(path, spec)
    assert sorted(loaded.ids().tolist()) == ids.tolist()
    assert VectorIndex.glance(path, spec, 2_000, 16) == ""
    assert "not a flat FAISS index" in VectorIndex.glance(path, IndexSpec("flat"), 2_000, 16)
    truncate(path, 10_000)
    assert "too few for 2,000 vectors" in VectorIndex.glance(path, spec, 2_000, 16)


def test_serve_port_out_of_range_is_a_usage_line(run):
    result = run("serve", "--http", "--port", "70000")
    assert result.exit_code == 2
    assert "70000 is not in the range 1<=x<=65535" in result.output


def test_a_port_out_of_range_in_the_environment_is_one_line(run, monkeypatch):
    monkeypatch.setenv("PORT", "70000")
    result = run("serve", "--http")
    assert result.exit_code == 1
    assert "PORT must be a TCP port, 1 to 65535; got 70000." in result.output
    assert "Traceback" not in result.output
