#!/usr/bin/env bash
# tools/dist_train.sh CONFIG GPUS [tools/train.py ARGS...]
# One training process per GPU (per CPU process where there is no GPU: gloo); see torchrun.sh.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 CONFIG GPUS [tools/train.py arguments]" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/torchrun.sh" "$2" train.py "$1" "${@:3}"
