"""The default model is the bundled one plus the committed news adapter, written once to the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import NK_SENTENCE
from safetensors.torch import save_file

from index import versions
from index.config import BUNDLED_MODEL, BUNDLED_MODEL_NAME, Settings
from index.embedder import bundled_model_path
from index.errors import IndexMismatchError, ModelError
from index.news_adapter import (
    ADAPTER_FILE,
    WEIGHTS_FILE,
    adapted_model_folder,
    adapted_model_name,
    adapter_from,
    apply_adapter,
)
from index.search import Searcher


def test_a_low_rank_change_and_a_vector_change_come_back_whole():
    generator = torch.Generator().manual_seed(3)
    base = {
        "layer.weight": torch.randn(40, 30, generator=generator),
        "layer.bias": torch.randn(40, generator=generator),
        "untouched.weight": torch.randn(20, 20, generator=generator),
    }
    change = torch.randn(40, 4, generator=generator) @ torch.randn(4, 30, generator=generator) * 0.01
    tuned = {
        "layer.weight": base["layer.weight"] + change,
        "layer.bias": base["layer.bias"] + 0.01,
        "untouched.weight": base["untouched.weight"].clone(),
    }
    adapter = adapter_from(base, tuned, rank=4)
    assert set(adapter) == {"layer.weight.low_rank_a", "layer.weight.low_rank_b", "layer.bias.change"}
    assert adapter["layer.weight.low_rank_a"].shape == (40, 4)
    adapted = apply_adapter(base, adapter)
    for key in base:
        assert torch.allclose(adapted[key], tuned[key], atol=1e-4), key


def test_an_adapter_for_another_model_is_refused():
    adapter = {"missing.weight.change": torch.zeros(3)}
    with pytest.raises(ModelError, match="does not fit the bundled model"):
        apply_adapter({"layer.bias": torch.zeros(3)}, adapter)


def test_the_default_model_folder_is_written_once(tmp_path):
    folder = adapted_model_folder(bundled_model_path(), tmp_path)
    weights = folder / WEIGHTS_FILE
    written = weights.stat().st_mtime_ns
    assert (folder / "tokenizer.json").is_file() and (folder / "modules.json").is_file()
    assert adapted_model_folder(bundled_model_path(), tmp_path) == folder
    assert weights.stat().st_mtime_ns == written
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no half-written folder left


def test_a_missing_adapter_file_says_what_to_do(tmp_path):
    with pytest.raises(ModelError, match="NEWSDESK_MODEL=bundled"):
        adapted_model_folder(bundled_model_path(), tmp_path, tmp_path / "gone.safetensors")


def test_the_default_model_differs_from_the_bundled_one_and_says_so(embedder, bundled_embedder):
    bundled = bundled_embedder
    assert bundled.name == BUNDLED_MODEL_NAME
    assert embedder.name.startswith(BUNDLED_MODEL_NAME + " + news adapter ")
    texts = ["how many NK soldiers died?", NK_SENTENCE]
    default_vectors, bundled_vectors = embedder.encode(texts), bundled.encode(texts)
    agreement = (default_vectors * bundled_vectors).sum(axis=1)
    assert (agreement > 0.9).all() and (agreement < 0.9999).all(), agreement


def test_an_index_from_before_the_adapter_names_the_setting_that_opens_it(make_index, embedder):
    settings = make_index()
    version = versions.current_version(settings.index_dir)
    assert version is not None
    meta = versions.read_meta(version)
    versions.write_meta(version, {**meta, "model": BUNDLED_MODEL_NAME})
    with pytest.raises(IndexMismatchError, match=f"NEWSDESK_MODEL={BUNDLED_MODEL}"):
        Searcher.open(settings, embedder)
    earlier = adapted_model_name("000000000000")
    versions.write_meta(version, {**meta, "model": earlier})
    with pytest.raises(IndexMismatchError, match="earlier news adapter.*rebuild it"):
        Searcher.open(settings, embedder)


def test_a_damaged_adapter_file_is_refused(tmp_path):
    damaged = tmp_path / "adapter.safetensors"
    save_file({"embeddings.LayerNorm.bias.change": torch.zeros(7)}, str(damaged))
    with pytest.raises(ModelError, match="does not fit"):
        adapted_model_folder(bundled_model_path(), tmp_path / "cache", damaged)
    assert ADAPTER_FILE.is_file()


def test_a_cache_that_cannot_be_written_names_the_setting(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    with pytest.raises(ModelError, match=f"{blocked}.*NEWSDESK_CACHE"):
        adapted_model_folder(bundled_model_path(), blocked / "newsdesk")


def test_the_cache_folder_comes_from_newsdesk_cache_then_xdg():
    assert Settings.from_env({"NEWSDESK_CACHE": "/srv/cache"}).cache_dir == Path("/srv/cache")
    both = {"NEWSDESK_CACHE": "/srv/cache", "XDG_CACHE_HOME": "/home/u/.cache"}
    assert Settings.from_env(both).cache_dir == Path("/srv/cache")
    xdg = Settings.from_env({"XDG_CACHE_HOME": "/home/u/.cache"})
    assert xdg.cache_dir == Path("/home/u/.cache/newsdesk")


def test_a_truncated_adapter_file_is_named(tmp_path):
    truncated = tmp_path / "news_adapter.safetensors"
    truncated.write_bytes(ADAPTER_FILE.read_bytes()[:5000])
    with pytest.raises(ModelError, match=f"Cannot read {truncated}.*NEWSDESK_MODEL=bundled"):
        adapted_model_folder(bundled_model_path(), tmp_path / "cache", truncated)
    assert not any((tmp_path / "cache").iterdir())  # nothing half-written left behind
