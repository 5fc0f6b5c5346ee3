"""A small classifier with our backbone trained by mmengine's Runner with our constructor and
hooks, for the checkpoint / resume tests; run as a script, it trains one (optionally killed
inside its N-th fsync, i.e. inside an atomic write):

    python toy_runner.py WORK_DIR MAX_ITERS [--resume] [--kill-at-fsync N] [--max-keep-ckpts K]
"""
import argparse
import os
import signal

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmconvnext  # noqa: F401  (registers the constructor and hooks)
from mmconvnext.models import ConvNeXt


class ToyClassifier(BaseModel):

    def __init__(self):
        super().__init__()
        self.backbone = ConvNeXt(dict(depths=[1, 1, 2, 1], dims=[8, 8, 16, 16]))
        self.head = nn.Linear(16, 2)

    def forward(self, inputs, labels, mode='tensor'):
        logits = self.head(self.backbone(inputs)[-1].mean((2, 3)))
        return dict(loss=F.cross_entropy(logits, labels)) if mode == 'loss' else logits


class ToyData(Dataset):

    def __len__(self):
        return 32

    def __getitem__(self, i):
        gen = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(3, 32, 32, generator=gen), labels=i % 2)


def make_runner(work_dir, max_iters, resume=False, max_keep_ckpts=-1):
    torch.manual_seed(0)  # the model is built here, before the Runner seeds
    return Runner(
        model=ToyClassifier(),
        work_dir=str(work_dir),
        experiment_name=f'toy_{max_iters}_{resume}',
        train_dataloader=dict(
            dataset=ToyData(), sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=4, collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(
            constructor='mmconvnext.LearningRateDecayOptimizerConstructor',
            paramwise_cfg=dict(decay_rate=0.7, decay_type='layer_wise', num_layers=6),
            optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05)),
        param_scheduler=dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
                             end=4),
        default_hooks=dict(checkpoint=dict(type='mmconvnext.AtomicCheckpointHook', interval=2,
                                           by_epoch=False, max_keep_ckpts=max_keep_ckpts)),
        custom_hooks=[dict(type='mmconvnext.SafeCheckpointLoadingHook')],
        randomness=dict(seed=0),
        resume=resume,
        default_scope='mmengine')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('work_dir')
    parser.add_argument('max_iters', type=int)
    parser.add_argument('--resume', action='store_true')
    parser.add_argument('--kill-at-fsync', type=int, default=0)
    parser.add_argument('--max-keep-ckpts', type=int, default=-1)
    args = parser.parse_args()
    if args.kill_at_fsync:
        fsync, calls = os.fsync, []

        def killing_fsync(fd):
            calls.append(fd)
            if len(calls) == args.kill_at_fsync:
                os.kill(os.getpid(), signal.SIGKILL)
            fsync(fd)

        os.fsync = killing_fsync
    make_runner(args.work_dir, args.max_iters, args.resume, args.max_keep_ckpts).train()


if __name__ == '__main__':
    main()
