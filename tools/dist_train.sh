#!/usr/bin/env bash
# tools/dist_train.sh CONFIG GPUS [TRAIN ARGS...]
# One training process per GPU with torchrun (per CPU process where there is no GPU: gloo).
# Several machines: set NNODES, NODE_RANK, MASTER_ADDR and PORT on each.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 CONFIG GPUS [tools/train.py arguments]" >&2; exit 2
fi
CONFIG=$1
GPUS=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python; fi
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m torch.distributed.run \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
  --nproc_per_node="$GPUS" \
  "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "${@:3}"
