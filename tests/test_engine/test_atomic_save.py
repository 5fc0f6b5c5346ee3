"""A process killed while mmengine saves a checkpoint never leaves a broken file in place of a
good one (mmconvnext.compat makes mmengine's local writes atomic)."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

import mmconvnext  # noqa: F401
from mmconvnext.checkpoint import load_checkpoint_file
from mmconvnext.compat import atomic_write

WRITER = """
import sys, torch, mmconvnext
from mmengine.runner.checkpoint import save_checkpoint
big = {'state_dict': {f'w{i}': torch.full((1 << 20, ), float(i)) for i in range(48)}}
print('ready', flush=True)
while True:  # 192 MB per save, over the same file, until killed
    save_checkpoint(big, sys.argv[1])
"""


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
