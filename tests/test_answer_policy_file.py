"""A model folder's answer_policy.json: the no-answer thresholds fitted to that model's cosines."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import NEWS_ARTICLES, NK_SENTENCE

from index.answer_policy import POLICY_FILE, AnswerPolicy
from index.build import build_index
from index.config import BUNDLED_MODEL, Settings
from index.embedder import Embedder, bundled_model_path
from index.errors import NewsdeskError
from index.search import Searcher

QUESTION = "how many NK soldiers died?"


def _model_folder(tmp_path: Path) -> Path:
    """The bundled weights under another folder name, so a policy file can sit beside them."""
    folder = tmp_path / "newsroom-minilm"
    folder.mkdir()
    for item in bundled_model_path().iterdir():
        (folder / item.name).symlink_to(item)
    return folder


def test_the_model_folders_thresholds_decide_what_is_answered(tmp_path, write_articles):
    folder = _model_folder(tmp_path)
    settings = Settings(index_dir=tmp_path / "index", model_path=str(folder))
    model = Embedder(settings)
    build_index(settings, [write_articles(NEWS_ARTICLES)], embedder=model, quiet=True)

    answered = Searcher.open(settings, model).search(QUESTION)
    assert answered.answered
    assert answered.results[0].text == NK_SENTENCE

    (folder / POLICY_FILE).write_text(json.dumps({"min_answer_cosine": 0.95, "confident_cosine": 0.99}))
    strict = Searcher.open(settings, model)
    assert strict.policy.min_answer_cosine == 0.95
    refused = strict.search(QUESTION)
    assert not refused.answered
    assert refused.results == ()
    assert "too weak" in refused.refusal_reason


def test_no_file_or_no_folder_means_the_defaults(tmp_path):
    assert AnswerPolicy.for_model(None) == AnswerPolicy()
    assert AnswerPolicy.for_model(str(tmp_path)) == AnswerPolicy()


def test_the_bundled_weights_alone_keep_the_answer_floor_fitted_to_them():
    bundled = AnswerPolicy.for_model(BUNDLED_MODEL)
    assert (bundled.min_answer_cosine, AnswerPolicy().min_answer_cosine) == (0.40, 0.35)
    assert (bundled.min_shown_cosine, AnswerPolicy().min_shown_cosine) == (0.35, 0.30)
    assert replace(bundled, min_answer_cosine=0.35, min_shown_cosine=0.30) == AnswerPolicy()


def test_a_file_sets_only_what_it_names(tmp_path):
    (tmp_path / POLICY_FILE).write_text('{"min_answer_cosine": 0.3}')
    policy = AnswerPolicy.for_model(str(tmp_path))
    assert policy.min_answer_cosine == 0.3
    assert policy.confident_cosine == AnswerPolicy().confident_cosine


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"min_answer_cosin": 0.35}', "'min_answer_cosin' is not a threshold"),
        ('{"min_answer_cosine": "0.35"}', "min_answer_cosine must be a number from 0 to 1"),
        ('{"min_answer_cosine": 3.5}', "min_answer_cosine must be a number from 0 to 1"),
        ("[0.35]", "must hold a JSON object"),
        ("{0.35", "Cannot read"),
    ],
)
def test_a_bad_file_is_named_with_what_is_wrong(tmp_path, content, message):
    (tmp_path / POLICY_FILE).write_text(content)
    with pytest.raises(NewsdeskError, match=message) as raised:
        AnswerPolicy.for_model(str(tmp_path))
    assert str(tmp_path / POLICY_FILE) in str(raised.value)
