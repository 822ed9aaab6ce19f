#!/usr/bin/env bash
# Sets up .venv if needed, then lint (ruff), types (mypy on index/ and bot/) and the test suite (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
