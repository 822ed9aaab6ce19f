"""Encoded vectors waiting on disk for an approximate (IVF) index to be built from them.

A build that trains a new IVF index used to train it and fill its lists while the encoder was
still loaded, so its peak was the encoder's working memory plus the whole index (2,165 MB at
1.46M lines; docs/benchmarks.md). Spooled here instead, the vectors are written as each chunk is
encoded and read back a chunk at a time, as often as the index needs them (to train, to size its
lists, to fill them) once the encoder has let go of its memory. The files sit in the new version's
folder, so they are discarded with it if the build dies; `remove` deletes them before publishing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

VECTORS_NAME = "vectors-waiting.f32"
IDS_NAME = "vectors-waiting.ids"
READ_ROWS = 8192  # rows read back at a time: 12 MB of vectors at 384 dimensions


class VectorSpool:
    def __init__(self, folder: Path, dimension: int) -> None:
        self.dimension = dimension
        self.count = 0
        self._vectors_path = folder / VECTORS_NAME
        self._ids_path = folder / IDS_NAME
        self._vectors = open(self._vectors_path, "wb")  # noqa: SIM115 - held open while chunks come
        self._ids = open(self._ids_path, "wb")  # noqa: SIM115

    def append(self, matrix: np.ndarray, ids: np.ndarray) -> None:
        """Rows of unit-length vectors with their sentence ids, in the order they should be added."""
        if not len(ids):
            return
        if matrix.shape != (len(ids), self.dimension):
            raise ValueError(f"{matrix.shape} vectors for {len(ids)} ids of dimension {self.dimension}")
        np.ascontiguousarray(matrix, dtype=np.float32).tofile(self._vectors)
        np.ascontiguousarray(ids, dtype=np.int64).tofile(self._ids)
        self.count += len(ids)

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every row written, in order, READ_ROWS at a time; may be called again for another pass.

        Plain reads, not a memory map: mapped pages would count in the build's resident memory.
        """
        self._vectors.flush()
        self._ids.flush()
        with open(self._vectors_path, "rb") as vectors, open(self._ids_path, "rb") as ids:
            for start in range(0, self.count, READ_ROWS):
                rows = min(READ_ROWS, self.count - start)
                matrix = np.fromfile(vectors, dtype=np.float32, count=rows * self.dimension)
                yield matrix.reshape(rows, self.dimension), np.fromfile(ids, dtype=np.int64, count=rows)

    def remove(self) -> None:
        self._vectors.close()
        self._ids.close()
        self._vectors_path.unlink(missing_ok=True)
        self._ids_path.unlink(missing_ok=True)
