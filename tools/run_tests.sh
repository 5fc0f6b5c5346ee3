#!/usr/bin/env bash
# Set up (or update) the environment, then run the whole test suite on CPU.
# Extra arguments go to pytest, e.g. `bash tools/run_tests.sh -k layer_decay`; `-n 0` runs the
# tests in this one process instead of 2 pytest-xdist workers (each test module on one worker,
# its module fixtures built once; each worker's torch on half the cores, tests/conftest.py).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/tools/setup_env.sh" --for-here
cd "$ROOT"
exec "${MMCONVNEXT_VENV:-$ROOT/.venv}/bin/python" -m pytest -n 2 --dist loadscope tests "$@"
