"""The shell launchers build the command lines users expect (checked with stand-ins for srun
and python that print their arguments)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def stand_in(tmp_path, name):
    path = tmp_path / name
    path.write_text('#!/usr/bin/env bash\necho "$(basename "$0") $*"\n')
    path.chmod(0o755)
    return str(path)


def run(script, *args, **env):
    return subprocess.run(['bash', f'tools/{script}', *args], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, **env))


def test_slurm_train_command_line(tmp_path):
    out = run('slurm_train.sh', 'gpu', 'cascade_t', 'configs/cascade_mask_rcnn/convnext_t_3x.py',
              'work_dirs/x', '--amp', SRUN=stand_in(tmp_path, 'srun'), GPUS='16',
              SRUN_ARGS='--quotatype=auto --time=2-0', PYTHON='python3')
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        'srun', '-p', 'gpu', '--job-name=cascade_t', '--gres=gpu:8', '--ntasks=16',
        '--ntasks-per-node=8', '--cpus-per-task=5', '--kill-on-bad-exit=1',
        '--quotatype=auto', '--time=2-0', 'python3', '-u', f'{ROOT}/tools/train.py',
        'configs/cascade_mask_rcnn/convnext_t_3x.py', '--work-dir=work_dirs/x', '--amp',
        '--launcher=slurm']


def test_slurm_test_command_line(tmp_path):
    out = run('slurm_test.sh', 'gpu', 'eval', 'c.py', 'ckpt.pth', '--tta',
              SRUN=stand_in(tmp_path, 'srun'), GPUS='4', CPUS_PER_TASK='2')
    assert out.returncode == 0, out.stderr
    assert ' '.join(out.stdout.split()).startswith(
        'srun -p gpu --job-name=eval --gres=gpu:4 --ntasks=4 --ntasks-per-node=4 '
        '--cpus-per-task=2 --kill-on-bad-exit=1 python -u')
    assert out.stdout.split()[-4:] == ['c.py', 'ckpt.pth', '--tta', '--launcher=slurm']


def test_dist_train_and_test_command_lines(tmp_path):
    python = stand_in(tmp_path, 'python')
    out = run('dist_train.sh', 'c.py', '8', '--resume', PYTHON=python, NNODES='2',
              NODE_RANK='1', MASTER_ADDR='10.0.0.1', PORT='29999')
    meet, start = out.stdout.splitlines()
    assert meet.split() == ['python', '-m', 'mmconvnext.cli.rendezvous', '2', '1', '10.0.0.1',
                            '29999', '600']
    assert start.split() == [
        'python', '-m', 'torch.distributed.run', '--nnodes=2', '--node_rank=1',
        '--master_addr=10.0.0.1', '--master_port=29999', '--nproc_per_node=8',
        f'{ROOT}/tools/train.py', 'c.py', '--resume', '--launcher', 'pytorch']
    out = run('dist_test.sh', 'c.py', 'model.pth', '2', '--out', 'r.pkl', PYTHON=python)
    assert out.stdout.split()[-8:] == ['--nproc_per_node=2', f'{ROOT}/tools/test.py', 'c.py',
                                       'model.pth', '--out', 'r.pkl', '--launcher', 'pytorch']


def test_usage_errors():
    for script in ('dist_train.sh', 'dist_test.sh', 'slurm_train.sh', 'slurm_test.sh'):
        out = run(script, 'only-one-argument')
        assert out.returncode == 2 and 'usage:' in out.stderr


def test_demo_input_errors():
    """tools/demo.sh names a bad task or pretraining length before it sets anything up."""
    out = run('demo.sh', 'detect')
    assert out.returncode == 2 and 'usage:' in out.stderr and out.stdout == ''
    for epochs in ('0', 'eight', '2.5'):
        out = run('demo.sh', 'seg', PRETRAIN_EPOCHS=epochs)
        assert out.returncode == 2 and out.stdout == ''
        assert f"PRETRAIN_EPOCHS must be a whole number of epochs >= 1, got '{epochs}'" \
            in out.stderr


def test_nodes_meet_and_a_missing_one_is_named():
    """Two "nodes" on this host start (the tool's --help, no training); a node 0 whose node 1
    never comes stops at JOIN_TIMEOUT naming it, instead of waiting silently."""
    nodes = dict(NNODES='2', PORT='29651', JOIN_TIMEOUT='60', PYTHON=sys.executable)
    first = subprocess.Popen(['bash', 'tools/torchrun.sh', '1', 'test.py', '--help'], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=dict(os.environ, NODE_RANK='0', **nodes))
    second = run('torchrun.sh', '1', 'test.py', '--help', NODE_RANK='1', **nodes)
    assert second.returncode == 0 and 'usage: test.py' in second.stdout, second.stderr
    assert first.wait(timeout=120) == 0 and 'usage: test.py' in first.stdout.read()

    alone = run('torchrun.sh', '1', 'test.py', '--help', NODE_RANK='0',
                **dict(nodes, NNODES='3', JOIN_TIMEOUT='1'))
    assert alone.returncode == 1
    assert alone.stderr.strip().splitlines()[-1].startswith(
        'nodes 1, 2 of 3 did not join 127.0.0.1:29651 within 1 s (here: 0 (')
    assert 'usage: test.py' not in alone.stdout
