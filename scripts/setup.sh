#!/usr/bin/env bash
# Creates .venv/ and installs newsdesk into it, CPU PyTorch first. Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# A bare `torch` requirement pulls a multi-GB CUDA build; install the CPU build first.
# Elsewhere, set TORCH_SPEC (and PIP_EXTRA_INDEX_URL to PyTorch's CPU wheel index) as needed.
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
PYTHON="${PYTHON:-python3}"
stamp=.venv/.newsdesk-setup
wanted="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1) $TORCH_SPEC"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -x .venv/bin/newsdesk ]; then
  exit 0
fi
echo "Setting up .venv (CPU PyTorch, then newsdesk and its pinned dependencies)..." >&2
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip_install() {
  # Some machines' pip configuration names index folders that do not exist; hide that noise only.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; }
}
pip_install "$TORCH_SPEC"
# The ray extra too: the test suite runs the Ray build path on a local Ray instance.
pip_install -c constraints.txt -e '.[dev,ray]'
echo "$wanted" > "$stamp"
echo "Ready: .venv/bin/newsdesk" >&2
