#!/usr/bin/env bash
# tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [tools/train.py ARGS...]; see srun.sh.
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: $0 PARTITION JOB_NAME CONFIG WORK_DIR [train args]" >&2; exit 2; }
exec "$(dirname "${BASH_SOURCE[0]}")/srun.sh" "$1" "$2" train.py "$3" --work-dir="$4" "${@:5}"
