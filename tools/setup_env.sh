#!/usr/bin/env bash
# Create or update the Python environment for mmconvnext: torch, the OpenMMLab stack with
# mmcv's compiled ops, mmconvnext itself (editable) and the test tools. Idempotent.
#
#   bash tools/setup_env.sh             set up (or check) the environment
#   bash tools/setup_env.sh --plan      print what mmcv's ops would be built for, change nothing
#   bash tools/setup_env.sh --check-ops run mmcv's nms and RoIAlign on the GPU in the existing
#                                       environment (the check set-up ends with), change nothing
#   bash tools/setup_env.sh --for-here  what this machine needs to run now (tools/demo.sh,
#                                       tools/run_tests.sh): CUDA ops where a GPU is visible,
#                                       else CPU ops, which an environment with CUDA ops also has
#
#   MMCONVNEXT_VENV   where the environment lives        (default: <checkout>/.venv)
#   MMCONVNEXT_CACHE  where built mmcv wheels are kept   (default: ~/.cache/mmconvnext)
#   MMCONVNEXT_OPS    cuda, cpu or auto (default; with --for-here: here): auto builds CUDA ops
#                     wherever a CUDA toolkit is found (nvcc on PATH or in CUDA_HOME), GPU
#                     visible or not (a login node), and stops where a GPU is visible but no
#                     toolkit is found; here builds CUDA ops only where a GPU is visible
#   TORCH_CUDA_ARCH_LIST  GPU architectures of the CUDA ops, e.g. "9.0" (one, faster to build;
#                     default: every architecture the CUDA toolkit supports from 7.5 on)
#   MMCONVNEXT_TORCH_INDEX  pip index to take torch and torchvision from, e.g.
#                     https://download.pytorch.org/whl/cu126 for a CUDA 12 toolkit (default:
#                     PyPI, whose torch is a CUDA 13.0 build)
#
# mmcv ships only as source; compiling its ops is most of a first set-up (docs/benchmarks.md).
# The wheel is built once per (mmcv, torch, python, ops: cpu or CUDA version and architectures)
# and kept in MMCONVNEXT_CACHE, never in pip's own cache, which keys wheels by the sdist alone
# and would hand a wheel built against another torch, or without CUDA ops, to a new environment.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MMCONVNEXT_VENV:-$ROOT/.venv}
CACHE=${MMCONVNEXT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmconvnext}
PYTHON=${PYTHON:-python3}
TORCH=2.13.0
TORCHVISION=0.28.0
MMCV=2.1.0
REQ=$ROOT/requirements
PLAN_ONLY=0
CHECK_ONLY=0
DEFAULT_OPS=auto
for arg in "$@"; do
  case $arg in
    --plan) PLAN_ONLY=1 ;;
    --check-ops) CHECK_ONLY=1 ;;
    --for-here) DEFAULT_OPS=here ;;
    *) echo "usage: $0 [--plan] [--check-ops] [--for-here]" >&2; exit 2 ;;
  esac
done

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The machine's pip config adds a find-links folder holding a torch+cpu wheel without a usable
# torchvision; read the registry only.
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL
export PIP_DISABLE_PIP_VERSION_CHECK=1

# -- what mmcv's ops are built for ------------------------------------------------------------
# Sets OPS (cpu|cuda), NVCC, CUDA_VERSION, ARCH_LIST and OPS_KEY (part of the wheel cache key).
# Needs torch in $PY; stops, before any build, where the build would fail or come out wrong.
default_arch_list() {  # the architectures a CUDA toolkit of major version $1 supports, >= 7.5
  case $1 in
    11) echo '7.5;8.0;8.6+PTX' ;;
    12) echo '7.5;8.0;8.6;8.9;9.0+PTX' ;;
    *) echo '7.5;8.0;8.6;8.9;9.0;10.0;12.0+PTX' ;;
  esac
}
torch_facts() {  # TAG (torch and python versions), TORCH_VERSION, TORCH_CUDA of $PY, read
  # from torch/version.py without importing torch (seconds saved on every check)
  read -r TAG TORCH_VERSION TORCH_CUDA < <("$PY" -c 'import importlib.util, os, sys
spec = importlib.util.find_spec("torch")
facts = {}
exec(open(os.path.join(os.path.dirname(spec.origin), "version.py")).read(), facts)
version = facts["__version__"]
print("torch%s-cp%d%d" % (version.split("+")[0], *sys.version_info[:2]), version,
      facts.get("cuda") or "")' 2>/dev/null) || true
  [[ -n ${TAG:-} ]] || die "cannot find torch's version in $PY's environment"
}
plan_ops() {
  torch_facts
  local mode=${MMCONVNEXT_OPS:-$DEFAULT_OPS}
  [[ $mode == auto || $mode == here || $mode == cuda || $mode == cpu ]] ||
    die "MMCONVNEXT_OPS must be auto, here, cuda or cpu, got '$mode'"
  NVCC=$(command -v nvcc 2>/dev/null || true)
  if [[ -z $NVCC && -n ${CUDA_HOME:-} && -x $CUDA_HOME/bin/nvcc ]]; then
    NVCC=$CUDA_HOME/bin/nvcc
  fi
  GPUS=$( (nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU' || true)
  OPS=cpu
  if [[ $mode == cuda || ($mode == auto && -n $NVCC) ||
        ($mode == here && $GPUS -gt 0 && -n $NVCC) ]]; then
    OPS=cuda
  elif [[ ($mode == auto || $mode == here) && $GPUS -gt 0 ]]; then
    die "$GPUS GPU(s) visible (nvidia-smi) but no CUDA toolkit: no nvcc on PATH or in" \
        "CUDA_HOME='${CUDA_HOME:-}'. mmcv's ops would be built for CPU only and RoIAlign would" \
        "fail at its first CUDA call. Load a CUDA toolkit (e.g. 'module load cuda') or set" \
        "CUDA_HOME; or set MMCONVNEXT_OPS=cpu to build CPU-only ops anyway."
  fi
  if [[ $OPS == cpu ]]; then
    CUDA_VERSION=; ARCH_LIST=; OPS_KEY=cpu
    return
  fi
  [[ -n $NVCC ]] || die "MMCONVNEXT_OPS=cuda but no CUDA toolkit: no nvcc on PATH or in" \
                        "CUDA_HOME='${CUDA_HOME:-}'"
  CUDA_VERSION=$("$NVCC" --version | sed -n 's/.*release \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
  [[ -n $CUDA_VERSION ]] || die "cannot read the CUDA version from '$NVCC --version'"
  [[ -n $TORCH_CUDA ]] || die "torch $TORCH_VERSION" \
    "in $VENV is a CPU-only build and cannot build CUDA ops with nvcc $CUDA_VERSION ($NVCC)." \
    "Set MMCONVNEXT_TORCH_INDEX to a CUDA build's index (e.g." \
    "https://download.pytorch.org/whl/cu${CUDA_VERSION%%.*}0), or MMCONVNEXT_OPS=cpu."
  if [[ ${TORCH_CUDA%%.*} != "${CUDA_VERSION%%.*}" ]]; then
    die "nvcc $CUDA_VERSION ($NVCC) and torch's CUDA $TORCH_CUDA differ in major version;" \
        "torch's extension builder refuses that after minutes of compiling. Install a torch" \
        "built for CUDA ${CUDA_VERSION%%.*}: MMCONVNEXT_TORCH_INDEX=https://download.pytorch.org/whl/cuXXX" \
        "(the index of your CUDA version, e.g. cu${CUDA_VERSION/./} if it exists for torch $TORCH)" \
        "bash tools/setup_env.sh — or put a CUDA ${TORCH_CUDA%%.*} toolkit first on PATH."
  fi
  ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$(default_arch_list "${CUDA_VERSION%%.*}")}
  local arch
  for arch in ${ARCH_LIST//;/ }; do
    [[ $arch =~ ^[0-9]+\.[0-9]+[a-z]?(\+PTX)?$ ]] ||
      die "TORCH_CUDA_ARCH_LIST must list compute capabilities like '8.0;9.0+PTX', got" \
          "'$ARCH_LIST' (bad entry '$arch')"
  done
  CUDA_ROOT=${CUDA_HOME:-$(dirname "$(dirname "$NVCC")")}
  OPS_KEY=cu${CUDA_VERSION/./}-sm$(echo "${ARCH_LIST//;/ }" | tr ' ' '\n' | sed 's/+PTX/p/; s/\.//' | paste -sd_ -)
}
build_flags() {  # the environment of mmcv's build
  if [[ $OPS == cuda ]]; then
    # mmcv builds CUDA ops only where torch sees a GPU, unless FORCE_CUDA=1
    echo "MMCV_WITH_OPS=1 FORCE_CUDA=1 TORCH_CUDA_ARCH_LIST=$ARCH_LIST CUDA_HOME=$CUDA_ROOT"
  else
    echo "MMCV_WITH_OPS=1 FORCE_CUDA=0"
  fi
}
describe_ops() {
  if [[ $OPS == cpu ]]; then
    echo "mmcv ops for CPU (MMCONVNEXT_OPS=${MMCONVNEXT_OPS:-$DEFAULT_OPS}, GPUs visible: $GPUS," \
         "CUDA toolkit: ${NVCC:-none found})"
  else
    local n
    n=$(echo "${ARCH_LIST//;/ }" | wc -w)
    echo "mmcv ops for CPU and CUDA $CUDA_VERSION ($NVCC), GPU architectures $ARCH_LIST" \
         "($n; about 5 min each on 16 cores, TORCH_CUDA_ARCH_LIST=<one> builds faster)"
  fi
}

PY=$VENV/bin/python
has_torch() { [[ -x $PY ]] && "$PY" -c 'import importlib.util as u, sys
sys.exit(u.find_spec("torch") is None)' 2>/dev/null; }
# "<hash of what is installed> <ops key>"
stamp_of() { echo "$(cat "$REQ"/*.txt "$ROOT/setup.py" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16) $OPS_KEY"; }
stamp_serves() {  # whether the environment's stamp serves the planned ops: the same, or CUDA
  local installed            # ops where CPU ops are asked for (mmcv's CUDA builds have both)
  installed=$(cat "$STAMP_FILE" 2>/dev/null) || return 1
  [[ $installed == "$(stamp_of)" ]] && return 0
  [[ $OPS == cpu && ${installed%% *} == "$(stamp_of | cut -d' ' -f1)" && ${installed#* } == cu* ]]
}
STAMP_FILE=$VENV/.mmconvnext-setup
gpu_visible_to_torch() { "$PY" -c 'import torch, sys; sys.exit(not torch.cuda.is_available())'; }
check_cuda_ops() {  # mmcv's nms and RoIAlign on CUDA tensors in $PY's environment, or die
  log "checking mmcv's CUDA ops on $("$PY" -c 'import torch; print(torch.cuda.get_device_name(0))')"
  # each step is named before it runs, so that a crash (a signal: no traceback) names it;
  # expected values by hand: no CPU op or other library is involved
  "$PY" - <<'PYEOF' || die "mmcv's CUDA ops do not run on this GPU (exit status $?; the last step named above failed); rebuild with a TORCH_CUDA_ARCH_LIST that includes its architecture"
import torch
print('  importing mmcv.ops', flush=True)
from mmcv.ops import RoIAlign, nms
print('  nms on CUDA tensors', flush=True)
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]], device='cuda')
_, keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7], device='cuda'), 0.5)
assert keep.tolist() == [0, 2], keep
print('  RoIAlign on CUDA tensors', flush=True)
feats = torch.arange(64., device='cuda').view(1, 1, 8, 8)  # value 8y + x
out = RoIAlign((2, 2), 1.0, 2, aligned=False)(feats, torch.tensor([[0., 0., 0., 4., 4.]], device='cuda'))
assert out.flatten().tolist() == [9., 11., 25., 27.], out  # means of 2x2 samples per bin
print('mmcv CUDA ops: nms and RoIAlign run on', torch.cuda.get_device_name(0))
PYEOF
}

if (( CHECK_ONLY )); then
  [[ -x $PY ]] || die "no environment at $VENV (MMCONVNEXT_VENV): nothing to check"
  gpu_visible_to_torch || die "no GPU visible to torch in $VENV" \
    "(torch.cuda.is_available() is False): mmcv's CUDA ops cannot be checked here"
  check_cuda_ops
  exit 0
fi

if (( PLAN_ONLY )); then
  has_torch || die "no torch in $VENV yet: run bash tools/setup_env.sh (without --plan) first"
  plan_ops
  echo "ops: $OPS"
  echo "cuda: ${CUDA_VERSION:-none}"
  echo "arch_list: ${ARCH_LIST:-none}"
  echo "wheel_cache: $CACHE/wheels/$TAG-$OPS_KEY"
  echo "build_flags: $(build_flags)"
  echo "$(describe_ops)"
  exit 0
fi

if [[ -f $STAMP_FILE ]] && has_torch; then
  plan_ops
  if stamp_serves &&
     "$PY" -c 'import mmconvnext, mmdet, mmseg, mmpretrain; from mmcv.ops import RoIAlign, nms' 2>/dev/null; then
    log "environment $VENV is up to date ($(describe_ops))"
    exit 0
  fi
fi

if [[ ! -x $PY ]]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
pip() { "$PY" -m pip "$@"; }
C=(-c "$REQ/constraints.txt")

log "torch $TORCH, torchvision $TORCHVISION and build tools"
TORCH_FROM=()
[[ -n ${MMCONVNEXT_TORCH_INDEX:-} ]] && TORCH_FROM=(--index-url "$MMCONVNEXT_TORCH_INDEX")
pip install -q "${C[@]}" "${TORCH_FROM[@]}" "torch==$TORCH" "torchvision==$TORCHVISION"
pip install -q "${C[@]}" 'setuptools<81' wheel ninja numpy

plan_ops
log "$(describe_ops)"
WHEELS=$CACHE/wheels/$TAG-$OPS_KEY
shopt -s nullglob
cached=("$WHEELS"/mmcv-"$MMCV"-*.whl)
if [[ $OPS == cpu && ${#cached[@]} == 0 ]]; then
  # wheels cached by (torch, python) alone, before the ops were part of the key: CPU ops are
  # in every mmcv build, so they serve CPU use (and never a CUDA one)
  cached=("$CACHE/wheels/$TAG"/mmcv-"$MMCV"-*.whl)
fi
if (( ${#cached[@]} == 0 )); then
  log "building mmcv $MMCV with ops against $TAG into $WHEELS, once"
  mkdir -p "$WHEELS"
  tmp=$(mktemp -d "$WHEELS/.build.XXXXXX")
  read -r -a flags <<< "$(build_flags)"
  env "${flags[@]}" "MAX_JOBS=${MAX_JOBS:-$(nproc)}" "$PY" -m pip wheel --no-build-isolation --no-deps --no-cache-dir \
    -w "$tmp" "mmcv==$MMCV"
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
if [[ $OPS == cuda ]]; then
  built_cuda=$("$PY" -c 'from mmcv.ops import get_compiling_cuda_version as v; print(v())')
  [[ $built_cuda != 'not available' ]] ||
    die "the mmcv wheel ${cached[0]} has no CUDA ops although they were asked for; delete it" \
        "and run this script again"
  gpu_visible_to_torch && check_cuda_ops
fi
"$PY" -c 'import mmconvnext, mmdet, mmseg, mmpretrain, torchvision, torch
print("torch", torch.__version__, "| mmdet", mmdet.__version__, "| mmseg", mmseg.__version__,
      "| mmpretrain", mmpretrain.__version__)'
stamp_of > "$STAMP_FILE"
log "environment $VENV is ready ($(describe_ops))"
