"""Evaluate an ONNX file written by tools/deploy/export_onnx.py in onnxruntime (CPU) on a
config's test set, with the config's own evaluator: the metrics print as tools/test.py prints
them, to compare line by line.

    python tools/deploy/test_onnx.py CONFIG FILE [--threads N] [--cfg-options ...]
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from mmconvnext.compat.stack_notices import quiet_stack_warnings


def parse_args():
    parser = argparse.ArgumentParser(description='Test an exported ConvNeXt model in '
                                     'onnxruntime')
    parser.add_argument('config', help='the config it was exported from')
    parser.add_argument('file', help='the ONNX file')
    parser.add_argument('--threads', type=int, help="onnxruntime's intra-op threads "
                        '(default: its own choice)')
    parser.add_argument('--data-check', choices=['full', 'paths', 'off'], default='full',
                        help='before the run: open every test image and annotation (full), '
                        'check that the files exist (paths), or nothing (off)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. test_dataloader.dataset.data_root=..')
    return parser.parse_args()


def main():
    quiet_stack_warnings()
    args = parse_args()
    from mmengine.logging import print_log

    from mmconvnext.data_checks import check_data
    from mmconvnext.deploy import OnnxGraph, evaluate
    from mmconvnext.deploy.export import model_kind
    if not osp.isfile(args.file):
        raise FileNotFoundError(f'ONNX file not found: {args.file}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    graph = OnnxGraph(args.file, args.threads)
    kind = model_kind(cfg)
    if graph.meta['kind'] != kind:
        raise ValueError(f"{args.file} holds a {graph.meta['kind']}, {args.config} a {kind}")
    check_data(cfg, ('test_dataloader', ), level=args.data_check)
    evaluate(cfg, graph, graph.meta, log=lambda m: print_log(m, logger='current'))


if __name__ == '__main__':
    main()
