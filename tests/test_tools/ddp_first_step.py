"""One training step of a config, the way tools/train.py builds it (Runner, DDP over gloo under
torchrun, our lr-decay constructor, the config's train loader); each rank saves what the
test in test_distributed.py compares with a single process:

    torchrun --nproc_per_node=2 tests/test_tools/ddp_first_step.py CONFIG OUT \
        --launcher pytorch [--cfg-options KEY=VALUE ...]

OUT/rank{r}.pth: the preprocessed batch, its loss; rank 0 also the weights before the step,
the synced gradients, the weights after it and the optimizer's parameter groups.
"""
import os

import torch
from mmengine.dist import get_rank

from mmconvnext.cli import build_runner, load_config, tool_parser


def main():
    parser = tool_parser('One training step; each rank saves what it saw and did')
    parser.add_argument('out', help='folder for rank{r}.pth and the work dir')
    args = parser.parse_args()
    args.work_dir = os.path.join(args.out, 'work')
    cfg = load_config(args)
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
    torch.save(saved, os.path.join(args.out, f'rank{rank}.pth'))


if __name__ == '__main__':
    main()
