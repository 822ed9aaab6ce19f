"""`newsdesk model tune`: which questions it may learn from, and that it learns from them.

Tiny quiz, SQuAD and boundary files are written in the test in the data sets' own layouts; the
real bundled model is fine-tuned on them for a few steps.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.answer_policy import AnswerPolicy
from index.config import Settings
from index.embedder import Embedder, bundled_model_path
from index.errors import NewsdeskError
from index.news_adapter import adapted_model_folder
from index.tuning.adapter import make_adapter
from index.tuning.recipe import QUIZ_FILE, SQUAD_FILE, SQUAD_SENTENCES_FILE, TuneRecipe
from index.tuning.train import batches_without_repeats
from index.tuning.tune import tune_model

LEAKED_PASSAGE = (
    "The city council voted on Tuesday to close the old harbour bridge for repairs. "
    "Engineers said the work would take nine months."
)
SQUAD_FIRST = "The Nile flows north through eleven countries. It is about 6,650 kilometres long."
SQUAD_SECOND = "Mount Kenya is the second highest peak in Africa. Its summit is called Batian."


def _quiz_row(
    qid: str, date: str, question: str, evidence: str, choices: list[str], answer: int
) -> dict[str, Any]:
    return {
        "question_id": qid,
        "question_date": date,
        "question_sentence": question,
        "evidence": evidence,
        "choices": choices,
        "answer": [str(answer)],
    }


QUIZ = [
    _quiz_row(
        "q1",
        "2022/03/04",
        "Which country's central bank raised rates by half a point this week?",
        "Markets fell on Wednesday. <b>Canada</b>'s central bank raised its key rate by half a point. "
        "Analysts expect more rises this year.",
        ["Japan", "Canada", "Chile", "Norway"],
        1,
    ),
    _quiz_row(
        "q2",
        "2024-02-01",
        "Which team won the title in February 2024?",
        "The Rovers won the title after a late goal. Fans filled the streets.",
        ["Rovers", "United", "City", "Athletic"],
        0,
    ),
    _quiz_row(
        "q3",
        "2021/07/09",
        "How long will the harbour bridge repairs take?",
        LEAKED_PASSAGE,
        ["Two weeks", "Nine months", "A year", "Five years"],
        1,
    ),
    _quiz_row(
        "q4",
        "2023/11/20",
        "Which spacecraft landed near the moon's south pole?",
        "The Chandrayaan-3 lander touched down near the lunar south pole in August.",
        ["Artemis", "Luna-25", "Chandrayaan-3", "SLIM"],
        2,
    ),
    _quiz_row("q5", "2020/05/01", "What did the mayor announce?", "", ["A", "B", "C", "D"], 0),
]


def _write_gz(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def _squad_context(context: str, qid: str, question: str, answer: str) -> dict[str, Any]:
    start = context.index(answer)
    return {
        "context": context,
        "qas": [
            {
                "qid": qid,
                "question": question,
                "detected_answers": [{"text": answer, "char_spans": [[start, start + len(answer) - 1]]}],
            }
        ],
    }


def _boundaries(context: str, qid: str) -> list[dict[str, Any]]:
    second = context.index(". ") + 2
    return [
        {"candidate_id": f"SQuAD_{qid}/{n}", "response_start": start, "response_end": end}
        for n, (start, end) in enumerate([(0, second - 1), (second, len(context))])
    ]


@pytest.fixture
def training_data(tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    _write_gz(data / QUIZ_FILE, QUIZ)
    _write_gz(
        data / SQUAD_FILE,
        [
            {"header": {"dataset": "SQuAD", "split": "dev"}},
            _squad_context(SQUAD_FIRST, "s1", "How long is the Nile?", "6,650 kilometres"),
            _squad_context(SQUAD_SECOND, "s2", "What is the summit of Mount Kenya called?", "Batian"),
        ],
    )
    _write_gz(data / SQUAD_SENTENCES_FILE, _boundaries(SQUAD_FIRST, "s1") + _boundaries(SQUAD_SECOND, "s2"))
    articles = tmp_path / "eval-articles.jsonl"
    articles.write_text(
        json.dumps(
            {
                "url": "https://example.com/bridge",
                "title": "Bridge to close",
                "text": "After a long debate, " + LEAKED_PASSAGE.lower(),
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return {"data": data, "articles": articles}


SMALL_RECIPE = TuneRecipe(epochs=4, batch_size=4, learning_rate=1e-4, warmup_share=0.0)


def _margins(model: Embedder, triplets: list[dict[str, str]]) -> np.ndarray:
    anchors, positives, negatives = (
        model.encode([t[k] for t in triplets]) for k in ("anchor", "positive", "negative")
    )
    return np.sum(anchors * positives, axis=1) - np.sum(anchors * negatives, axis=1)


def test_tuning_learns_only_from_allowed_questions(tmp_path, training_data, bundled_embedder):
    out = tmp_path / "tuned"
    provenance = tune_model(
        training_data["data"],
        out,
        exclude_articles=[training_data["articles"]],
        recipe=SMALL_RECIPE,
        quiet=True,
    )

    triplets = [json.loads(line) for line in (out / "triplets.jsonl").read_text().splitlines()]
    anchors = {t["anchor"] for t in triplets}
    assert anchors == {
        "Which country's central bank raised rates by half a point this week?",
        "Which spacecraft landed near the moon's south pole?",
        "How long is the Nile?",
    }, "2024 questions, leaked passages, empty evidence and SQuAD's second half are never trained on"
    by_anchor = {t["anchor"]: t for t in triplets}
    assert by_anchor["Which country's central bank raised rates by half a point this week?"]["positive"] == (
        "Canada's central bank raised its key rate by half a point."
    )
    assert by_anchor["How long is the Nile?"]["negative"] == "The Nile flows north through eleven countries."
    lonely = by_anchor["Which spacecraft landed near the moon's south pole?"]
    assert lonely["negative_kind"] == "other_passage_nearest"
    assert "Chandrayaan-3" not in lonely["negative"]

    counts = provenance["counts"]
    assert counts["quiz_selection"]["asked_on_or_after_cut_off"] == 1
    assert counts["quiz_selection"]["no_evidence"] == 1
    assert counts["leakage"]["shares_words_with_excluded_article"] == 1
    assert counts["leakage"]["dropped"] == 1
    saved = json.loads((out / "provenance.json").read_text())
    assert saved["data"]["quiz"]["file"].endswith("qa_weekly_2020-2026.jsonl.gz")
    assert len(saved["data"]["quiz"]["sha256"]) == 64
    assert saved["recipe"]["learning_rate"] == 1e-4

    assert AnswerPolicy.for_model(str(out)).min_answer_cosine == 0.35
    assert saved["answer_policy"] == {"min_answer_cosine": 0.35}

    tuned = Embedder(Settings(model_path=str(out)))
    assert tuned.name == "tuned"
    assert tuned.max_seq_length == 256
    before, after = _margins(bundled_embedder, triplets), _margins(tuned, triplets)
    assert after.mean() > before.mean() + 0.02, (before, after)


def test_the_cli_writes_the_model_and_says_how_to_use_it(tmp_path, training_data, run):
    out = tmp_path / "models" / "newsroom-minilm"
    result = run("model", "tune", "--data", str(training_data["data"]), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert f"export NEWSDESK_MODEL={out}" in result.output
    assert "0 quiz questions dropped as leakage" in result.output  # nothing was excluded this time
    assert (out / "model.safetensors").is_file()
    assert not out.with_name("newsroom-minilm.partial").exists()

    again = run("model", "tune", "--data", str(training_data["data"]), "--out", str(out), "-q")
    assert again.exit_code != 0
    assert "already holds files" in again.output


def test_missing_data_is_named(tmp_path, run):
    (tmp_path / "data" / "realtimeqa").mkdir(parents=True)
    result = run("model", "tune", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "m"))
    assert result.exit_code != 0
    assert "qa_weekly_2020-2026.jsonl.gz" in result.output
    assert "SQuAD.dev.mrqa.jsonl.gz" in result.output


def test_a_broken_exclusion_file_is_named_with_its_line(tmp_path, training_data):
    broken = tmp_path / "questions.jsonl"
    broken.write_text('{"question": "ok", "expected": "Fine."}\nnot json\n', encoding="utf-8")
    with pytest.raises(NewsdeskError, match=r"questions\.jsonl:2 is not JSON"):
        tune_model(training_data["data"], tmp_path / "m", exclude_questions=[broken], quiet=True)
    assert not (tmp_path / "m").exists()


def test_batches_never_repeat_a_text_and_keep_every_triplet():
    shared = "A sentence two questions share."
    triplets = [
        {"anchor": f"q{i}", "positive": shared if i % 2 else f"p{i}", "negative": f"n{i}"} for i in range(10)
    ]
    batches = batches_without_repeats(triplets, 4, random.Random(8))
    for batch in batches:
        texts = [text for t in batch for text in (t["anchor"], t["positive"], t["negative"])]
        assert len(texts) == len(set(texts))
        assert len(batch) <= 4
    assert sorted(t["anchor"] for b in batches for t in b) == sorted(t["anchor"] for t in triplets)


def test_the_adapter_is_learnt_from_squad_alone_and_moves_the_model(
    tmp_path, training_data, bundled_embedder
):
    out = tmp_path / "adapter" / "news_adapter.safetensors"
    provenance = make_adapter(training_data["data"], out, recipe=SMALL_RECIPE, quiet=True)
    assert provenance["trained_on"].startswith("SQuAD triplets only")
    assert provenance["triplets"] == 1  # the first half of SQuAD's paragraphs: the Nile's
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["adapter_sha256"] == provenance["adapter_sha256"]
    assert out.stat().st_size < 2_000_000

    folder = adapted_model_folder(bundled_model_path(), tmp_path / "cache", out)
    triplets = [
        {
            "anchor": "How long is the Nile?",
            "positive": "It is about 6,650 kilometres long.",
            "negative": "The Nile flows north through eleven countries.",
        },
    ]
    before = _margins(bundled_embedder, triplets)
    after = _margins(Embedder(Settings(model_path=str(folder))), triplets)
    assert after.mean() > before.mean() + 0.02, (before, after)


def test_the_adapter_command_prints_its_checksum(tmp_path, training_data, run):
    out = tmp_path / "news_adapter.safetensors"
    result = run("model", "adapter", "--data", str(training_data["data"]), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert "SQuAD triplets: 1," in result.output
    assert json.loads(out.with_suffix(".json").read_text())["adapter_sha256"] in result.output
