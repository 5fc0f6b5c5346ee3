#!/usr/bin/env bash
# tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [tools/test.py ARGS...]; see srun.sh.
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: $0 PARTITION JOB_NAME CONFIG CHECKPOINT [test args]" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/srun.sh" "$1" "$2" test.py "$3" "$4" "${@:5}"
