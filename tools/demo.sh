#!/usr/bin/env bash
# The main job on the bundled demo data, on whatever device is here:
#   set up the environment, generate the data (if absent), train the demo model with
#   tools/dist_train.sh (one process per GPU; NPROC CPU processes where there is none),
#   evaluate it, save a checkpoint, and draw its predictions on a few validation images.
#
#   bash tools/demo.sh           # Mask R-CNN ConvNeXt-T: COCO bbox + segm AP, pictures
#   bash tools/demo.sh seg       # UperNet ConvNeXt-T: mIoU, pictures
#
#   NPROC (default: GPU count, else 2)   WORK_DIR (default: work_dirs/demo_<task>)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TASK=${1:-det}
case $TASK in
  # a few minutes of training from scratch leave detection scores low: draw boxes from 0.15
  det) CONFIG=configs/demo/mask_rcnn_convnext_t_shapes.py; DATA=data/demo/coco/val
       INFER_ARGS=(--score-thr 0.15) ;;
  seg) CONFIG=configs/demo/upernet_convnext_t_shapes.py; DATA=data/demo/ade/images/validation
       INFER_ARGS=() ;;
  *) echo "usage: $0 [det|seg]" >&2; exit 2 ;;
esac
WORK_DIR=${WORK_DIR:-work_dirs/demo_$TASK}
start=$(date +%s)

bash tools/setup_env.sh
PY=${MMCONVNEXT_VENV:-$ROOT/.venv}/bin/python
"$PY" tools/data/make_demo_data.py --out data/demo
if [[ -z ${NPROC:-} ]]; then
  NPROC=$("$PY" -c 'import torch; print(torch.cuda.device_count() or 2)')
fi

echo "== training $CONFIG on $NPROC process(es); logs and checkpoints in $WORK_DIR"
PYTHON=$PY bash tools/dist_train.sh "$CONFIG" "$NPROC" --work-dir "$WORK_DIR"
CHECKPOINT=$(cat "$WORK_DIR/last_checkpoint")

echo "== drawing predictions of $CHECKPOINT"
mapfile -t IMAGES < <(find "$DATA" -name '*.jpg' | sort | head -n 4)
"$PY" tools/infer.py "$CONFIG" "$CHECKPOINT" "${IMAGES[@]}" --out-dir "$WORK_DIR/pictures" \
  "${INFER_ARGS[@]}"

echo "== done in $(( $(date +%s) - start )) s"
echo "   metrics:     $(grep -hoE '(coco/bbox_mAP: .*data_time|aAcc: .*mAcc: [0-9.]+)' \
  "$(ls -t "$WORK_DIR"/*/*.log | head -n 1)" | tail -n 1 | sed 's/  data_time//')"
echo "   log:         $(ls -t "$WORK_DIR"/*/*.log | head -n 1)"
echo "   checkpoint:  $CHECKPOINT"
echo "   pictures:    $ROOT/$WORK_DIR/pictures/vis"
