"""One reader for the recipe's JSON-lines files, gzipped or not; a bad line is named by number."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import NewsdeskError


def read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with (
            gzip.open(path, "rt", encoding="utf-8")
            if path.suffix == ".gz"
            else path.open(encoding="utf-8") as lines
        ):
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise NewsdeskError(
                        f"{path}:{number} is not JSON ({exc.msg}); fix or remove that line."
                    ) from exc
                if not isinstance(record, dict):
                    raise NewsdeskError(f"{path}:{number} is not a JSON object; fix or remove that line.")
                yield record
    except OSError as exc:
        raise NewsdeskError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
