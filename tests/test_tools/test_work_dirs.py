"""Nothing lost in a work dir: one training at a time, --resume that says what it does and
follows a copied work dir, launchers that take their workers with them, strict test-time
loads, and config mistakes named before training starts. Driven as a user meets them: second
processes, SIGKILL, files moved on disk."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from tool_runs import ROOT, cfg_options, run_tool, tool_env

pytestmark = pytest.mark.slow

SEGMENTER = 'configs/demo/upernet_convnext_atto_v2_shapes.py'
DETECTOR = 'configs/demo/mask_rcnn_convnext_t_shapes.py'
HOLD_LOCK = """
import sys, time
from mmconvnext.cli import lock_work_dir
lock_work_dir(sys.argv[1])
print('locked', flush=True)
time.sleep(600)
"""


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_demo_data(str(tmp_path_factory.mktemp('demo')), seed=1, num_train=2,
                          num_val=1)


def train(data, work, *extra, max_iters=1, check=True):
    command = [sys.executable, 'tools/train.py', SEGMENTER, '--work-dir', str(work), *extra,
               '--cfg-options', *cfg_options(demo_data_cfg(data['ade'])),
               'train_dataloader.batch_size=2', f'train_cfg.max_iters={max_iters}',
               f'train_cfg.val_interval={max_iters + 1}', 'default_hooks.checkpoint.interval=1',
               'default_hooks.logger.interval=1']
    if check:
        return run_tool(command)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=tool_env())


def test_one_training_per_work_dir_and_resume_that_says_what_it_does(data, tmp_path):
    work = tmp_path / 'work'
    holder = subprocess.Popen([sys.executable, '-c', HOLD_LOCK, str(work)],
                              stdout=subprocess.PIPE, text=True, env=tool_env())
    try:
        assert holder.stdout.readline().strip() == 'locked'
        second = train(data, work, check=False)
        assert second.returncode != 0
        assert (f'work dir {work} is in use by another training: pid {holder.pid} on host '
                f'{socket.gethostname()}') in second.stderr
        assert 'Iter(train)' not in second.stdout + second.stderr  # stopped before training
    finally:
        holder.kill()  # SIGKILL: its lock file still names it
        holder.wait()

    log = train(data, work, '--resume', max_iters=2)
    assert f'taking over the lock of pid {holder.pid} on host' in log
    assert f'--resume: no checkpoint to resume from in {work}' in log
    assert 'Iter(train) [2/2]' in log
    assert (work / '.lock').read_text() == ''  # a clean exit leaves no holder's name

    # the work dir moved elsewhere: last_checkpoint names the old path, its own files are used
    moved = tmp_path / 'moved'
    shutil.move(str(work), str(moved))
    assert (moved / 'last_checkpoint').read_text().strip() == str(work / 'iter_2.pth')
    log = train(data, moved, '--resume', max_iters=3)
    assert 'resumed epoch: 0, iter: 2' in log and 'Iter(train) [3/3]' in log
    (moved / 'iter_3.pth').unlink()
    failed = train(data, moved, '--resume', max_iters=4, check=False)
    assert failed.returncode != 0
    assert f'names {moved}/iter_3.pth, which does not exist' in failed.stderr


def processes_naming(text: str):
    """PIDs of live (not zombie) processes whose command line holds ``text``."""
    pids = []
    for proc in Path('/proc').glob('[0-9]*'):
        try:
            alive = (proc / 'stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
            named = text.encode() in (proc / 'cmdline').read_bytes()
        except OSError:
            continue
        if alive and named and int(proc.name) != os.getpid():
            pids.append(int(proc.name))
    return pids


def test_workers_stop_when_the_launcher_is_killed(data, tmp_path):
    work = tmp_path / 'work'
    launcher = subprocess.Popen(
        ['bash', 'tools/dist_train.sh', SEGMENTER, '2', '--work-dir', str(work), '--cfg-options',
         *cfg_options(demo_data_cfg(data['ade'])), 'train_cfg.max_iters=1000',
         'train_cfg.val_interval=2000', 'default_hooks.logger.interval=1'],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env=tool_env(PORT=str(29500 + os.getpid() % 1000 + 7)))
    try:
        deadline = time.time() + 300
        while not any('Iter(train) [   1/1000]' in p.read_text()
                      for p in work.glob('*/*.log')):
            assert launcher.poll() is None and time.time() < deadline, 'training never started'
            time.sleep(0.5)
        workers = [p for p in processes_naming(str(work)) if p != launcher.pid]
        assert len(workers) == 2, workers
        os.kill(launcher.pid, signal.SIGKILL)  # torchrun (dist_train.sh execs it)
        launcher.wait()
        deadline = time.time() + 30
        while processes_naming(str(work)) and time.time() < deadline:
            time.sleep(0.5)
        assert processes_naming(str(work)) == []
    finally:
        for pid in processes_naming(str(work)):
            os.kill(pid, signal.SIGKILL)


def test_test_tool_refuses_a_checkpoint_of_another_model(data, tmp_path):
    """An UperNet checkpoint into Mask R-CNN: an error naming keys, not mAP 0.000."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    cfg = Config.fromfile(ROOT / SEGMENTER)
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmseg')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}},
               tmp_path / 'upernet.pth')
    coco = data['coco']
    result = subprocess.run(
        [sys.executable, 'tools/test.py', DETECTOR, str(tmp_path / 'upernet.pth'), '--work-dir',
         str(tmp_path / 'test'), '--cfg-options',
         *cfg_options(demo_data_cfg(coco, f'{coco}/annotations/instances_val.json'))],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=tool_env())
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert f'CheckpointError: {tmp_path}/upernet.pth does not fit the model of this config' \
        in message
    assert 'unexpected key: decode_head.' in message and 'missing keys: ' in message
    assert 'size mismatches, e.g. size mismatch for backbone.' in message
    assert 'coco/bbox_mAP' not in result.stdout + result.stderr


def test_config_mistakes_are_named_before_training(data, tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/train.py', SEGMENTER, '--work-dir', str(tmp_path / 'w'),
         '--cfg-options', *cfg_options(demo_data_cfg(data['ade'])), 'trian_cfg.max_iters=1',
         'default_hooks.checkpoint.intervall=1'],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=tool_env())
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "config key 'trian_cfg' is not one the Runner reads: did you mean 'train_cfg'?" in log
    assert log.count('did you mean') == 2  # not the config's own helper variables:
    assert "config key 'data_root'" not in log and "config key 'train_pipeline'" not in log
    assert ("AtomicCheckpointHook got unknown arguments: 'intervall' (did you mean "
            "'interval'?)") in log
    assert 'Iter(train)' not in log
