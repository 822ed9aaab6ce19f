"""`--ray`: the build's encoder, with the embedding done by a Ray cluster through a child process."""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import numpy as np

from .build_encoding import TORCH_ENCODING
from .config import Settings
from .embedder import Embedder
from .errors import RayClusterError

if TYPE_CHECKING:
    from .int8_encoder import Int8Encoder

# Texts sent to the Ray driver a message at a time.
SEND_TEXTS = 65536
# Ray retries an address that does not answer without end; newsdesk gives up after this long.
CONNECT_SECONDS = 5.0
JOIN_SECONDS = 180.0


class RayEncoder:
    """`Embedder`'s contract (unit-length float32 rows, in input order) with the encoding on Ray.

    The local `Embedder` gives the name and dimension recorded in the index. The actors encode with
    torch, or with the build's int8 model when one is given (its files go to every actor), and each
    must first reproduce this machine's vector of a probe text (index/ray_embedding.py): vectors made
    here and by a local build with the same encoder mix in one index.
    """

    def __init__(
        self, settings: Settings, local: Embedder, address: str | None, int8: Int8Encoder | None = None
    ) -> None:
        self.settings = settings
        self.local = local
        self.int8 = int8
        self.encoding = int8.encoding if int8 is not None else TORCH_ENCODING
        self.address = address
        self.plan = ""
        self.log = ""
        self._child: Any = None
        self._conn: Connection | None = None

    @property
    def name(self) -> str:
        return self.local.name

    @property
    def dimension(self) -> int:
        return self.local.dimension

    @property
    def where(self) -> str:
        return f"the Ray cluster at {self.address}" if self.address else "the local Ray instance"

    def connect(self) -> None:
        """Start the Ray driver and wait until it has joined the cluster (or started a local one)."""
        if importlib.util.find_spec("ray") is None:
            raise RayClusterError(
                "--ray needs Ray, which this install lacks: run `pip install 'newsdesk[ray]'`."
            )
        if self.address:
            _check_reachable(self.address)
        from .ray_embedding import PROBE_TEXT, ActorModel, serve

        here = self.int8 if self.int8 is not None else self.local
        model = ActorModel(
            self.settings.model_path,
            here.encode([PROBE_TEXT])[0],
            self.int8.files() if self.int8 is not None else None,
        )
        handle, self.log = tempfile.mkstemp(prefix="newsdesk-ray-", suffix=".log")
        os.close(handle)
        spawn = multiprocessing.get_context("spawn")
        self._conn, theirs = spawn.Pipe()
        batch_size = self.settings.embed_batch_size
        args = (theirs, self.address or "local", model, batch_size, self.log)
        self._child = spawn.Process(target=serve, args=args, daemon=True, name="newsdesk-ray")
        self._child.start()
        theirs.close()
        message = self._receive(deadline=time.monotonic() + JOIN_SECONDS)
        if message[0] != "joined":
            self._fail(message, "joining")
        self.plan = message[1]

    def release(self) -> None:
        """Nothing to give back here: the actors' memory is on the cluster, freed by `close`."""

    def close(self) -> None:
        if self._child is None:
            return
        assert self._conn is not None
        with contextlib.suppress(OSError):  # the driver may be gone already
            self._conn.send(("close",))
        self._child.join(timeout=30)
        if self._child.is_alive():
            self._child.kill()
        self._conn.close()
        self._child = self._conn = None
        if os.path.exists(self.log):
            os.unlink(self.log)

    def encode_chunks(
        self,
        texts: Sequence[str],
        *,
        size: int,
        batch_size: int = 64,
        progress: Callable[[int], object] | None = None,
    ) -> Iterator[np.ndarray]:
        """The vectors of `texts`, `size` rows at a time and in order, as the cluster makes them."""
        if not texts:
            return
        if self._child is None:
            self.connect()
        assert self._conn is not None
        try:
            for start in range(0, len(texts), SEND_TEXTS):
                self._conn.send(("texts", list(texts[start : start + SEND_TEXTS])))
            self._conn.send(("encode", batch_size))
        except OSError:
            self._fail(("lost",), "embedding")
        yield from _in_chunks(self._blocks(progress), len(texts), size)

    def _blocks(self, progress: Callable[[int], object] | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        while True:
            message = self._receive(deadline=None)
            if message[0] == "done":
                return
            if message[0] != "vectors":
                self._fail(message, "embedding")
            if progress is not None:
                progress(len(message[1]))
            yield message[1], message[2]

    def _receive(self, deadline: float | None) -> tuple[Any, ...]:
        """The driver's next message; ("lost",) if it died (Ray ends a driver whose cluster is gone)."""
        assert self._conn is not None
        while not self._conn.poll(1.0):
            if not self._child.is_alive() and not self._conn.poll(0):
                return ("lost",)
            if deadline is not None and time.monotonic() > deadline:
                self._child.kill()
                return ("error", f"no answer in {JOIN_SECONDS:.0f} s")
        try:
            message: tuple[Any, ...] = self._conn.recv()
        except (EOFError, OSError):
            return ("lost",)
        return message

    def _fail(self, message: tuple[Any, ...], doing: str) -> None:
        if message[0] == "lost":
            what = f"Lost {self.where} while {doing}"
        else:
            what = f"Joining {self.where}" if doing == "joining" else f"Embedding on {self.where}"
            what += f" failed: {message[1]}"
            if doing == "joining" and self.address:
                what += (
                    "; a cluster with token authentication also needs "
                    "RAY_AUTH_MODE=token and its token (`ray get-auth-token` on the head) in RAY_AUTH_TOKEN"
                )
        log, self.log = self.log, ""  # kept for the user to read
        self.close()
        raise RayClusterError(
            f"{what} (Ray's log: {log}). The index being served is unchanged; check the cluster "
            "(`ray status`) and run the command again."
        )


def _in_chunks(
    blocks: Iterator[tuple[np.ndarray, np.ndarray]], total: int, size: int
) -> Iterator[np.ndarray]:
    """Regroup (positions, vectors) blocks into `size`-row chunks, checking that each row comes in
    its place: none missing, repeated or out of order."""
    pending: list[np.ndarray] = []
    held = expected = 0
    for positions, vectors in blocks:
        if not np.array_equal(positions, np.arange(expected, expected + len(positions))):
            raise RayClusterError(
                f"Ray returned vectors out of order (row {positions[0]} where {expected} was due); "
                "the index being served is unchanged. Please report this."
            )
        expected += len(positions)
        pending.append(np.asarray(vectors, dtype=np.float32))
        held += len(positions)
        while held >= size:
            rows = np.concatenate(pending)
            yield rows[:size]
            pending, held = [rows[size:]], held - size
    if expected != total:
        raise RayClusterError(f"Ray returned {expected:,} vectors for {total:,} texts; please report this.")
    if held:
        yield np.concatenate(pending)


def _check_reachable(address: str) -> None:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise RayClusterError(
            f"--ray {address!r} is not HOST:PORT; give the head's address, e.g. 10.0.0.5:6379."
        )
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise RayClusterError(
            f"No Ray cluster answers at {address} ({exc.strerror or exc}): start one there with "
            "`ray start --head`, or give its address. The index being served is unchanged."
        ) from None
