"""mmengine's Runner saves and resumes with our backbone and optimizer constructor on
torch >= 2.6, with mmconvnext.SafeCheckpointLoadingHook and mmconvnext.AtomicCheckpointHook."""
import pickle

import pytest
import torch

from mmconvnext.checkpoint import load_checkpoint_file
from toy_runner import make_runner


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
