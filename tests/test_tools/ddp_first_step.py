"""One training step of a config, the way tools/train.py builds it (Runner, DDP over gloo under
torchrun, our lr-decay constructor, the config's train loader); each rank saves what the
test in test_distributed.py compares with a single process:

    torchrun --nproc_per_node=2 tests/test_tools/ddp_first_step.py CONFIG OUT [KEY=VALUE ...]

OUT/rank{r}.pth: the preprocessed batch, its loss; rank 0 also the weights before the step,
the synced gradients, the weights after it and the optimizer's parameter groups.
"""
import argparse
import os
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.dist import get_rank

from mmconvnext.apis.runner import build_runner


def main():
    config, out, *options = sys.argv[1:]
    cfg = Config.fromfile(config)
    if options:
        cfg.merge_from_dict(_parse(options))
    cfg.launcher = 'pytorch' if 'RANK' in os.environ else 'none'
    cfg.work_dir = os.path.join(out, 'work')
    runner = build_runner(cfg)
    model = runner.model  # MMDistributedDataParallel under torchrun
    inner = getattr(model, 'module', model)
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    batch = next(iter(runner.build_dataloader(cfg.train_dataloader)))
    rank = get_rank()
    before = {k: v.detach().clone() for k, v in inner.state_dict().items()}

    model.train()
    torch.manual_seed(100 + rank)  # drop path and the box samplers draw from it
    data = inner.data_preprocessor(batch, True)
    loss, _ = inner.parse_losses(model(**data, mode='loss'))
    loss.backward()  # DDP averages the gradients over the ranks here
    grads = {n: p.grad.detach().clone() for n, p in inner.named_parameters()
             if p.grad is not None}
    optim_wrapper.step()

    saved = dict(data=data, loss=loss.item(), img_paths=[s.img_path for s in
                                                           data['data_samples']])
    if rank == 0:
        saved.update(before=before, grads=grads, after=inner.state_dict(), groups=[
            {k: v for k, v in g.items() if k != 'params'}
            for g in optim_wrapper.optimizer.param_groups])
    torch.save(saved, os.path.join(out, f'rank{rank}.pth'))


def _parse(options):
    """KEY=VALUE strings as --cfg-options parses them."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    return parser.parse_args(['--o', *options]).o


if __name__ == '__main__':
    main()
