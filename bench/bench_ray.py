"""Ray benchmark: one corpus built by the single process and with `--ray` (a local Ray instance).

    .venv/bin/python -m bench.bench_ray CORPUS [--runs 2] [--work DIR] [--ray ADDRESS]

Each run builds CORPUS from nothing twice, `newsdesk index build CORPUS --fresh` and the same
with `--ray` (alone: a Ray instance of this machine, one actor per core), in a child process,
alternating which goes first. Reports per build: wall time, the embedding step's seconds and
distinct sentences embedded a second, peak RSS of the newsdesk process, and peak memory of its
whole process tree (proportional set size, so pages shared between processes count once; Ray's
workers are in that tree); then the medians and Ray's ratios to the single process, and whether
the two indexes hold the same sentences and vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.stats import machine, median
from index.store import Store
from index.vectors import IndexSpec, VectorIndex
from index.versions import DB_NAME, VECTORS_NAME, current_version, read_meta

NEWSDESK = str(Path(sys.executable).parent / "newsdesk")
REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("corpus", type=Path, help="articles to build from (any format newsdesk reads)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsdesk-bench-ray")
    parser.add_argument("--ray", default="", help="a cluster's address (default: a local Ray instance)")
    args = parser.parse_args()

    load_before = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {"local": [], "ray": []}
    for number in range(args.runs):
        order = ["local", "ray"] if number % 2 == 0 else ["ray", "local"]
        for mode in order:
            index_dir = args.work / f"{mode}-{number}"
            extra = ["--ray", *([args.ray] if args.ray else [])] if mode == "ray" else []
            result = measure_build(args.corpus, index_dir, extra)
            runs[mode].append(result)
            print(f"run {number + 1} {mode}: {json.dumps(result)}", file=sys.stderr)
        same = compare(args.work / f"local-{number}", args.work / f"ray-{number}")
        runs["ray"][-1]["same_as_local"] = same

    summary = {mode: summarise(results) for mode, results in runs.items()}
    local, ray = summary["local"], summary["ray"]
    report = {
        "machine": machine(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "load_average_before": [round(x, 2) for x in load_before],
        "corpus": str(args.corpus),
        "runs": args.runs,
        "sentences_indexed": runs["local"][0]["sentences_total"],
        "sentences_embedded": runs["local"][0]["sentences_embedded"],
        "median": summary,
        "ray_over_local": {
            "wall": round(ray["wall_s"] / local["wall_s"], 3),
            "embed_seconds": round(ray["embed_s"] / local["embed_s"], 3),
            "embed_rate": round(ray["embedded_per_s"] / local["embedded_per_s"], 3),
            "tree_peak_pss": round(ray["tree_peak_pss_mb"] / local["tree_peak_pss_mb"], 3),
        },
        "per_run": runs,
    }
    print(json.dumps(report, indent=2))


def measure_build(corpus: Path, index_dir: Path, extra: list[str]) -> dict[str, Any]:
    command = [NEWSDESK, "index", "build", str(corpus), "--index", str(index_dir), "--fresh", "--json", "-q"]
    started = time.perf_counter()
    build = subprocess.Popen([*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = {"own_rss": 0, "tree_pss": 0}
    watcher = threading.Thread(target=watch_memory, args=(build, peaks), daemon=True)
    watcher.start()
    out, err = build.communicate()
    wall = time.perf_counter() - started
    watcher.join()
    if build.returncode not in (0, 1) or not out.strip():
        sys.exit(f"build failed ({build.returncode}):\n{err}")
    report = json.loads(out)
    return {
        "wall_s": round(wall, 1),
        "embed_s": round(report["embed_seconds"], 1),
        "embedded_per_s": round(report["sentences_embedded"] / report["embed_seconds"], 1),
        "own_peak_rss_mb": round(peaks["own_rss"] / 1024),
        "tree_peak_pss_mb": round(peaks["tree_pss"] / 1024),
        "sentences_total": report["sentences_total"],
        "sentences_embedded": report["sentences_embedded"],
    }


def watch_memory(build: subprocess.Popen[str], peaks: dict[str, int]) -> None:
    """Sample the build's own RSS and its process tree's PSS (kB) every half second until it ends."""
    while build.poll() is None:
        tree = descendants(build.pid)
        peaks["own_rss"] = max(peaks["own_rss"], memory_kb(build.pid, "VmHWM:", "status"))
        tree_pss = sum(memory_kb(pid, "Pss:", "smaps_rollup") for pid in tree)
        peaks["tree_pss"] = max(peaks["tree_pss"], tree_pss)
        time.sleep(0.5)


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_kb(pid: int, field: str, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def compare(local_dir: Path, ray_dir: Path) -> dict[str, Any]:
    """Same sentence rows, and the largest difference between the two indexes' vectors."""
    rows, vectors = [], []
    for index_dir in (local_dir, ray_dir):
        version = current_version(index_dir)
        assert version is not None
        store = Store.open_read_only(version / DB_NAME)
        rows.append(store.db.execute("SELECT id, text, kind FROM sentences ORDER BY id").fetchall())
        store.close()
        prose = [i for i, _, kind in rows[-1] if kind == "text"]
        spec = IndexSpec(**read_meta(version)["index"])
        vectors.append(VectorIndex.load(version / VECTORS_NAME, spec).reconstruct(prose))
    return {
        "same_sentences": rows[0] == rows[1],
        "vectors": len(vectors[0]),
        "largest_difference": float(np.abs(vectors[0] - vectors[1]).max()),
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, float]:
    keys = ["wall_s", "embed_s", "embedded_per_s", "own_peak_rss_mb", "tree_peak_pss_mb"]
    return {key: round(median([r[key] for r in results]), 1) for key in keys}


if __name__ == "__main__":
    main()
