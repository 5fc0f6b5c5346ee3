#!/usr/bin/env bash
# Set up (or update) the environment, then run the whole test suite on CPU.
# Extra arguments go to pytest, e.g. `bash tools/run_tests.sh -k layer_decay`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/tools/setup_env.sh" --for-here
cd "$ROOT"
exec "${MMCONVNEXT_VENV:-$ROOT/.venv}/bin/python" -m pytest tests "$@"
