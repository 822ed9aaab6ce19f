"""Benchmarks: run from the repo root, e.g. `.venv/bin/python -m bench.bench_build`."""
