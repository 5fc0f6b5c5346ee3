#!/usr/bin/env bash
# tools/torchrun.sh NPROC SCRIPT [ARGS...]: run tools/SCRIPT in NPROC processes with torchrun
# and --launcher pytorch (used by dist_train.sh and dist_test.sh). Several machines: set
# NNODES, NODE_RANK, MASTER_ADDR and PORT on each. PYTHON defaults to the checkout's .venv.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python; fi
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m torch.distributed.run \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
  --nproc_per_node="$1" "$ROOT/tools/$2" "${@:3}" --launcher pytorch
