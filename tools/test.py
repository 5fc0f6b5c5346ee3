"""Evaluate a checkpoint on a config's test set; its default_scope (mmdet / mmseg) picks which.

    python tools/test.py CONFIG CKPT [--tta] [--show-dir DIR] [--out PATH] ...
    tools/dist_test.sh CONFIG CKPT GPUS [...]
"""
import os.path as osp

from mmengine.config import ConfigDict

from mmconvnext.checkpoint import load_weights_strictly
from mmconvnext.cli import build_runner, finish, load_config, stop_with_launcher, tool_parser
from mmconvnext.compat.stack_notices import quiet_stack_warnings


def parse_args():
    parser = tool_parser('Test a ConvNeXt detector or segmenter')
    parser.add_argument('checkpoint', help='checkpoint file (ours, or a released model)')
    parser.add_argument('--out', help='detection: dump the results to this .pkl; '
                        'segmentation: write the predicted label maps to this folder')
    parser.add_argument('--show-dir', help='draw the predictions into this folder')
    parser.add_argument('--tta', action='store_true',
                        help="test-time augmentation from the config's tta_pipeline/tta_model")
    return parser.parse_args()


def enable_tta(cfg, config):
    if 'tta_model' not in cfg or 'tta_pipeline' not in cfg:
        raise ValueError(f'--tta: {config} defines no tta_model / tta_pipeline')
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:  # wrappers such as ConcatDataset
        dataset = dataset['dataset']
    dataset.pipeline = cfg.tta_pipeline


def enable_outputs(cfg, args):
    """--show-dir and --out, each in the way of the config's own scope."""
    detection = cfg.default_scope == 'mmdet'
    if args.show_dir:
        hook = cfg.default_hooks.visualization
        hook.draw = True
        if detection:
            hook.test_out_dir = osp.abspath(args.show_dir)
        else:
            cfg.visualizer.save_dir = osp.abspath(args.show_dir)
            hook.interval = 1
    if args.out and detection:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out must be a .pkl file for detection, got {args.out}')
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [
            cfg.test_evaluator]
        cfg.test_evaluator = evaluators + [dict(type='DumpDetResults', out_file_path=args.out)]
    elif args.out:
        cfg.test_evaluator.output_dir = args.out
        cfg.test_evaluator.keep_results = True


def main():
    quiet_stack_warnings()
    args = parse_args()
    cfg = load_config(args)
    cfg.model.backbone.init_cfg = None  # the checkpoint holds every weight
    if args.tta:
        enable_tta(cfg, args.config)
    enable_outputs(cfg, args)
    if args.launcher != 'none':
        stop_with_launcher()
    runner = build_runner(cfg, loaders=('test_dataloader', ), data_check=args.data_check)
    load_weights_strictly(runner.model, args.checkpoint)
    finish(runner, 'test')


if __name__ == '__main__':
    main()
