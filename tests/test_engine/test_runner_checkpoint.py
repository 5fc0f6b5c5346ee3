"""mmengine's Runner saves and resumes with our backbone and optimizer constructor on
torch >= 2.6, thanks to mmconvnext.compat."""
import pickle

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmconvnext  # noqa: F401
from mmconvnext.checkpoint import load_checkpoint_file
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


def make_runner(work_dir, max_iters, resume=False):
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
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False)),
        randomness=dict(seed=0),
        resume=resume,
        default_scope='mmengine')


def test_save_and_resume_matches_uninterrupted_run(tmp_path):
    straight = make_runner(tmp_path / 'straight', max_iters=6)
    straight.train()

    first = make_runner(tmp_path / 'resumed', max_iters=4)
    first.train()
    ckpt = tmp_path / 'resumed' / 'iter_4.pth'
    # the friction being fixed: torch's default (weights_only) load refuses it
    with pytest.raises(pickle.UnpicklingError):
        torch.load(ckpt)
    assert load_checkpoint_file(ckpt)['meta']['iter'] == 4

    second = make_runner(tmp_path / 'resumed', max_iters=6, resume=True)
    second.train()
    assert second.iter == 6
    groups_a = straight.optim_wrapper.optimizer.param_groups
    groups_b = second.optim_wrapper.optimizer.param_groups
    assert len(groups_a) == len(groups_b) == 12  # ids 0-3, 6, 7 (stage 2 has 2 blocks)
    for a, b in zip(groups_a, groups_b):
        assert a['lr'] == pytest.approx(b['lr']) and a['lr_scale'] == b['lr_scale']
        assert a['weight_decay'] == b['weight_decay']
    for (name, a), b in zip(straight.model.state_dict().items(),
                            second.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=name)
    state_a = straight.optim_wrapper.optimizer.state_dict()['state']
    state_b = second.optim_wrapper.optimizer.state_dict()['state']
    for key in state_a:
        torch.testing.assert_close(state_a[key]['exp_avg'], state_b[key]['exp_avg'],
                                   rtol=1e-5, atol=1e-7)
