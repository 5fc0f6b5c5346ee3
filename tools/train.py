"""Train a detector or segmenter from a config; its default_scope (mmdet / mmseg) picks which.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] ...
    tools/dist_train.sh CONFIG GPUS [...]     (torchrun; CPU processes where there is no GPU)
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmconvnext.compat import fit_config_to_machine


def parse_args():
    parser = argparse.ArgumentParser(description='Train a ConvNeXt detector or segmenter')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='logs and checkpoints (default: '
                        'work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto', metavar='CKPT',
                        help='resume from CKPT, or from the latest checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true', help='mixed precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by total batch / auto_scale_lr.base_batch_size')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. train_cfg.max_epochs=1')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ValueError(f'--auto-scale-lr needs auto_scale_lr.base_batch_size in '
                             f'{args.config}')
        cfg.auto_scale_lr.enable = True
    if args.resume:
        cfg.resume = True
        cfg.load_from = None if args.resume == 'auto' else args.resume
    fit_config_to_machine(cfg)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
