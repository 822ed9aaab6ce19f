"""What a build holds while its vectors become an IVF index: training, then every chunk added.

    .venv/bin/python -m bench.bench_ivf_memory [--vectors 1050000] [--runs 2] [--code CHECKOUT]

Runs, in a child process without the model, the step a build takes when its archive passes the
exhaustive-search limit: `VectorIndex.rebuilt_as` over chunks of 8,192 vectors as the build's
spool hands them back (index/vector_spool.py), read once for each pass the index makes over them,
with the index kind `choose_spec` picks for that many (past 2M, the compressed kind, whose
database of half-precision vectors goes under --scratch). The vectors are seeded random unit
vectors (memory and FAISS's work do not depend on what they mean; k-means may take more or fewer
iterations to settle on real ones). Reports the child's resident memory before the first chunk,
its peak, the peak over that start (what the step adds to a build), and the seconds taken,
median of --runs. `--code` runs another checkout's `index.vectors` (a `git worktree` of an
older commit), so two commits compare on the same vectors.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from statistics import median

from bench.stats import machine

CHILD = """
import json, resource, sys, time
import numpy as np
from index.vectors import VectorIndex, choose_spec

count = int(sys.argv[1])
chunk = 8192

def rss_mb():
    with open("/proc/self/status") as status:
        return round(next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024)

def chunks():
    generator = np.random.default_rng(17)
    for start in range(0, count, chunk):
        rows = generator.standard_normal((min(chunk, count - start), 384), dtype=np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        yield rows, np.arange(start, start + len(rows), dtype=np.int64)

folder = None
try:  # the compressed kind keeps each vector in the database too (index/exact_vectors.py)
    import tempfile
    from pathlib import Path
    from index.exact_vectors import ExactVectors
    from index.store import Store
    folder = tempfile.mkdtemp(dir=sys.argv[2] if len(sys.argv) > 2 else None)
    empty = VectorIndex.empty(384, ExactVectors(Store.open_for_build(Path(folder) / "newsdesk.db"), 384))
except ImportError:  # code from before it
    empty = VectorIndex.empty(384)
spec = choose_spec(count)
before = rss_mb()
started = time.perf_counter()
try:
    built = empty.rebuilt_as(spec, chunks)
except TypeError:  # code before the spool (--code an older checkout) takes the chunks once
    built = empty.rebuilt_as(spec, chunks())
seconds = time.perf_counter() - started
peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps({
    "vectors": built.count, "index": spec.describe(), "seconds": round(seconds, 1),
    "rss_before_mb": before, "peak_rss_mb": peak, "added_by_the_step_mb": peak - before,
    "rss_after_mb": rss_mb(),
}))
if folder is not None:
    import shutil
    shutil.rmtree(folder)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=1_050_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument(
        "--scratch", type=Path, help="Where the compressed kind's database goes (default /tmp)."
    )
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.vectors), *([str(args.scratch)] if args.scratch else [])],
            cwd=args.code,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]), flush=True)
    summary = {
        key: median(run[key] for run in runs)
        for key in ("seconds", "rss_before_mb", "peak_rss_mb", "added_by_the_step_mb", "rss_after_mb")
    }
    print(json.dumps({"machine": machine(), "code": str(args.code), "runs": len(runs), **summary}, indent=2))


if __name__ == "__main__":
    main()
