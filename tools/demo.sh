#!/usr/bin/env bash
# The main job on the bundled demo data, the paper's workflow in miniature, on whatever device
# is here:
#   1. set up the environment and generate the demo data (if absent);
#   2. pretrain the backbone as an image classifier (mmpretrain's ImageClassifier with our
#      ConvNeXt) on the demo's classification images and convert it to a backbone checkpoint,
#      once: later runs reuse it while its config, length and data are unchanged;
#   3. fine-tune the detector (det) or segmenter (seg) from that checkpoint with
#      tools/dist_train.sh, evaluate it on the held-out validation images, save checkpoints;
#   4. draw its predictions on held-out validation images (detections scoring 0.6 or more: as
#      many right boxes as at 0.5 and fewer that match no shape, docs/benchmarks.md).
#
#   bash tools/demo.sh           # Mask R-CNN: COCO bbox + segm AP, pictures
#   bash tools/demo.sh seg       # UperNet: mIoU, pictures
#   SKIP_SETUP=1 BACKBONE=ckpt.pth bash tools/demo.sh    # a machine without PyPI or mmpretrain
#
# ARCH: t (ConvNeXt-T with the paper's heads; the default where there is a GPU), atto
#   (ConvNeXt-atto with narrower heads, cheap enough for a CPU; the default where there is
#   none), t_v2 / atto_v2 (the same with the ConvNeXt V2 block)
# NPROC: training processes (default: one per GPU, else 2)
# PRETRAIN_EPOCHS: pretraining length (default: 4 for det, within the CPU demo's time bound; 12
#   for seg, whose mIoU rises with the backbone's accuracy, docs/benchmarks.md)
# WORK_DIR: logs, checkpoints, pictures (default: work_dirs/demo_<task>_<arch>)
# SKIP_SETUP=1: skip step 1's set-up and run in the Python environment as it is: PYTHON
#   (default python3), e.g. the carried stack of .gpu/on_device.sh
# BACKBONE: fine-tune from this backbone checkpoint instead of pretraining one (step 2 skipped,
#   so mmpretrain is not needed): any layout tools/convert_checkpoint.py reads, checked against
#   ARCH's architecture (V1 or V2 block included)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TASK=${1:-det}
[[ $TASK == det || $TASK == seg ]] || { echo "usage: $0 [det|seg]" >&2; exit 2; }
EPOCHS=${PRETRAIN_EPOCHS:-$([[ $TASK == det ]] && echo 4 || echo 12)}
[[ $EPOCHS =~ ^[1-9][0-9]*$ ]] || {
  echo "PRETRAIN_EPOCHS must be a whole number of epochs >= 1, got '$EPOCHS'" >&2; exit 2; }
SKIP_SETUP=${SKIP_SETUP:-0}
[[ $SKIP_SETUP == 0 || $SKIP_SETUP == 1 ]] || {
  echo "SKIP_SETUP must be 0 or 1, got '$SKIP_SETUP'" >&2; exit 2; }
GIVEN_BACKBONE=${BACKBONE:-}
if [[ -n $GIVEN_BACKBONE ]]; then
  [[ -f $GIVEN_BACKBONE ]] || { echo "BACKBONE: no such file: '$GIVEN_BACKBONE'" >&2; exit 2; }
  [[ $GIVEN_BACKBONE == /* ]] || GIVEN_BACKBONE=$PWD/$GIVEN_BACKBONE  # before the cd below
fi
cd "$ROOT"
start=$(date +%s)

if [[ $SKIP_SETUP == 1 ]]; then
  PY=${PYTHON:-python3}
  echo "== SKIP_SETUP=1: no set-up, running in $PY's environment as it is"
else
  bash tools/setup_env.sh --for-here
  PY=${MMCONVNEXT_VENV:-$ROOT/.venv}/bin/python
fi
"$PY" tools/data/make_demo_data.py --out data/demo
GPUS=$("$PY" -c 'import torch; print(torch.cuda.device_count())')
NPROC=${NPROC:-$(( GPUS > 0 ? GPUS : 2 ))}
ARCH=${ARCH:-$( (( GPUS > 0 )) && echo t || echo atto)}
case $ARCH in
  t|t_v2) ARCH_NAME=tiny ;;
  atto|atto_v2) ARCH_NAME=atto ;;
  *) echo "ARCH must be t, atto, t_v2 or atto_v2, got '$ARCH'" >&2; exit 2 ;;
esac
case $TASK in
  det) CONFIG=configs/demo/mask_rcnn_convnext_${ARCH}_shapes.py; DATA=data/demo/coco/val ;;
  seg) CONFIG=configs/demo/upernet_convnext_${ARCH}_shapes.py; DATA=data/demo/ade/images/validation ;;
esac
WORK_DIR=${WORK_DIR:-work_dirs/demo_${TASK}_$ARCH}

if [[ -n $GIVEN_BACKBONE ]]; then
  # the given weights in our backbone format, refused unless they fit ARCH (a misfit would
  # otherwise load with warnings only and fine-tune from random weights)
  BACKBONE=$WORK_DIR/backbone.pth
  mkdir -p "$WORK_DIR"
  echo "== fine-tuning from the given backbone $GIVEN_BACKBONE (no pretraining)"
  "$PY" tools/convert_checkpoint.py "$GIVEN_BACKBONE" "$BACKBONE" --arch "$ARCH_NAME"
  "$PY" -c 'import sys, torch
grn = any(".grn." in k for k in torch.load(sys.argv[1], map_location="cpu")["state_dict"])
sys.exit(0 if grn == sys.argv[2].endswith("_v2") else "BACKBONE %s has %s block, ARCH=%s the %s"
         % (sys.argv[3], "the V2" if grn else "the V1", sys.argv[2],
            "V2" if sys.argv[2].endswith("_v2") else "V1"))' "$BACKBONE" "$ARCH" "$GIVEN_BACKBONE"
  pretrain_result="none (BACKBONE=$GIVEN_BACKBONE)"
else
  # the backbone's pretraining: convnext_<arch>_shapes_cls.py, and for the CPU segmenter its own
  # (layer scale from 1.0, convnext_atto_seg_shapes_cls.py)
  PRETRAIN=$ARCH
  [[ $TASK == seg && $ARCH == atto ]] && PRETRAIN=atto_seg
  PRETRAIN_CONFIG=configs/demo/convnext_${PRETRAIN}_shapes_cls.py
  PRETRAIN_DIR=work_dirs/demo_pretrain_${PRETRAIN}_${EPOCHS}ep
  BACKBONE=$PRETRAIN_DIR/backbone.pth
  # the cache key: the pretraining config as resolved (its _base_ files included), the data,
  # the length
  RESOLVED=$("$PY" -W ignore -c 'import sys; from mmengine.config import Config
print(Config.fromfile(sys.argv[1]).pretty_text)' "$PRETRAIN_CONFIG")
  STAMP=$(printf '%s\n%s\nepochs=%s\n' "$RESOLVED" "$(cat data/demo/cls/.complete)" "$EPOCHS" \
          | sha256sum | cut -c1-16)
  if [[ -f $BACKBONE && $(cat "$BACKBONE.stamp" 2>/dev/null) == "$STAMP" ]]; then
    echo "== reusing the pretrained backbone $BACKBONE (delete it to pretrain again)"
  else
    "$PY" -c 'import mmpretrain' 2>/dev/null || {
      echo "pretraining needs mmpretrain, which $PY cannot import; set BACKBONE to a backbone" \
           "checkpoint to fine-tune from instead" >&2; exit 1; }
    echo "== pretraining ConvNeXt-$ARCH_NAME as a classifier ($PRETRAIN_CONFIG, $EPOCHS epochs)" \
         "on $NPROC process(es)"
    rm -f "$BACKBONE" "$BACKBONE.stamp"
    PYTHON=$PY bash tools/dist_train.sh "$PRETRAIN_CONFIG" "$NPROC" --work-dir "$PRETRAIN_DIR" \
      --cfg-options train_cfg.max_epochs="$EPOCHS" train_cfg.val_interval="$EPOCHS" \
      param_scheduler.1.end="$EPOCHS" default_hooks.checkpoint.interval="$EPOCHS"
    "$PY" tools/convert_checkpoint.py "$(cat "$PRETRAIN_DIR/last_checkpoint")" "$BACKBONE" \
      --arch "$ARCH_NAME"
    echo "$STAMP" > "$BACKBONE.stamp"
  fi
  pretrain_log=$(ls -t "$PRETRAIN_DIR"/*/*.log | head -n 1)
  accuracy=$(grep -hoE 'accuracy/top1: [0-9.]+' "$pretrain_log" | tail -n 1)
  pretrain_result="$accuracy (held-out classification images)"
fi

echo "== fine-tuning $CONFIG from $BACKBONE on $NPROC process(es); logs and checkpoints in $WORK_DIR"
PYTHON=$PY bash tools/dist_train.sh "$CONFIG" "$NPROC" --work-dir "$WORK_DIR" \
  --cfg-options model.backbone.init_cfg.checkpoint="$BACKBONE"
CHECKPOINT=$(cat "$WORK_DIR/last_checkpoint")
log=$(ls -t "$WORK_DIR"/*/*.log | head -n 1)

echo "== drawing predictions of $CHECKPOINT on held-out images"
mapfile -t IMAGES < <(find "$DATA" -name '*.jpg' | sort | head -n 4)
"$PY" tools/infer.py "$CONFIG" "$CHECKPOINT" "${IMAGES[@]}" --out-dir "$WORK_DIR/pictures" \
  --score-thr 0.6

echo "== done in $(( $(date +%s) - start )) s"
echo "   pretraining: $pretrain_result"
echo "   metrics:     $(grep -hoE '(coco/bbox_mAP: .*data_time|aAcc: .*mAcc: [0-9.]+)' "$log" \
  | tail -n 1 | sed 's/  data_time//') (held-out validation images)"
echo "   log:         $log"
echo "   checkpoint:  $CHECKPOINT"
echo "   pictures:    $ROOT/$WORK_DIR/pictures/vis"
