#!/usr/bin/env bash
# The prepared check of the stack on a lent GPU machine (issue #40): the CUDA-op check, short
# fp16 / bf16 trainings of the paper's Mask R-CNN, Cascade Mask R-CNN and UperNet configs on the
# demo data with a test of each checkpoint, the paper's speed measure and the backbone benchmark,
# into one markdown report ($OUT/gpu_check.md where $OUT is set) rewritten after every step.
# Each stage has its own time limit; together they stay inside one device command. The plan and
# its limits: tools/gpu_check.py.
#
#   source .gpu/on_device.sh && bash tools/gpu_check.sh          everything (part1, then part2)
#   source .gpu/on_device.sh && bash tools/gpu_check.sh part1    op check, data, trainings, tests
#   source .gpu/on_device.sh && bash tools/gpu_check.sh part2    data, benchmarks
#   bash tools/gpu_check.sh --dry-run [part]                     print every command; run nothing
#   bash tools/gpu_check.sh [part] --only STEP,... --iters N --val-images N --work-dir DIR
#
# PYTHON: the interpreter (default: the checkout's .venv where there is one, else python3;
# on_device.sh sets python3, whose PYTHONPATH holds the carried stack)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi
action=run
args=()
for arg in "$@"; do
  if [[ $arg == --dry-run ]]; then action=plan; else args+=("$arg"); fi
done
exec "$PYTHON" tools/gpu_check.py "$action" "${args[@]}"
