#!/usr/bin/env bash
# tools/dist_test.sh CONFIG CHECKPOINT GPUS [tools/test.py ARGS...]
# One test process per GPU (per CPU process where there is no GPU: gloo); see torchrun.sh.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 CONFIG CHECKPOINT GPUS [tools/test.py arguments]" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/torchrun.sh" "$3" test.py "$1" "$2" "${@:4}"
