"""The optional second stage: a second sentence encoder reorders the first stage's best sentences.

The bundled model stands in for the larger one (all-mpnet-base-v2 is 438 MB and optional): what is
tested is the reordering, the answer-or-refuse decision it leaves alone, and its configuration.
"""

from __future__ import annotations

import json

import pytest
from conftest import NK_SENTENCE

from index.config import Settings
from index.embedder import bundled_model_path
from index.errors import ModelError
from index.search import Searcher
from index.second_stage import OWN_MODEL, SecondStage, SecondStagePolicy

TEASER = ("Trump says he will meet Kim Jong Un again", "More: North Korea news")
NK = (NK_SENTENCE, "North Korea to send more troops to Russia, Seoul says")
UNRELATED = ("The library will stay open on Sundays.", "City council approves library budget")


def test_the_second_model_moves_the_answer_above_a_teaser(embedder):
    stage = SecondStage(embedder)
    reordered = stage.reorder("how many NK soldiers died?", [TEASER, NK], lambda item: item)
    assert reordered == [NK, TEASER]


def test_a_large_rank_penalty_keeps_the_first_stage_order(embedder):
    stage = SecondStage(embedder, SecondStagePolicy(rank_weight=10.0))
    assert stage.reorder("how many NK soldiers died?", [TEASER, NK], lambda item: item) == [TEASER, NK]


def test_only_the_first_depth_are_reordered(embedder):
    stage = SecondStage(embedder, SecondStagePolicy(depth=2))
    ranked = [UNRELATED, TEASER, NK]
    assert stage.reorder("how many NK soldiers died?", ranked, lambda item: item) == [TEASER, UNRELATED, NK]


def test_search_with_a_second_stage_still_cites_the_afp_sentence(make_index, embedder):
    settings = make_index()
    searcher = Searcher.open(settings, embedder, second_stage=SecondStage(embedder))
    first = searcher.search("how many NK soldiers died?").results[0]
    assert (first.text, first.source, first.date.isoformat()) == (NK_SENTENCE, "AFP", "2025-06-26")


def test_the_second_stage_never_answers_what_the_first_refused(make_index, embedder):
    settings = make_index()
    plain = Searcher.open(settings, embedder)
    staged = Searcher.open(settings, embedder, second_stage=SecondStage(embedder))
    question = "what recipe won the baking championship in Paris?"
    refused, still_refused = plain.search(question), staged.search(question)
    assert not refused.answered and not still_refused.answered
    assert still_refused.refusal_reason == refused.refusal_reason
    assert staged.rank(question).answered is False


def test_the_index_own_model_reuses_the_first_stage_cosine_and_encodes_only_the_headed_sentence(embedder):
    stage = SecondStage(embedder, own_model=True)
    question = "how many NK soldiers died?"
    sentences = [TEASER, NK]
    vectors = embedder.encode([question, *(text for text, _ in sentences)])
    own = [float(v @ vectors[0]) for v in vectors[1:]]
    # The same model's question vector and cosines in place of encoding them again: the same scores.
    full = stage.scores(question, sentences)
    assert stage.scores(question, sentences, (vectors[0], own)) == pytest.approx(full, abs=1e-5)
    cosine_of = dict(zip(sentences, own)).__getitem__
    assert stage.reorder(question, sentences, lambda item: item, (vectors[0], cosine_of)) == [NK, TEASER]


def test_newsdesk_rerank_model_index_uses_the_question_encoder_it_is_given(make_index, embedder):
    settings = make_index().with_changes(rerank_model_path=OWN_MODEL)
    stage = SecondStage.load(settings, embedder)
    assert stage is not None and stage.own_model and stage.encoder is embedder
    searcher = Searcher.open(settings, embedder, second_stage=stage)
    first = searcher.search("how many NK soldiers died?").results[0]
    assert (first.text, first.source, first.date.isoformat()) == (NK_SENTENCE, "AFP", "2025-06-26")


def test_the_setting_comes_from_newsdesk_rerank_model():
    assert Settings.from_env({"NEWSDESK_RERANK_MODEL": "/models/mpnet"}).rerank_model_path == "/models/mpnet"
    assert Settings.from_env({}).rerank_model_path is None
    default = SecondStage.load(Settings())  # the index's own model through its stored headed vectors
    assert default is not None and default.own_model and default.encoder is None


def test_a_folder_that_is_not_a_model_is_named(tmp_path):
    with pytest.raises(ModelError, match="NEWSDESK_RERANK_MODEL is .*no modules.json"):
        SecondStage.load(Settings(rerank_model_path=str(tmp_path)))


def test_ask_uses_the_configured_second_stage(make_index, run):
    settings = make_index()
    env = {"NEWSDESK_RERANK_MODEL": str(bundled_model_path())}
    result = run("ask", "how many NK soldiers died?", "--json", "--index", str(settings.index_dir), env=env)
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["results"][0]
    assert (first["text"], first["source"], first["date"]) == (NK_SENTENCE, "AFP", "2025-06-26")

    own = run(
        "ask",
        "how many NK soldiers died?",
        "--json",
        "--index",
        str(settings.index_dir),
        env={"NEWSDESK_RERANK_MODEL": OWN_MODEL},
    )
    assert own.exit_code == 0, own.output
    assert json.loads(own.output)["results"][0]["text"] == NK_SENTENCE

    broken = run(
        "ask",
        "how many NK soldiers died?",
        "--index",
        str(settings.index_dir),
        env={"NEWSDESK_RERANK_MODEL": "/nowhere"},
    )
    assert broken.exit_code != 0
    assert "NEWSDESK_RERANK_MODEL is /nowhere" in broken.output
