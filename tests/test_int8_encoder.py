"""The int8 build encoder: vectors within cosine 0.99 of the model's, recorded, never mixed."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from index import versions
from index.build import build_index
from index.config import Settings
from index.int8_encoder import ENCODING, FOLDER, Int8Encoder, parity
from index.query_encoder import MANIFEST
from index.search import Searcher
from tests.conftest import NEWS_ARTICLES, NK_SENTENCE, write_article

# A fixed sample the encoder's own check never sees: the test articles' sentences and questions.
SAMPLE = [
    *(part.strip() for article in NEWS_ARTICLES for part in article["text"].split("\n\n")),
    "how many NK soldiers died?",
    "what range did the fed hold its rate at",
    "idalia wind speed at landfall",
    "library budget vote",
]

LATE_ARTICLE = {
    "title": "Council delays bridge vote",
    "source": "The Courier",
    "date": "2025-07-02",
    "url": "https://example.com/courier/bridge",
    "text": "The council postponed its vote on the Elm Street bridge repairs until September.",
}


@pytest.fixture(scope="module")
def int8_index(tmp_path_factory, embedder) -> Settings:
    root = tmp_path_factory.mktemp("int8")
    for number, article in enumerate(NEWS_ARTICLES):
        write_article(root / "articles", f"{number:03d}.txt", article)
    settings = Settings(index_dir=root / "index", build_encoder="onnx-int8")
    build_index(settings, [root / "articles"], embedder=Int8Encoder.prepare(settings, embedder), quiet=True)
    return settings


@pytest.fixture
def int8_copy(int8_index, tmp_path) -> Settings:
    """A copy of the int8 index a test may change."""
    shutil.copytree(int8_index.index_dir, tmp_path / "index", symlinks=True)
    return int8_index.with_changes(index_dir=tmp_path / "index")


def test_int8_vectors_keep_cosine_099_to_the_models_on_a_fixed_sample(int8_index, embedder):
    encoder = Int8Encoder.prepare(int8_index, embedder)
    mean, lowest = parity(embedder.encode(SAMPLE), encoder.encode(SAMPLE))
    assert mean >= 0.99 and lowest >= 0.97, (mean, lowest)
    # Every question still finds the sentence the model's own vectors put first.
    questions, sentences = SAMPLE[-4:], SAMPLE[:-4]
    reference = embedder.encode(sentences) @ embedder.encode(questions).T
    int8 = encoder.encode(sentences) @ embedder.encode(questions).T
    assert np.array_equal(reference.argmax(axis=0), int8.argmax(axis=0))
    manifest = json.loads((int8_index.index_dir / FOLDER / MANIFEST).read_text())
    assert manifest["encoding"] == ENCODING and manifest["parity_mean_cosine"] >= 0.99


def test_a_released_int8_encoder_opens_again_and_encodes_the_same_vectors(int8_index, embedder):
    """A build lets the ONNX session go before it fills its index; a later encode gets it back."""
    encoder = Int8Encoder.prepare(int8_index, embedder)
    before = encoder.encode(SAMPLE)
    encoder.release()
    assert encoder.dimension == 384
    assert np.array_equal(encoder.encode(SAMPLE), before)


def test_an_int8_index_records_its_encoder_and_answers_the_example(int8_index, embedder):
    meta = versions.read_meta(versions.current_version(int8_index.index_dir))
    assert meta["encoder"] == ENCODING
    first = Searcher.open(int8_index, embedder).search("how many NK soldiers died?").results[0]
    assert (first.text, first.source, first.date.isoformat()) == (NK_SENTENCE, "AFP", "2025-06-26")


def test_the_stats_say_which_encoder_made_the_vectors(int8_index, run):
    result = run("index", "stats", "--index", str(int8_index.index_dir))
    assert result.exit_code == 0, result.output
    assert f"vectors by {ENCODING}" in result.output


def test_torch_vectors_are_never_added_to_an_int8_index(int8_copy, run, tmp_path):
    before = versions.current_version(int8_copy.index_dir)
    write_article(tmp_path / "late", "late.txt", LATE_ARTICLE)
    index = str(int8_copy.index_dir)

    refused = run(
        "index", "add", str(tmp_path / "late"), "--index", index, env={"NEWSDESK_BUILD_ENCODER": "torch"}
    )
    assert refused.exit_code != 0
    assert "NEWSDESK_BUILD_ENCODER" in refused.output and "'onnx-int8'" in refused.output
    assert versions.current_version(int8_copy.index_dir) == before

    added = run(
        "index", "add", str(tmp_path / "late"), "--index", index, "--json", "--quiet",
        env={"NEWSDESK_BUILD_ENCODER": "onnx-int8"},
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    report = json.loads(added.output)
    assert report["encoder"] == ENCODING and report["sentences_embedded"] == 1


def test_a_rebuild_with_torch_embeds_every_sentence_again(int8_copy, run, tmp_path):
    for number, article in enumerate(NEWS_ARTICLES):
        write_article(tmp_path / "articles", f"{number:03d}.txt", article)
    result = run(
        "index", "build", str(tmp_path / "articles"), "--index", str(int8_copy.index_dir),
        "--json", "--quiet", env={"NEWSDESK_BUILD_ENCODER": "torch"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["encoder"] == "torch"
    assert report["sentences_reused"] == 0 and report["sentences_embedded"] > 0


UNSET = {"NEWSDESK_BUILD_ENCODER": ""}


def test_unset_a_new_index_takes_int8_and_an_add_follows_the_index(run, tmp_path, make_index):
    write_article(tmp_path / "late", "late.txt", LATE_ARTICLE)
    torch_index = make_index()  # built with the model itself, as every index before int8 was
    added = run(
        "index",
        "add",
        str(tmp_path / "late"),
        "--index",
        str(torch_index.index_dir),
        "--json",
        "-q",
        env=UNSET,
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["encoder"] == "torch"

    new_index = str(tmp_path / "new-index")
    built = run("index", "build", str(tmp_path / "late"), "--index", new_index, "--json", "-q", env=UNSET)
    assert built.exit_code == 0, built.output
    assert json.loads(built.output)["encoder"] == ENCODING
