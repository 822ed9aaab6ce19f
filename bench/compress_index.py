"""Copy an index, turned into the compressed kind (opq-ivf-pq) through newsdesk's own code.

    .venv/bin/python -m bench.compress_index SOURCE_INDEX DEST_INDEX [--nprobe 128]

A build only chooses opq-ivf-pq past index/vectors.py's COMPRESSED_LIMIT (3M vectors), which
takes a day of encoding here. This reuses the vectors of an index already built (the 1M-sentence
scale benchmark's), as a build does when an archive outgrows its kind: `VectorIndex.rebuilt_as`
trains OPQ and the lists, fills them and writes each vector in half precision to the copied
database; recall@10 is measured as a build measures it and written to build.json. The copy is then
an ordinary index, to measure with `bench.bench_scale --no-build` or `bench.bench_ask`. Prints
seconds, peak RSS and sizes as JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path

from bench.stats import machine
from index import versions
from index.exact_vectors import ExactVectors
from index.recall import measure_recall
from index.store import Store
from index.vectors import IVF_PQ, PQ_BYTES, PQ_NPROBE, RESCORE_DEPTH, IndexSpec, VectorIndex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--nprobe", type=int, default=PQ_NPROBE)
    args = parser.parse_args()

    source = versions.require_current_version(args.source)
    meta = versions.read_meta(source)
    held = IndexSpec(**meta["index"])
    args.dest.mkdir(parents=True, exist_ok=True)
    version = versions.new_version_dir(args.dest)
    for name in (versions.DB_NAME, versions.META_NAME):
        shutil.copy2(source / name, version / name)
    store = Store.open_for_build(version / versions.DB_NAME)
    exact = ExactVectors(store, meta["dimension"])
    spec = IndexSpec(IVF_PQ, held.nlist, args.nprobe, pq_bytes=PQ_BYTES, rescore=RESCORE_DEPTH)

    started = time.perf_counter()
    stored = VectorIndex.load(source / versions.VECTORS_NAME, held, exact)
    compressed = stored.rebuilt_as(spec, lambda: iter(()))
    del stored
    store.commit()
    built = time.perf_counter() - started
    recall = measure_recall(compressed)
    assert recall is not None
    compressed.save(version / versions.VECTORS_NAME)
    meta.update(
        index=spec.to_json(),
        index_type=spec.describe(),
        recall_at_10=round(recall.at_10, 4),
        recall_sample=recall.queries,
    )
    store.write_build_info(meta)
    store.finish()
    versions.write_meta(version, meta)
    versions.publish(args.dest, version)
    sizes = {path.name: round(path.stat().st_size / 1e6, 1) for path in version.iterdir() if path.is_file()}
    print(
        json.dumps(
            {
                "machine": machine(),
                "from": f"{args.source} ({held.describe()})",
                "index_type": spec.describe(),
                "vectors": compressed.count,
                "build_seconds": round(built, 1),
                "recall_at_10": round(recall.at_10, 4),
                "recall_seconds": round(recall.seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "files_mb": sizes,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
