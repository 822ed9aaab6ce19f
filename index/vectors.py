"""The vector side: the only importer of faiss. Chooses the index type, builds, saves, loads, searches.

A vector's FAISS id is its sentence's SQLite row id, so a hit maps straight back to its row.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any


def _prefer_avx2_blas() -> None:
    # faiss-cpu's bundled OpenBLAS misdetects some AVX2 CPUs (Zen 3 as Prescott) and runs
    # 10x slower; its Haswell kernels are right for any AVX2 CPU. Must be set before import.
    if "OPENBLAS_CORETYPE" in os.environ:
        return
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return
    if " avx2" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "Haswell"


_prefer_avx2_blas()

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from .errors import IndexDamagedError  # noqa: E402

if TYPE_CHECKING:
    from .exact_vectors import ExactVectors

Chunk = tuple[np.ndarray, np.ndarray]  # (unit-length float32 rows, their sentence ids)

faiss.cvar.distance_compute_blas_threshold = 20

# Exact search stays under ~25 ms a query up to this many vectors on two cores.
EXACT_SEARCH_LIMIT = 200_000
# Vectors an IVF index trains on, per list: FAISS asks for 39 at the least; 64 keeps k-means
# steady while bounding what a build holds (128k vectors, 200 MB, for 2,048 lists).
TRAINING_PER_LIST = 64
# Lists stop growing here (reached at about a million vectors), so IVF never trains on more than
# MAX_NLIST * TRAINING_PER_LIST vectors (262,144: 400 MB, and as much again while FAISS trains)
# however large the archive; past that, lists just grow longer (2,400 vectors each at 10M).
MAX_NLIST = 4096
# Exhaustive search reads every vector for every question, so it is bound by memory bandwidth:
# half-precision vectors halve it (29 -> 15 ms a question at 192k vectors) with scores within
# 5e-5 of full precision and 99.97% of the top 100 unchanged (docs/benchmarks.md).
FLAT_FP16 = "flat-fp16"
EXHAUSTIVE = ("flat", FLAT_FP16)
# Past COMPRESSED_LIMIT vectors, IVF-SQ8's ~480 bytes a vector in memory would take a build past
# 2 GB (at about 2.5M) and a serving process past 1.5 GB (at about 3M; docs/benchmarks.md). There
# the index keeps OPQ-rotated product-quantisation codes, PQ_BYTES a vector, proposes the best
# k + RESCORE_DEPTH by them, and ranks those by the half-precision vectors the version's database
# keeps beside it (index/exact_vectors.py): the codes alone find too little of exact search's top
# 10 (0.75 to 0.80), re-scored they match IVF-SQ8 (docs/benchmarks.md, "The compressed kind").
IVF_PQ = "opq-ivf-pq"
COMPRESSED_LIMIT = 2_000_000
PQ_BYTES = 64
RESCORE_DEPTH = 100
# Lists the compressed kind searches: at 1.33M vectors recall@10 was 0.90 at 64 and 0.915 at 128
# (a deeper re-score gained nothing: the lists, not the codes, bound it), for about as much time.
PQ_NPROBE = 128
# Rounds of OPQ's alternating rotation and codebook fit (FAISS's default is 50); 20 was measured.
OPQ_ITERATIONS = 20
KINDS = (*EXHAUSTIVE, "ivf-sq8", IVF_PQ)
# How a saved index of each kind starts, and the least it stores per vector (codes and id).
_MAGIC = {"flat": b"IxM2", FLAT_FP16: b"IxM2", "ivf-sq8": b"IwSq", IVF_PQ: b"IxPT"}
# Stored vectors decoded at a time for a full pass (recall measurement): 24 MB at 384 dimensions.
STORED_CHUNK = 16_384
_LEAST_BYTES: dict[str, Callable[[IndexSpec, int], int]] = {
    "flat": lambda spec, dimension: 4 * dimension + 8,
    FLAT_FP16: lambda spec, dimension: 2 * dimension + 8,
    "ivf-sq8": lambda spec, dimension: dimension + 8,
    IVF_PQ: lambda spec, dimension: spec.pq_bytes + 8,
}


@dataclass(frozen=True)
class IndexSpec:
    """Which FAISS index to use; recorded in the build metadata."""

    # "flat-fp16" (exhaustive, vectors in half precision), "flat" (exhaustive, full precision;
    # indexes built before flat-fp16), "ivf-sq8" (approximate) or "opq-ivf-pq" (approximate,
    # compressed, re-scored from the vectors in the database)
    kind: str
    nlist: int = 0
    nprobe: int = 0
    pq_bytes: int = 0  # opq-ivf-pq: bytes of code a vector
    rescore: int = 0  # opq-ivf-pq: candidates re-scored beyond the k asked for

    def describe(self) -> str:
        if self.kind == "flat":
            return "flat (exact inner product)"
        if self.kind == FLAT_FP16:
            return "flat (exhaustive inner product, half-precision vectors)"
        if self.kind == IVF_PQ:
            return (
                f"opq-ivf-pq (nlist={self.nlist}, nprobe={self.nprobe}, PQ{self.pq_bytes}x8; "
                f"{self.rescore} more than asked re-scored from half-precision vectors)"
            )
        return f"ivf-sq8 (nlist={self.nlist}, nprobe={self.nprobe})"

    def to_json(self) -> dict[str, Any]:
        fields = asdict(self)
        if self.kind != IVF_PQ:  # build.json of the other kinds reads as it always has
            del fields["pq_bytes"], fields["rescore"]
        return fields


def choose_spec(vector_count: int) -> IndexSpec:
    """Exhaustive search (half precision) for small corpora; IVF with 8-bit scalar quantisation beyond.

    IVF-SQ8 kept recall@10 at 0.94 with nprobe 64 at 1M MiniLM vectors on this machine kind,
    where PQ alone lost too much (see PERFORMANCE_NOTES); past COMPRESSED_LIMIT, product
    quantisation with a re-score from stored vectors.
    """
    if vector_count <= EXACT_SEARCH_LIMIT:
        return IndexSpec(FLAT_FP16)
    nlist = min(MAX_NLIST, 2 ** round(math.log2(4 * math.sqrt(vector_count))))
    if vector_count > COMPRESSED_LIMIT:
        return IndexSpec(IVF_PQ, nlist, min(PQ_NPROBE, nlist), pq_bytes=PQ_BYTES, rescore=RESCORE_DEPTH)
    return IndexSpec("ivf-sq8", nlist=nlist, nprobe=min(64, nlist))


def training_size(spec: IndexSpec) -> int:
    """How many vectors an index of kind `spec` trains on: none for exhaustive search."""
    return 0 if spec.kind in EXHAUSTIVE else spec.nlist * TRAINING_PER_LIST


def _new_index(spec: IndexSpec, dimension: int, training: np.ndarray) -> Any:
    """An empty index of kind `spec`, trained on `training` where the kind needs it (IVF)."""
    if spec.kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    if spec.kind == FLAT_FP16:
        return faiss.IndexIDMap2(_half_precision(dimension))
    if spec.kind == IVF_PQ:
        if len(training) < dimension:  # FAISS's OPQ corrupts memory below this, rather than raise
            raise ValueError(f"OPQ needs at least {dimension} training vectors; {len(training)} given")
        index: Any = faiss.index_factory(
            dimension, f"OPQ{spec.pq_bytes},IVF{spec.nlist},PQ{spec.pq_bytes}x8", faiss.METRIC_INNER_PRODUCT
        )
        rotation: Any = faiss.downcast_VectorTransform(index.chain.at(0))
        rotation.niter = OPQ_ITERATIONS
        pq: Any = faiss.downcast_index(faiss.extract_index_ivf(index))
        pq.do_polysemous_training = False  # on by default, slow, and for a search this index never runs
        index.train(training)
        pq.nprobe = spec.nprobe
        # No id hashtable (about 22 bytes a vector): vectors are read from the database, never
        # reconstructed from codes, and a removal may scan the lists once per build.
        return index
    quantizer = faiss.IndexFlatIP(dimension)
    inner = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, spec.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    inner.train(training)
    inner.nprobe = spec.nprobe
    # A hashtable direct map lets ids be arbitrary row ids and still be removed/reconstructed.
    hashtable = faiss.DirectMap.Hashtable  # type: ignore[attr-defined]
    inner.set_direct_map_type(hashtable)
    return inner


def _first_rows(chunks: Iterator[Chunk], wanted: int, dimension: int) -> np.ndarray:
    """The first `wanted` rows of `chunks` (fewer if they run out), in one matrix.

    The matrix is filled in place as chunks come: a list of chunks joined at the end held every
    training vector twice (800 MB at a million vectors).
    """
    rows = np.empty((wanted, dimension), dtype=np.float32)
    filled = 0
    while filled < wanted:
        chunk = next(chunks, None)
        if chunk is None:
            break
        chunk_rows, chunk_ids = chunk
        if not len(chunk_ids):
            continue
        taken = min(len(chunk_ids), wanted - filled)
        rows[filled : filled + taken] = chunk_rows[:taken]
        filled += taken
    return rows[:filled]


def _assigned_lists(ivf: Any, matrix: np.ndarray) -> np.ndarray:
    """The IVF list each row goes to (its nearest centroid), as FAISS's own add would choose."""
    if not len(matrix):
        return np.zeros(0, dtype=np.int64)
    _, nearest = ivf.quantizer.search(np.ascontiguousarray(matrix, dtype=np.float32), 1)
    return np.ascontiguousarray(nearest[:, 0], dtype=np.int64)


def _allocate_lists(ivf: Any, sizes: np.ndarray) -> None:
    """Give each list room for exactly `sizes` entries before any is added (resized up, then back
    to empty: the room stays)."""
    invlists: Any = faiss.downcast_InvertedLists(ivf.invlists)
    for list_no in np.flatnonzero(sizes):
        invlists.resize(int(list_no), int(sizes[list_no]))
        invlists.resize(int(list_no), 0)


def _half_precision(dimension: int) -> Any:
    return faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)


class VectorIndex:
    """One version's FAISS index; `exact` is where the opq-ivf-pq kind keeps its vectors (every
    kind may be given it, for an archive that grows into that kind)."""

    def __init__(
        self, index: Any, spec: IndexSpec, path: Path | None = None, exact: ExactVectors | None = None
    ) -> None:
        if spec.kind == IVF_PQ and exact is None:
            raise ValueError("an opq-ivf-pq index needs the vectors its database keeps (ExactVectors)")
        self._index = index
        self.spec = spec
        self.path = path  # where it was loaded from, to name it when it turns out damaged
        self.exact = exact

    @classmethod
    def empty(cls, dimension: int, exact: ExactVectors | None = None) -> VectorIndex:
        return cls(faiss.IndexIDMap2(_half_precision(dimension)), IndexSpec(FLAT_FP16), exact=exact)

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: np.ndarray, spec: IndexSpec, exact: ExactVectors | None = None
    ) -> VectorIndex:
        built = cls(_new_index(spec, vectors.shape[1], vectors), spec, exact=exact)
        built.add(vectors, ids)
        return built

    def rebuilt_as(self, spec: IndexSpec, source: Callable[[], Iterable[Chunk]]) -> VectorIndex:
        """A new index of kind `spec` holding these vectors and then every chunk `source()` yields.

        The vectors held here (decoded a chunk at a time, `stored_chunks`) come first. `source` is
        called once for an exhaustive index and three times for IVF: to train on as many rows as
        it needs (`training_size`; only those are held at once, in one matrix that FAISS copies
        once more), to count each list's vectors so every
        list is allocated once at its final size (lists that grow by appending over-allocate: 753
        against 505 MB at 1.05M vectors; docs/benchmarks.md), and to fill them.
        """

        def everything() -> Iterator[Chunk]:
            return itertools.chain(self.stored_chunks(), source())

        wanted = training_size(spec)
        training = _first_rows(everything(), wanted, self.dimension)
        rebuilt = VectorIndex(_new_index(spec, self.dimension, training), spec, exact=self.exact)
        del training
        if spec.kind in EXHAUSTIVE:
            for matrix, ids in everything():
                rebuilt.add(matrix, ids)
        else:
            rebuilt._fill_lists(everything)
        if self.spec.kind == IVF_PQ and spec.kind != IVF_PQ:
            assert self.exact is not None
            self.exact.clear()  # read by the fill above; no other kind uses them
        return rebuilt

    def _fill_lists(self, source: Callable[[], Iterator[Chunk]]) -> None:
        """Put every chunk of `source` into this new, empty IVF index, each list allocated once."""
        ivf: Any = faiss.extract_index_ivf(self._index)
        lists = [_assigned_lists(ivf, self._in_list_space(matrix)) for matrix, _ in source()]
        _allocate_lists(ivf, np.bincount(np.concatenate(lists), minlength=ivf.nlist))
        for (matrix, ids), assigned in zip(source(), lists, strict=True):
            if len(ids):
                rows = np.ascontiguousarray(self._in_list_space(matrix), dtype=np.float32)
                ids = np.ascontiguousarray(ids, dtype=np.int64)
                ivf.add_core(len(ids), faiss.swig_ptr(rows), faiss.swig_ptr(ids), faiss.swig_ptr(assigned))
                if self.spec.kind == IVF_PQ:
                    assert self.exact is not None
                    self.exact.put(matrix, ids)
        self._index.ntotal = ivf.ntotal  # the OPQ wrapper's count, which add_core does not touch

    def _in_list_space(self, matrix: np.ndarray) -> np.ndarray:
        """Rows as the IVF lists see them: rotated by OPQ for the compressed kind, else as they are."""
        if self.spec.kind != IVF_PQ:
            return matrix
        rotation: Any = faiss.downcast_VectorTransform(self._index.chain.at(0))
        return rotation.apply(np.ascontiguousarray(matrix, dtype=np.float32))  # type: ignore[no-any-return]

    @classmethod
    def load(cls, path: Path, spec: IndexSpec, exact: ExactVectors | None = None) -> VectorIndex:
        """Read a saved index; a missing, damaged or foreign file is an IndexDamagedError.

        `exact` is the version's own stored vectors, which the opq-ivf-pq kind ranks by."""
        index_dir = path.parent.parent.parent  # <index>/versions/<name>/vectors.faiss
        if spec.kind not in KINDS:
            raise IndexDamagedError(
                index_dir, path.parent / "build.json", f"names an unknown index kind {spec.kind!r}"
            )
        if not path.is_file():
            raise IndexDamagedError(index_dir, path, "missing")
        try:
            index = faiss.read_index(str(path))
        except (RuntimeError, MemoryError) as exc:
            raise IndexDamagedError(index_dir, path, f"not a readable FAISS index ({_reason(exc)})") from None
        expected = _SAVED_TYPE.get(spec.kind, faiss.IndexIDMap2)
        if not isinstance(index, expected):
            raise IndexDamagedError(
                index_dir, path, f"holds a {type(index).__name__}, where build.json says {spec.kind}"
            )
        if spec.kind not in EXHAUSTIVE:
            faiss.extract_index_ivf(index).nprobe = spec.nprobe
        return cls(index, spec, path, exact)

    @staticmethod
    def glance(path: Path, spec: IndexSpec, count: int, dimension: int) -> str:
        """What is wrong with a saved index that shows without reading it (its start and size), or ""."""
        if spec.kind not in KINDS:
            return f"of unknown kind {spec.kind!r}"
        if not path.is_file():
            return "missing"
        with open(path, "rb") as handle:
            start = handle.read(4)
        if start != _MAGIC[spec.kind]:
            return f"not a {spec.kind} FAISS index (it starts with {start!r})"
        size, least = path.stat().st_size, count * _LEAST_BYTES[spec.kind](spec, dimension)
        if size < least:
            return f"{size:,} bytes, too few for {count:,} vectors, so cut short"
        return ""

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def add(self, vectors: np.ndarray, ids: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(vectors, ids.astype(np.int64))
            if self.spec.kind == IVF_PQ:
                assert self.exact is not None
                self.exact.put(vectors, ids)

    def remove(self, ids: list[int]) -> None:
        if ids:
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))
            if self.spec.kind == IVF_PQ:
                assert self.exact is not None
                self.exact.drop(ids)

    def reconstruct(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of these ids, so unchanged sentences are never embedded twice."""
        if not ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        try:
            if self.spec.kind == IVF_PQ:
                assert self.exact is not None
                return self.exact.get(ids)
            return np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)
        except KeyError as absent:
            version = self.path.parent if self.path else Path(".")
            raise IndexDamagedError(
                version.parent.parent,
                version,
                f"has no stored vector for sentence {absent.args[0]} in its database, which the "
                "opq-ivf-pq index needs; rebuild with `newsdesk index build --fresh ARTICLES`",
            ) from None
        except RuntimeError:
            known = set(self.ids().tolist())
            missing = [int(i) for i in ids if int(i) not in known]
            if self.path is None or not missing:
                raise
            raise IndexDamagedError(
                self.path.parent.parent.parent,
                self.path,
                f"has no vector for sentence {missing[0]}, which SQLite holds",
            ) from None

    def ids(self) -> np.ndarray:
        """Every stored id (the sentence row ids), without reading the vectors."""
        if self.spec.kind in EXHAUSTIVE:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        invlists: Any = faiss.extract_index_ivf(self._index).invlists
        lists = [
            faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
            for i in range(invlists.nlist)
            if invlists.list_size(i)
        ]
        return np.concatenate(lists).astype(np.int64) if lists else np.zeros(0, dtype=np.int64)

    def vectors_and_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Every stored vector with its id (as stored: half precision or quantised where so)."""
        if self.spec.kind == IVF_PQ:
            chunks = list(self.stored_chunks())
            if not chunks:
                return np.zeros((0, self.dimension), dtype=np.float32), np.zeros(0, dtype=np.int64)
            return np.vstack([m for m, _ in chunks]), np.concatenate([i for _, i in chunks])
        if self.spec.kind == FLAT_FP16:
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            inner: Any = faiss.downcast_index(self._index.index)
            return np.asarray(inner.reconstruct_n(0, self.count), dtype=np.float32), ids
        if self.spec.kind == "flat":
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            flat: Any = faiss.downcast_index(self._index.index)
            vectors = faiss.rev_swig_ptr(flat.get_xb(), self.count * self.dimension).reshape(
                self.count, self.dimension
            )
            return np.array(vectors, dtype=np.float32), ids
        ivf: Any = faiss.extract_index_ivf(self._index)
        ids = np.concatenate(
            [
                faiss.rev_swig_ptr(ivf.invlists.get_ids(i), ivf.invlists.list_size(i)).copy()
                for i in range(ivf.nlist)
            ]
        ).astype(np.int64)
        vectors = (
            np.vstack([ivf.reconstruct(int(i)) for i in ids])
            if len(ids)
            else np.zeros((0, self.dimension), dtype=np.float32)
        )
        return vectors, ids

    def stored_chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every stored vector (decoded as stored) with its id, about STORED_CHUNK at a time.

        A full pass over an IVF index this way never holds a second copy of the archive in float32.
        """
        rows = STORED_CHUNK
        if self.spec.kind == IVF_PQ:  # the database's half-precision vectors, not the codes
            assert self.exact is not None
            yield from self.exact.chunks(rows)
            return
        if self.spec.kind in EXHAUSTIVE:
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            inner: Any = faiss.downcast_index(self._index.index)
            for start in range(0, self.count, rows):
                n = min(rows, self.count - start)
                yield np.asarray(inner.reconstruct_n(start, n), dtype=np.float32), ids[start : start + n]
            return
        ivf: Any = faiss.downcast_index(faiss.extract_index_ivf(self._index))
        # Residuals are decoded many lists per call: each call is an OpenMP region, costly by the
        # thousand on a busy machine (14 s instead of 1 s for 307k vectors in 2,048 lists).
        centroids = ivf.quantizer.reconstruct_n(0, ivf.nlist) if ivf.by_residual else None
        codes: list[np.ndarray] = []
        id_lists: list[np.ndarray] = []
        lists: list[np.ndarray] = []
        held = 0
        for list_no in range(ivf.nlist):
            size = ivf.invlists.list_size(list_no)
            if size:
                codes.append(faiss.rev_swig_ptr(ivf.invlists.get_codes(list_no), size * ivf.code_size))
                id_lists.append(faiss.rev_swig_ptr(ivf.invlists.get_ids(list_no), size).astype(np.int64))
                lists.append(np.full(size, list_no))
                held += size
            if held >= rows or (list_no == ivf.nlist - 1 and held):
                decoded = ivf.sq.decode(np.concatenate(codes).reshape(-1, ivf.code_size))
                if centroids is not None:
                    decoded += centroids[np.concatenate(lists)]
                yield decoded, np.concatenate(id_lists)
                codes, id_lists, lists, held = [], [], [], 0

    def search_many(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the top `k` for each row of `queries`; id -1 where fewer are stored."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.spec.kind == IVF_PQ:
            return self._rescored(queries, k)
        return self._index.search(queries, k)  # type: ignore[no-any-return]

    def _rescored(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The best `k` + rescore by the codes, ranked again by the stored vectors; the best `k` of them."""
        _, proposed = self._index.search(queries, min(k + self.spec.rescore, max(self.count, 1)))
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, (query, candidates) in enumerate(zip(queries, proposed, strict=True)):
            candidates = candidates[candidates != -1]
            exact = self.reconstruct(candidates.tolist()) @ query
            best = np.argsort(-exact, kind="stable")[:k]
            scores[row, : len(best)], ids[row, : len(best)] = exact[best], candidates[best]
        return scores, ids

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(sentence id, cosine similarity) pairs, best first.

        One question runs on one OpenMP thread: waking a second one, beside ONNX Runtime's
        threads that have just encoded the question, cost more than it saved (at 1M sentences,
        IVF search p50 2.5 ms on one thread, 20 to 43 ms on two; docs/benchmarks.md). The
        setting is this thread's own and is put back, so builds keep every core.
        """
        if self.count == 0:
            return []
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self.search_many(query.reshape(1, -1), min(k, self.count))
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]


# What faiss.read_index gives back for each kind (the exhaustive ones are IndexIDMap2).
_SAVED_TYPE = {"ivf-sq8": faiss.IndexIVFScalarQuantizer, IVF_PQ: faiss.IndexPreTransform}


def _reason(exc: BaseException) -> str:
    """FAISS's own words without its C++ location: "read error in …: 918 != 39936"."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = re.sub(r"^Error in .*? at \S+:\d+: (Error: '.*?' failed: )?", "", text)
    return text[:200]
