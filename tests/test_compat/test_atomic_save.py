"""A process killed while saving never leaves a broken file in place of a good one: checkpoints
written through mmconvnext's atomic backend, and every file mmconvnext.AtomicCheckpointHook
writes in a run (checkpoints and ``last_checkpoint``), so that ``--resume`` goes on."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mmconvnext.checkpoint import load_checkpoint_file
from mmconvnext.compat.atomic_files import atomic_write

TOY_RUNNER = Path(__file__).with_name('toy_runner.py')
WRITER = """
import sys, torch, mmconvnext
from mmengine.runner.checkpoint import save_checkpoint
big = {'state_dict': {f'w{i}': torch.full((1 << 20, ), float(i)) for i in range(48)}}
print('ready', flush=True)
while True:  # 192 MB per save, over the same file, until killed
    save_checkpoint(big, sys.argv[1], backend_args=dict(backend='mmconvnext_atomic'))
"""


@pytest.mark.slow
@pytest.mark.parametrize('delay', [0.3, 0.9, 1.7])
def test_sigkill_while_saving_leaves_a_whole_checkpoint(tmp_path, delay):
    path = tmp_path / 'iter_4.pth'
    torch.save({'state_dict': {'good': torch.ones(3)}}, path)
    proc = subprocess.Popen([sys.executable, '-c', WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == 'ready'
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    state = load_checkpoint_file(path)['state_dict']  # the old file or a whole new one
    assert set(state) in ({'good'}, {f'w{i}' for i in range(48)})
    if 'w47' in state:
        assert state['w47'][-1].item() == 47.0


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'last_checkpoint'
    path.write_text('epoch_2.pth')

    def broken_fsync(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', broken_fsync)
    with pytest.raises(OSError, match='disk full'):
        atomic_write(path, b'epoch_3.pth')
    assert path.read_text() == 'epoch_2.pth'
    assert os.listdir(tmp_path) == ['last_checkpoint']  # no temporary file left behind


def toy_run(work_dir, *args):
    return subprocess.run([sys.executable, str(TOY_RUNNER), str(work_dir), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize('max_keep', [-1, 1])
@pytest.mark.parametrize('kill_at_fsync, killed_in', [(3, 'iter_4.pth'),
                                                      (4, 'last_checkpoint')])
def test_run_killed_inside_a_checkpoint_write_resumes(tmp_path, kill_at_fsync, killed_in,
                                                      max_keep):
    # the hook's writes in a run of 6 iterations saving every 2, each ending in one fsync:
    # iter_2.pth, last_checkpoint, iter_4.pth, last_checkpoint, ...; SIGKILL inside the N-th.
    # With max_keep_ckpts=1, iter_2.pth goes only once iter_4.pth and last_checkpoint are whole
    keep = ('--max-keep-ckpts', str(max_keep))
    killed = toy_run(tmp_path, '6', '--kill-at-fsync', str(kill_at_fsync), *keep)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    leftovers = sorted(n for n in os.listdir(tmp_path) if n.startswith('.'))
    assert leftovers and all(n.startswith(('.iter_4.pth.', '.last_checkpoint.'))
                             for n in leftovers), leftovers
    # last_checkpoint is whole and names a whole checkpoint: the one before the kill
    assert (tmp_path / 'last_checkpoint').read_text().endswith('iter_2.pth')
    assert load_checkpoint_file(tmp_path / 'iter_2.pth')['meta']['iter'] == 2
    if killed_in == 'iter_4.pth':
        assert not (tmp_path / 'iter_4.pth').exists()
    else:
        assert load_checkpoint_file(tmp_path / 'iter_4.pth')['meta']['iter'] == 4
    resumed = toy_run(tmp_path, '6', '--resume', *keep)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    log = resumed.stdout + resumed.stderr
    assert 'resumed' in log and f'removed what a killed save left: {leftovers}' in log
    assert (tmp_path / 'last_checkpoint').read_text().endswith('iter_6.pth')
    assert load_checkpoint_file(tmp_path / 'iter_6.pth')['meta']['iter'] == 6
    checkpoints = sorted(n for n in os.listdir(tmp_path) if n.endswith('.pth'))
    assert checkpoints == (['iter_6.pth'] if max_keep == 1 else
                           ['iter_2.pth', 'iter_4.pth', 'iter_6.pth'])
    assert not [n for n in os.listdir(tmp_path) if n.startswith('.')]
