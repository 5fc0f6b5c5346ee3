"""tools/setup_env.sh's decisions for mmcv's ops (CPU or CUDA, which architectures, which wheel
cache, which build flags, which errors), driven through the script itself (`--plan`) with
stand-in `nvcc` and `nvidia-smi` programs and a PATH that holds nothing else of CUDA's.

The environment the tests run in provides torch (a CUDA 13.0 build from PyPI)."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(ROOT, 'tools', 'setup_env.sh')
TOOLS = ('bash', 'sh', 'cat', 'cut', 'date', 'dirname', 'grep', 'head', 'paste', 'sed',
         'sha256sum', 'tr', 'wc')
TORCH_CUDA = torch.version.cuda
DEFAULT_13 = '7.5;8.0;8.6;8.9;9.0;10.0;12.0+PTX'

pytestmark = pytest.mark.skipif(
    TORCH_CUDA is None or not TORCH_CUDA.startswith('13.'),
    reason=f'needs the CUDA 13 torch build the project pins (got CUDA {TORCH_CUDA})')


@pytest.fixture
def machine(tmp_path):
    """A PATH with the shell tools the script uses and, on demand, stand-in CUDA programs."""
    system = tmp_path / 'system'
    system.mkdir()
    for tool in TOOLS:
        os.symlink(shutil.which(tool), system / tool)
    cuda = tmp_path / 'cuda' / 'bin'
    cuda.mkdir(parents=True)

    class Machine:
        env = dict(HOME=str(tmp_path), PATH=f'{cuda}:{system}', MMCONVNEXT_VENV=sys.prefix,
                   MMCONVNEXT_CACHE=str(tmp_path / 'cache'))
        cuda_home = str(tmp_path / 'cuda')

        @staticmethod
        def nvcc(release, where=cuda):
            _program(where / 'nvcc', 'echo "nvcc: NVIDIA (R) Cuda compiler driver"\n'
                     f'echo "Cuda compilation tools, release {release}, V{release}.88"')

        @staticmethod
        def gpus(count):
            _program(cuda / 'nvidia-smi', ''.join(
                f'echo "GPU {i}: NVIDIA H100 80GB HBM3 (UUID: GPU-{i})"\n' for i in range(count)))

        def plan(self, *args, **env):
            result = subprocess.run(['bash', SCRIPT, '--plan', *args], env={**self.env, **env},
                                    capture_output=True, text=True, timeout=120)
            fields = dict(line.split(': ', 1) for line in result.stdout.splitlines()
                          if ': ' in line and not line.startswith('mmcv'))
            return result, fields

    return Machine()


def _program(path, body):
    path.write_text('#!/bin/sh\n' + body + '\n')
    path.chmod(0o755)


def test_no_toolkit_no_gpu_builds_cpu_ops(machine):
    result, plan = machine.plan()
    assert result.returncode == 0, result.stderr
    assert plan['ops'] == 'cpu'
    assert plan['build_flags'] == 'MMCV_WITH_OPS=1 FORCE_CUDA=0'
    assert plan['wheel_cache'].endswith('-cpu')


def test_toolkit_without_gpu_builds_cuda_ops_for_current_gpus(machine):
    """A login node: nvcc, no GPU. The ops are built for CUDA with FORCE_CUDA=1 (mmcv would
    otherwise skip them, seeing no GPU) for every architecture CUDA 13 supports, and the wheel
    is cached apart from CPU-only ones."""
    machine.nvcc('13.0')
    result, plan = machine.plan()
    assert result.returncode == 0, result.stderr
    assert plan['ops'] == 'cuda' and plan['cuda'] == '13.0'
    assert plan['arch_list'] == DEFAULT_13
    assert plan['build_flags'] == (f'MMCV_WITH_OPS=1 FORCE_CUDA=1 TORCH_CUDA_ARCH_LIST='
                                   f'{DEFAULT_13} CUDA_HOME={machine.cuda_home}')
    tag = f'torch{torch.__version__.split("+")[0]}-cp{sys.version_info[0]}{sys.version_info[1]}'
    assert plan['wheel_cache'] == osp.join(machine.env['MMCONVNEXT_CACHE'], 'wheels',
                                           f'{tag}-cu130-sm75_80_86_89_90_100_120p')
    assert '7; about 5 min each on 16 cores' in result.stdout


def test_arch_list_override_changes_the_cache_key(machine):
    machine.nvcc('13.0')
    result, plan = machine.plan(TORCH_CUDA_ARCH_LIST='9.0')
    assert result.returncode == 0, result.stderr
    assert plan['arch_list'] == '9.0'
    assert plan['wheel_cache'].endswith('-cu130-sm90')
    assert 'TORCH_CUDA_ARCH_LIST=9.0 ' in plan['build_flags']


def test_nvcc_found_through_cuda_home(machine, tmp_path):
    elsewhere = tmp_path / 'opt' / 'cuda-13.0'
    (elsewhere / 'bin').mkdir(parents=True)
    machine.nvcc('13.0', where=elsewhere / 'bin')
    result, plan = machine.plan(CUDA_HOME=str(elsewhere))
    assert result.returncode == 0, result.stderr
    assert plan['ops'] == 'cuda'
    assert plan['build_flags'].endswith(f'CUDA_HOME={elsewhere}')


def test_nvcc_of_another_major_version_stops_before_building(machine):
    machine.nvcc('12.4')
    result, plan = machine.plan()
    assert result.returncode == 1 and 'ops' not in plan
    assert 'nvcc 12.4' in result.stderr and f"torch's CUDA {TORCH_CUDA}" in result.stderr
    assert 'MMCONVNEXT_TORCH_INDEX=https://download.pytorch.org/whl/cu' in result.stderr


def test_gpu_without_toolkit_stops(machine):
    """A GPU node without a CUDA toolkit would get CPU-only ops, and RoIAlign would fail at its
    first CUDA call: the script stops and says how to go on."""
    machine.gpus(2)
    result, plan = machine.plan()
    assert result.returncode == 1 and 'ops' not in plan
    assert '2 GPU(s) visible' in result.stderr and 'no CUDA toolkit' in result.stderr
    assert 'MMCONVNEXT_OPS=cpu' in result.stderr
    result, plan = machine.plan(MMCONVNEXT_OPS='cpu')
    assert result.returncode == 0 and plan['ops'] == 'cpu', result.stderr


def test_for_here_builds_cuda_ops_only_where_a_gpu_is_visible(machine):
    """tools/demo.sh and tools/run_tests.sh run on the machine they set up: with a toolkit but
    no GPU they need CPU ops only (hours of CUDA compiling on a small machine otherwise)."""
    machine.nvcc('13.0')
    result, plan = machine.plan('--for-here')
    assert result.returncode == 0 and plan['ops'] == 'cpu', result.stderr
    machine.gpus(1)
    result, plan = machine.plan('--for-here')
    assert result.returncode == 0 and plan['ops'] == 'cuda', result.stderr
    result, plan = machine.plan('--for-here', MMCONVNEXT_OPS='cpu')
    assert result.returncode == 0 and plan['ops'] == 'cpu', result.stderr


@pytest.mark.parametrize('env, message', [
    (dict(MMCONVNEXT_OPS='gpu'), "MMCONVNEXT_OPS must be auto, here, cuda or cpu, got 'gpu'"),
    (dict(MMCONVNEXT_OPS='cuda'), 'MMCONVNEXT_OPS=cuda but no CUDA toolkit'),
])
def test_bad_settings_are_named(machine, env, message):
    result, _ = machine.plan(**env)
    assert result.returncode == 1 and message in result.stderr, result.stderr


def test_bad_arch_list_is_named(machine):
    machine.nvcc('13.0')
    result, _ = machine.plan(TORCH_CUDA_ARCH_LIST='9.0;sm_90')
    assert result.returncode == 1
    assert "got '9.0;sm_90' (bad entry 'sm_90')" in result.stderr


def _stand_in_python(venv, on_check):
    """A venv whose python answers the script's questions about the GPU and runs ``on_check``
    (shell) for the CUDA ops check, which it reads from stdin."""
    bin_dir = venv / 'bin'
    bin_dir.mkdir(parents=True)
    _program(bin_dir / 'python',
             'case "$1" in\n'
             '  -c) case "$2" in\n'
             '        *is_available*) exit ${GPU_MISSING:-0} ;;\n'
             '        *get_device_name*) echo "Stand-in GPU" ;;\n'
             '      esac ;;\n'
             f'  -) cat > /dev/null; {on_check} ;;\n'
             'esac')


def test_check_ops_names_the_step_that_crashed(machine, tmp_path):
    """--check-ops runs the check set-up ends with. A crash (a signal, no traceback) is
    reported with its exit status, after the name of the step that was running."""
    venv = tmp_path / 'venv'
    _stand_in_python(venv, 'echo "  importing mmcv.ops"; echo "  nms on CUDA tensors"; '
                           'kill -SEGV $$')
    result = subprocess.run(['bash', SCRIPT, '--check-ops'], capture_output=True, text=True,
                            env={**machine.env, 'MMCONVNEXT_VENV': str(venv)}, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "checking mmcv's CUDA ops on Stand-in GPU" in result.stdout
    assert result.stdout.rstrip().endswith('nms on CUDA tensors'), result.stdout
    assert ("mmcv's CUDA ops do not run on this GPU (exit status 139; the last step named above "
            'failed)') in result.stderr


def test_check_ops_without_a_gpu_or_an_environment_says_so(machine, tmp_path):
    venv = tmp_path / 'venv'
    _stand_in_python(venv, 'echo "mmcv CUDA ops: nms and RoIAlign run on Stand-in GPU"')
    env = {**machine.env, 'MMCONVNEXT_VENV': str(venv)}
    result = subprocess.run(['bash', SCRIPT, '--check-ops'], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0 and 'run on Stand-in GPU' in result.stdout, result.stderr
    result = subprocess.run(['bash', SCRIPT, '--check-ops'], capture_output=True, text=True,
                            env={**env, 'GPU_MISSING': '1'}, timeout=60)
    assert result.returncode == 1
    assert 'no GPU visible to torch in ' + str(venv) in result.stderr
    result = subprocess.run(['bash', SCRIPT, '--check-ops'], capture_output=True, text=True,
                            env={**env, 'MMCONVNEXT_VENV': str(tmp_path / 'none')}, timeout=60)
    assert result.returncode == 1 and 'no environment at ' in result.stderr
