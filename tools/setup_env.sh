#!/usr/bin/env bash
# Create or update the Python environment for mmconvnext: torch, the OpenMMLab stack with
# mmcv's compiled ops, mmconvnext itself (editable) and the test tools. Idempotent.
#
#   MMCONVNEXT_VENV   where the environment lives        (default: <checkout>/.venv)
#   MMCONVNEXT_CACHE  where the built mmcv wheel is kept (default: ~/.cache/mmconvnext)
#
# mmcv ships only as source; its ops take ~23 min to compile on 2 cores. The wheel is built
# once per (mmcv, torch, python) and kept in MMCONVNEXT_CACHE, never in pip's own cache, which
# keys wheels by the sdist alone and would hand a wheel built against another torch to a new
# environment.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MMCONVNEXT_VENV:-$ROOT/.venv}
CACHE=${MMCONVNEXT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmconvnext}
PYTHON=${PYTHON:-python3}
TORCH=2.13.0
TORCHVISION=0.28.0
MMCV=2.1.0
REQ=$ROOT/requirements

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# The machine's pip config adds a find-links folder holding a torch+cpu wheel without a usable
# torchvision; read the registry only.
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL
export PIP_DISABLE_PIP_VERSION_CHECK=1

stamp_of() { cat "$REQ"/*.txt "$ROOT/setup.py" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16; }
STAMP_FILE=$VENV/.mmconvnext-setup
if [[ -x $VENV/bin/python && -f $STAMP_FILE && $(cat "$STAMP_FILE") == "$(stamp_of)" ]] &&
   "$VENV/bin/python" -c 'import mmconvnext, mmdet, mmseg, mmpretrain; from mmcv.ops import RoIAlign, nms' 2>/dev/null; then
  log "environment $VENV is up to date"
  exit 0
fi

if [[ ! -x $VENV/bin/python ]]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY=$VENV/bin/python
pip() { "$PY" -m pip "$@"; }
C=(-c "$REQ/constraints.txt")

log "torch $TORCH, torchvision $TORCHVISION and build tools"
pip install -q "${C[@]}" "torch==$TORCH" "torchvision==$TORCHVISION" \
  'setuptools<81' wheel ninja 'numpy<2'

TAG=$("$PY" -c 'import sys, torch; print("torch%s-cp%d%d" % (torch.__version__.split("+")[0], *sys.version_info[:2]))')
WHEELS=$CACHE/wheels/$TAG
shopt -s nullglob
cached=("$WHEELS"/mmcv-"$MMCV"-*.whl)
if (( ${#cached[@]} == 0 )); then
  log "building mmcv $MMCV with ops against $TAG (about 23 min on 2 cores) into $WHEELS"
  mkdir -p "$WHEELS"
  tmp=$(mktemp -d "$WHEELS/.build.XXXXXX")
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
    pip wheel --no-build-isolation --no-deps --no-cache-dir -w "$tmp" "mmcv==$MMCV"
  built=("$tmp"/mmcv-*.whl)
  mv "${built[0]}" "$WHEELS/"          # atomic on the same file system: no half-written wheel
  rm -rf "$tmp"
  cached=("$WHEELS"/mmcv-"$MMCV"-*.whl)
else
  log "reusing cached ${cached[0]}"
fi

log "mmcv, OpenMMLab stack, mmconvnext (editable) and test tools"
pip install -q "${C[@]}" "${cached[0]}" -r "$REQ/stack.txt" -r "$REQ/tests.txt"
pip install -q "${C[@]}" --no-build-isolation --no-deps -e "$ROOT"

if ! "$PY" -c 'from mmcv.ops import RoIAlign, nms, RoIPool' 2>/dev/null; then
  echo "ERROR: mmcv's compiled ops do not load in $VENV (the wheel ${cached[0]} was built" \
       "without them or against another torch). Delete it and run this script again." >&2
  "$PY" -c 'from mmcv.ops import RoIAlign' || true
  exit 1
fi
"$PY" -c 'import mmconvnext, mmdet, mmseg, mmpretrain, torchvision, torch
print("torch", torch.__version__, "| mmdet", mmdet.__version__, "| mmseg", mmseg.__version__,
      "| mmpretrain", mmpretrain.__version__)'
stamp_of > "$STAMP_FILE"
log "environment $VENV is ready"
