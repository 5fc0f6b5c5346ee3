"""Multi-process training on this CPU machine: torchrun with 2 processes over gloo, as
tools/dist_train.sh runs it, on the demo detector and segmenter."""
import os
import sys

import pytest
import torch

from mmconvnext.checkpoint import load_checkpoint_file
from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from tool_runs import ROOT, cfg_options, run_tool

pytestmark = pytest.mark.slow

DETECTOR = 'configs/demo/mask_rcnn_convnext_t_shapes.py'
SEGMENTER = 'configs/demo/upernet_convnext_t_shapes.py'


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_demo_data(str(tmp_path_factory.mktemp('demo')), seed=1, num_train=2,
                          num_val=2)


def det_cfg(coco):
    return demo_data_cfg(coco, f'{coco}/annotations/instances_val.json')


def run(command):
    return run_tool(command, PORT=str(29500 + os.getpid() % 1000))


def test_dist_train_detector_two_processes(data, tmp_path):
    """tools/dist_train.sh CONFIG 2: 2 processes, 1 image each per iteration (2 iterations),
    one log, checkpoints from rank 0 only, validation gathered from both."""
    work = tmp_path / 'work'
    log = run(['bash', 'tools/dist_train.sh', DETECTOR, '2', '--work-dir', str(work),
               '--cfg-options', *cfg_options(det_cfg(data['coco'])), 'train_cfg.max_epochs=2',
               'train_cfg.val_interval=2', 'default_hooks.logger.interval=1',
               'default_hooks.checkpoint.interval=1', 'default_hooks.checkpoint.max_keep_ckpts=2'])
    if not torch.cuda.is_available():
        assert 'distributed over gloo, 2 processes' in log
    assert 'Epoch(train) [2][1/1]' in log and 'coco/bbox_mAP' in log
    assert 'Grad strides do not match bucket view strides' not in log  # channels_last weights
    assert sorted(p.name for p in work.glob('*.pth')) == ['epoch_1.pth', 'epoch_2.pth']
    assert len(list(work.glob('*/*.log'))) == 1
    checkpoint = load_checkpoint_file(work / 'epoch_2.pth')
    assert checkpoint['meta']['iter'] == 2
    assert len(checkpoint['rng_states']) == 2  # RNGStateHook: both ranks' states, for resume


def test_dist_train_segmenter_two_processes(data, tmp_path):
    """The segmenter's SyncBN becomes BN on CPU (no SyncBN kernel there): said in the log."""
    work = tmp_path / 'work'
    log = run(['bash', 'tools/dist_train.sh', SEGMENTER, '2', '--work-dir', str(work),
               '--cfg-options', *cfg_options(demo_data_cfg(data['ade'])), 'train_cfg.max_iters=2',
               'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2'])
    if not torch.cuda.is_available():
        assert 'distributed over gloo, 2 processes' in log and 'SyncBN -> BN' in log
    assert 'mIoU' in log
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_2.pth']
    assert load_checkpoint_file(work / 'iter_2.pth')['meta']['iter'] == 2


def test_two_processes_step_like_one_with_the_same_batch(data, tmp_path):
    """The demo detector's first step on 2 processes x 1 image equals one process on the same
    2 images: same images, losses, synced gradients, parameter groups and updated weights.

    A 1-process run with batch 2 does not give the same loss bit for bit: the RPN and RoI
    samplers draw from one RNG stream for both images, and the mask loss is averaged over the
    positives of the whole batch. So the single process here computes each image's loss with
    the RNG seed its rank used, and averages the gradients as DDP does."""
    out = tmp_path / 'step'
    out.mkdir()
    data_cfg = det_cfg(data['coco'])
    options = [*cfg_options(data_cfg), 'randomness.seed=0', 'train_dataloader.sampler.seed=0']
    run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         f'--master_port={29500 + os.getpid() % 1000}', 'tests/test_tools/ddp_first_step.py',
         DETECTOR, str(out), '--launcher', 'pytorch', '--cfg-options', *options])
    # our own files, written just now: full pickles
    ranks = [torch.load(out / f'rank{r}.pth', weights_only=False) for r in range(2)]

    import mmconvnext  # noqa: F401
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import Runner

    from mmconvnext.compat.cpu_fallbacks import fit_config_to_machine
    cfg = Config.fromfile(ROOT / DETECTOR)
    cfg.merge_from_dict(data_cfg)
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.sampler.seed = 0
    cfg.launcher = 'none'
    fit_config_to_machine(cfg)
    init_default_scope('mmdet')
    one_batch = next(iter(Runner.build_dataloader(cfg.train_dataloader, seed=0)))
    # the same two images (mmdet's AspectRatioBatchSampler may order them otherwise)
    assert sorted(s.img_path for s in one_batch['data_samples']) == \
        sorted(ranks[0]['img_paths'] + ranks[1]['img_paths'])
    assert len(set(ranks[0]['img_paths'] + ranks[1]['img_paths'])) == 2

    model = MODELS.build(cfg.model)
    model.load_state_dict(ranks[0]['before'])
    model.train()
    losses = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in torchrun's processes: the same kernels, the same rounding
    try:
        for r, saved in enumerate(ranks):
            torch.manual_seed(100 + r)
            loss, _ = model.parse_losses(model(**saved['data'], mode='loss'))
            (loss / 2).backward()
            losses.append(loss.item())
    finally:
        torch.set_num_threads(threads)
    assert losses == pytest.approx([ranks[0]['loss'], ranks[1]['loss']], rel=1e-6)

    synced = ranks[0]['grads']
    params = dict(model.named_parameters())
    assert set(synced) == {n for n, p in params.items() if p.grad is not None}
    for name, grad in synced.items():
        scale = grad.abs().max().item() + 1e-12
        torch.testing.assert_close(params[name].grad, grad, rtol=1e-5, atol=1e-6 * scale,
                                   msg=name)

    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    groups = [{k: v for k, v in g.items() if k != 'params'}
              for g in optim_wrapper.optimizer.param_groups]
    assert groups == ranks[0]['groups'] and len(groups) == 16  # layer-wise decay, 6 layers
    for name, p in params.items():
        if name in synced:
            p.grad = synced[name].clone()  # the same update from the same gradients
    optim_wrapper.step()
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, ranks[0]['after'][name], rtol=1e-5, atol=1e-7,
                                   msg=name)
