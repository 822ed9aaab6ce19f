"""What a build holds before it embeds: every sentence written and waiting for a vector.

    .venv/bin/python -m bench.bench_waiting FILE_OR_DIR [...] [--runs 1]

Runs `build_index` over the inputs in a child process whose encoder stops the build at its first
call, when every new sentence is stored and waiting, and reports the lines waiting, the seconds
taken to get there, and the child's resident memory at that moment and at its peak (the model is
loaded by then, as in a real build). Nothing is embedded, so a million sentences take minutes, not
hours; `--code` runs another checkout's build (a `git worktree` of an older commit), so two
commits compare on the same inputs: what the writer keeps in memory per waiting sentence.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from bench.stats import machine

CHILD = """
import json, resource, sys, time
from pathlib import Path
from index.build import build_index
from index.config import Settings
from index.embedder import Embedder

started = time.perf_counter()

class Stop(Exception):
    pass

def stop(self, texts, **kwargs):
    with open("/proc/self/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    waiting = self._waiting
    print(json.dumps({
        "seconds_to_encoder": round(time.perf_counter() - started, 1),
        "rss_at_encoder_mb": round(rss / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "texts_to_encode": waiting,
    }))
    raise Stop

def counted(self, texts, **kwargs):
    self._waiting = len(texts)
    return original(self, texts, **kwargs)

original = Embedder.encode_chunks
Embedder.encode_chunks = counted
Embedder.encode = stop
index_dir, *paths = sys.argv[1:]
try:
    build_index(Settings(index_dir=Path(index_dir)), [Path(p) for p in paths], embedder=Embedder(Settings()),
                quiet=True)
except Stop:
    pass
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--code",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="A checkout whose build to run.",
    )
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="newsdesk-waiting-") as work:
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(Path(work) / "index"),
                    *(str(p.resolve()) for p in args.inputs),
                ],
                cwd=args.code,
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]))
    for key in results[0]:
        print(f"{key}: median {median(r[key] for r in results)}")


if __name__ == "__main__":
    main()
