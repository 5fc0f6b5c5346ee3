"""Train a detector or segmenter from a config; its default_scope (mmdet / mmseg) picks which.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp [fp16|bf16]] ...
    tools/dist_train.sh CONFIG GPUS [...]     (torchrun; CPU processes where there is no GPU)
"""
from mmconvnext.cli import (build_runner, finish, global_rank, load_config, lock_work_dir,
                            resume_source, stop_with_launcher, tool_parser, use_amp)
from mmconvnext.compat.stack_notices import quiet_stack_warnings


def parse_args():
    parser = tool_parser('Train a ConvNeXt detector or segmenter')
    parser.add_argument('--resume', nargs='?', const='auto', metavar='CKPT',
                        help='resume from CKPT, or from the latest checkpoint in the work dir')
    parser.add_argument('--amp', nargs='?', const='fp16', choices=['fp16', 'bf16'],
                        help='mixed precision training: fp16 (the default, as the paper) or '
                        'bf16')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by total batch / auto_scale_lr.base_batch_size')
    return parser.parse_args()


def main():
    quiet_stack_warnings()
    args = parse_args()
    cfg = load_config(args)
    if args.amp:
        use_amp(cfg, args.amp)
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ValueError(f'--auto-scale-lr needs auto_scale_lr.base_batch_size in '
                             f'{args.config}')
        cfg.auto_scale_lr.enable = True
    if args.launcher != 'none':
        stop_with_launcher()
    if global_rank(args.launcher) == 0:  # the other processes and nodes start as usual
        lock_work_dir(cfg.work_dir)
    if args.resume:
        cfg.resume = True
        cfg.load_from = resume_source(cfg.work_dir) if args.resume == 'auto' else args.resume
    finish(build_runner(cfg, data_check=args.data_check), 'train')


if __name__ == '__main__':
    main()
