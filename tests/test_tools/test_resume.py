"""Resume after a crash, nothing lost: the demo segmenter's training is killed with SIGKILL
after its second checkpoint, then `tools/train.py --resume` finishes it; the losses after the
resume, the lr schedule, the layer-decay groups, the optimizer state and the final weights
equal those of an uninterrupted run with the same seed. The demo Mask R-CNN (epoch-based,
validated after each epoch) resumes alike, step for step.

The demo segmenter is narrowed (a small ConvNeXt, 64-channel heads) so a run takes seconds;
the data pipeline, drop path, schedule, lr-decay constructor and hooks are the demo's.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from mmconvnext.checkpoint import load_checkpoint_file
from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from tool_runs import ROOT, cfg_options, run_tool, tool_env

pytestmark = pytest.mark.slow

MAX_ITERS = 40

NARROW = """
_base_ = '{base}'
dims = [32, 64, 128, 256]
model = dict(
    backbone=dict(arch=dict(_delete_=True, depths=[1, 1, 3, 1], dims=dims)),
    decode_head=dict(in_channels=dims, channels=64),
    auxiliary_head=dict(in_channels=dims[2], channels=32))
"""


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp('resume')
    ade = make_demo_data(str(folder / 'demo'), seed=4, num_train=4, num_val=1)['ade']
    path = folder / 'narrow_demo_segmenter.py'
    path.write_text(NARROW.format(base=ROOT / 'configs/demo/upernet_convnext_t_shapes.py'))
    return str(path), ade


def train_command(config, ade, work_dir, num_workers, *extra):
    return [sys.executable, 'tools/train.py', config, '--work-dir', str(work_dir), *extra,
            '--cfg-options', *cfg_options(demo_data_cfg(ade)),
            f'train_dataloader.num_workers={num_workers}',
            f'train_dataloader.persistent_workers={num_workers > 0}',
            f'train_cfg.max_iters={MAX_ITERS}', f'train_cfg.val_interval={MAX_ITERS + 1}',
            'default_hooks.checkpoint.interval=2', 'default_hooks.checkpoint.max_keep_ckpts=3',
            'default_hooks.logger.interval=1', 'randomness.seed=0']


def last_checkpoint_number(work_dir) -> int:
    """The iteration or epoch of the checkpoint named in ``last_checkpoint`` (written whole,
    after the checkpoint itself), 0 before the first."""
    try:
        name = (work_dir / 'last_checkpoint').read_text().strip()
    except FileNotFoundError:
        return 0
    return int(name.rsplit('_', 1)[1].split('.')[0])


def train_and_kill_after_checkpoint(command, work_dir, number=4):
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=tool_env())
    try:
        deadline = time.time() + 300
        while last_checkpoint_number(work_dir) < number:
            assert proc.poll() is None, f'training ended before checkpoint {number}'
            assert time.time() < deadline, f'no checkpoint {number} after 300 s'
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the trainer and its data loader workers
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def losses_by_iter(work_dir):
    """iteration -> (loss, lr) from the Runner's scalars.json files (every run of the dir)."""
    result = {}
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if 'loss' in record:
                result.setdefault(record['iter'], []).append((record['loss'], record['lr']))
    return result


@pytest.mark.parametrize('num_workers', [0, 2])
def test_sigkill_then_resume_matches_an_uninterrupted_run(config, tmp_path, num_workers):
    config, ade = config
    straight, crashed = tmp_path / 'straight', tmp_path / 'crashed'
    run_tool(train_command(config, ade, straight, num_workers))
    train_and_kill_after_checkpoint(train_command(config, ade, crashed, num_workers), crashed)

    last = (crashed / 'last_checkpoint').read_text().strip()
    resumed_from = load_checkpoint_file(last)['meta']['iter']
    assert 4 <= resumed_from < MAX_ITERS, resumed_from
    log = run_tool(train_command(config, ade, crashed, num_workers, '--resume'))
    assert f'resumed epoch: 0, iter: {resumed_from}' in log
    assert f'Advance dataloader {resumed_from} steps' in log

    expected, got = losses_by_iter(straight), losses_by_iter(crashed)
    after = range(resumed_from + 1, MAX_ITERS + 1)
    assert [it for it in after if it in got] == list(after)
    for it in after:  # the resumed run's record of iteration `it` is its last one
        assert got[it][-1] == pytest.approx(expected[it][0], rel=1e-5, abs=1e-7), it

    final_a = load_checkpoint_file(straight / f'iter_{MAX_ITERS}.pth')
    final_b = load_checkpoint_file(crashed / f'iter_{MAX_ITERS}.pth')
    for name, value in final_a['state_dict'].items():
        torch.testing.assert_close(final_b['state_dict'][name], value, rtol=1e-5, atol=1e-6,
                                   msg=name)
    groups_a = final_a['optimizer']['param_groups']
    groups_b = final_b['optimizer']['param_groups']
    assert len(groups_a) == len(groups_b) > 6  # stage-wise decay: ids 0..5 x (decay, no decay)
    for a, b in zip(groups_a, groups_b):
        assert a == b
    for key, state in final_a['optimizer']['state'].items():
        for name in ('exp_avg', 'exp_avg_sq'):
            torch.testing.assert_close(final_b['optimizer']['state'][key][name], state[name],
                                       rtol=1e-5, atol=1e-8)
    assert [s['last_step'] for s in final_b['param_schedulers']] == \
        [s['last_step'] for s in final_a['param_schedulers']]


DETECTOR = ROOT / 'configs/demo/mask_rcnn_convnext_atto_shapes.py'


@pytest.fixture(scope='module')
def coco(tmp_path_factory):
    return make_demo_data(str(tmp_path_factory.mktemp('resume_det')), seed=4, num_train=6,
                          num_val=2)['coco']


def detector_command(coco, work_dir, *extra):
    """The demo Mask R-CNN for 3 epochs of 6 images, a checkpoint and a validation after each
    epoch, 2 data loader workers started anew each epoch."""
    data = demo_data_cfg(coco, f'{coco}/annotations/instances_val.json')
    data.update({'train_dataloader.num_workers': 2, 'train_cfg.max_epochs': 3,
                 'train_cfg.val_interval': 1, 'default_hooks.checkpoint.interval': 1,
                 'default_hooks.checkpoint.max_keep_ckpts': 3, 'default_hooks.logger.interval': 1,
                 'randomness.seed': 0})
    return [sys.executable, 'tools/train.py', str(DETECTOR), '--work-dir', str(work_dir), *extra,
            '--cfg-options', *cfg_options(data)]


def test_detector_resumes_step_for_step(coco, tmp_path):
    """Killed after its second epoch (checkpoint written, validation next), the resumed run
    logs every loss of the third epoch as the uninterrupted run and ends with its weights. Two
    states of the stack stood in the way: mmdet's IoUBalancedNegSampler changes in its first
    call (mmconvnext.IoUBalancedNegSampler does not), and validation draws random numbers
    after the checkpoint that a resumed run does not (RNGStateHook restores them after it)."""
    straight, crashed = tmp_path / 'straight', tmp_path / 'crashed'
    run_tool(detector_command(coco, straight))
    train_and_kill_after_checkpoint(detector_command(coco, crashed), crashed, number=2)
    log = run_tool(detector_command(coco, crashed, '--resume'))
    assert 'resumed epoch: 2, iter: 12' in log

    expected, got = losses_by_iter(straight), losses_by_iter(crashed)
    assert sorted(expected) == list(range(1, 19))
    for it in range(13, 19):
        assert got[it][-1] == expected[it][0], it  # bit for bit
    final_a = load_checkpoint_file(straight / 'epoch_3.pth')['state_dict']
    final_b = load_checkpoint_file(crashed / 'epoch_3.pth')['state_dict']
    for name, value in final_a.items():
        assert torch.equal(final_b[name], value), name
