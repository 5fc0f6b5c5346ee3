#!/usr/bin/env bash
# tools/torchrun.sh NPROC SCRIPT [ARGS...]: run tools/SCRIPT in NPROC processes with torchrun
# and --launcher pytorch (used by dist_train.sh and dist_test.sh). Several machines: set
# NNODES, NODE_RANK, MASTER_ADDR and PORT on each; the nodes first meet there, and one that
# has not come within JOIN_TIMEOUT seconds (default 600) is named (mmconvnext/cli/rendezvous.py).
# PYTHON defaults to the checkout's .venv.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python; fi
fi
NNODES=${NNODES:-1} NODE_RANK=${NODE_RANK:-0} MASTER_ADDR=${MASTER_ADDR:-127.0.0.1} PORT=${PORT:-29500}
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
if (( NNODES > 1 )); then
  TORCH_CPP_LOG_LEVEL=FATAL "$PYTHON" -m mmconvnext.cli.rendezvous \
    "$NNODES" "$NODE_RANK" "$MASTER_ADDR" "$PORT" "${JOIN_TIMEOUT:-600}"
fi
exec "$PYTHON" -m torch.distributed.run \
  --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
  --master_port="$PORT" --nproc_per_node="$1" "$ROOT/tools/$2" "${@:3}" --launcher pytorch
