#!/usr/bin/env bash
# tools/dist_test.sh CONFIG CHECKPOINT GPUS [TEST ARGS...]
# One test process per GPU with torchrun (per CPU process where there is no GPU: gloo).
# Several machines: set NNODES, NODE_RANK, MASTER_ADDR and PORT on each.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 CONFIG CHECKPOINT GPUS [tools/test.py arguments]" >&2; exit 2
fi
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python; fi
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m torch.distributed.run \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
  --nproc_per_node="$GPUS" \
  "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
