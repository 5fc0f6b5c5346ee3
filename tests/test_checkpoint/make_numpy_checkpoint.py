"""Writes tests/data/numpy<MAJOR>_runner_iter_2.pth: a training checkpoint of
mmengine's Runner (a tiny linear model, 2 iterations) whose message hub pickles numpy arrays and
scalars under the names of the numpy that runs it (numpy 2: ``numpy._core``, numpy 1:
``numpy.core``), for tests/test_checkpoint/test_numpy_versions.py. Either file, from the
environment of tools/setup_env.sh:

    pip install --target /tmp/npN 'numpy>=2,<3'     # or 'numpy<2' for the numpy-1 file
    PYTHONPATH=/tmp/npN .venv/bin/python tests/test_checkpoint/make_numpy_checkpoint.py

The tests build the same Runner with :func:`make_runner` and compare it with these files.
"""
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.runner import Runner

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data')
ITERS = 2  # the checkpoint is written after the last one


def fixture_path(numpy_major: int) -> str:
    return os.path.join(DATA, f'numpy{numpy_major}_runner_iter_{ITERS}.pth')


class TinyLinear(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, inputs, labels, mode='tensor'):
        logits = self.linear(inputs)
        return dict(loss=F.cross_entropy(logits, labels)) if mode == 'loss' else logits


def make_runner(work_dir, max_iters: int = ITERS, load_from=None) -> Runner:
    """A Runner that trains :class:`TinyLinear` for ``max_iters`` iterations, saving every
    ``ITERS``; with ``load_from``, it resumes from that checkpoint through
    ``mmconvnext.SafeCheckpointLoadingHook``."""
    torch.manual_seed(0)  # the model is built here, before the Runner seeds
    data = [dict(inputs=torch.randn(4, generator=torch.Generator().manual_seed(i)),
                 labels=i % 2) for i in range(8)]
    return Runner(
        model=TinyLinear(),
        work_dir=str(work_dir),
        # one name per Runner: mmengine shares its logger between Runners of the same name
        experiment_name=f'tiny_linear_{max_iters}' + (
            f'_from_{os.path.basename(load_from)}' if load_from else ''),
        train_dataloader=dict(dataset=data, sampler=dict(type='DefaultSampler', shuffle=True),
                              batch_size=2, collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=ITERS,
                                           by_epoch=False)),
        custom_hooks=[dict(type='mmconvnext.SafeCheckpointLoadingHook')] if load_from else [],
        randomness=dict(seed=0),
        load_from=load_from,
        resume=bool(load_from),
        default_scope='mmengine')


def main():
    work_dir = tempfile.mkdtemp()
    try:
        make_runner(work_dir).train()
        target = fixture_path(int(np.__version__.split('.')[0]))
        shutil.copyfile(os.path.join(work_dir, f'iter_{ITERS}.pth'), target)
    finally:
        shutil.rmtree(work_dir)
    print(f'numpy {np.__version__}, torch {torch.__version__}: wrote {target} '
          f'({os.path.getsize(target)} bytes)', file=sys.stderr)


if __name__ == '__main__':
    main()
