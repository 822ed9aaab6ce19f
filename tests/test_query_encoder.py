"""The ONNX query encoder: same vectors as the model, same answers, and no torch on the ask path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from index.build import build_index
from index.config import Settings
from index.query_encoder import (
    FOLDER,
    MANIFEST,
    PARITY_SAMPLE,
    OnnxQueryEncoder,
    open_query_encoder,
    write_query_encoder,
)
from index.search import Searcher
from tests.conftest import NEWS_ARTICLES, NK_SENTENCE, write_article


@pytest.fixture(scope="module")
def exported_index(tmp_path_factory, embedder) -> Settings:
    root = tmp_path_factory.mktemp("onnx")
    for number, article in enumerate(NEWS_ARTICLES):
        write_article(root / "articles", f"{number:03d}.txt", article)
    settings = Settings(index_dir=root / "index", query_encoder="onnx")
    build_index(settings, [root / "articles"], embedder=embedder, quiet=True)
    line = write_query_encoder(embedder, settings)
    assert line.startswith("Query encoder: exported"), line
    return settings


def test_the_export_reproduces_the_models_vectors(exported_index, embedder):
    encoder = open_query_encoder(exported_index, embedder.name)
    assert isinstance(encoder, OnnxQueryEncoder)
    texts = [*PARITY_SAMPLE, "what did the fed do with rates", "Mayor Ana Ruiz said the money would help."]
    cosines = np.sum(encoder.encode(texts) * embedder.encode(texts), axis=1)
    assert cosines.min() >= 0.9999
    manifest = json.loads((exported_index.index_dir / FOLDER / MANIFEST).read_text())
    assert manifest["model"] == embedder.name and manifest["dimension"] == 384


def test_a_second_build_keeps_the_export(exported_index, embedder):
    assert write_query_encoder(embedder, exported_index) == "Query encoder: up to date."


def test_search_through_the_export_finds_the_same_sentence(exported_index, embedder):
    encoder = open_query_encoder(exported_index, embedder.name)
    assert encoder is not None
    answer = Searcher.open(exported_index, encoder).search("how many NK soldiers died?")
    first = answer.results[0]
    assert (first.text, first.source, first.date.isoformat()) == (NK_SENTENCE, "AFP", "2025-06-26")


def test_a_cold_ask_answers_without_importing_torch(exported_index):
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        "sys.argv = ['newsdesk', 'ask', 'how many NK soldiers died?']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('torch loaded:', 'torch' in sys.modules)\n"
    )
    env = {**os.environ, "NEWSDESK_INDEX": str(exported_index.index_dir), "NEWSDESK_QUERY_ENCODER": "onnx"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert NK_SENTENCE in done.stdout
    assert "AFP · June 26, 2025" in done.stdout
    assert "torch loaded: False" in done.stdout


def test_an_export_for_another_model_is_not_used(exported_index):
    assert open_query_encoder(exported_index, "some-other-model") is None


def test_a_damaged_export_falls_back_to_the_model(exported_index, embedder, tmp_path, caplog):
    damaged = Settings(index_dir=tmp_path / "index", query_encoder="onnx")
    folder = damaged.index_dir / FOLDER
    folder.mkdir(parents=True)
    source = exported_index.index_dir / FOLDER
    (folder / MANIFEST).write_text((source / MANIFEST).read_text())
    (folder / "tokenizer.json").write_text((source / "tokenizer.json").read_text())
    (folder / "model.onnx").write_bytes((source / "model.onnx").read_bytes()[:1000])
    assert open_query_encoder(damaged, embedder.name) is None
    assert "questions use torch" in caplog.text
    assert write_query_encoder(embedder, damaged).startswith("Query encoder: exported")
    assert open_query_encoder(damaged, embedder.name) is not None


def test_the_query_encoder_setting_is_checked():
    from index.errors import NewsdeskError

    assert Settings.from_env({"NEWSDESK_QUERY_ENCODER": "Torch"}).query_encoder == "torch"
    with pytest.raises(NewsdeskError, match="NEWSDESK_QUERY_ENCODER must be one of onnx, torch"):
        Settings.from_env({"NEWSDESK_QUERY_ENCODER": "gpu"})
