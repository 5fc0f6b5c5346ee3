"""Export a Mask R-CNN, Cascade Mask R-CNN or UperNet config of this repository with its
checkpoint to one ONNX file (opset 17; docs/deploy.md says what the graph holds).

    python tools/deploy/export_onnx.py CONFIG CHECKPOINT --out FILE [--shape H W] [--fp16]
"""
import argparse

from mmengine.config import Config, DictAction

from mmconvnext.compat.stack_notices import quiet_stack_warnings


def parse_args():
    parser = argparse.ArgumentParser(description='Export a ConvNeXt detector or segmenter '
                                     'to ONNX')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='the ONNX file to write')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='the input size to trace at (detector: multiples of 32, '
                        'default a square that holds every test image; its graph then takes '
                        "any H and W; segmenter in slide mode: the config's crop_size, the "
                        "graph's fixed window, which is the default)")
    parser.add_argument('--fp16', action='store_true', help='backbone (and neck) weights '
                        'in fp16, LayerNorm and GRN statistics in fp32')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. model.test_cfg.rcnn.score_thr=0.3')
    return parser.parse_args()


def main():
    quiet_stack_warnings()
    args = parse_args()
    from mmconvnext.deploy import export_onnx
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    meta = export_onnx(cfg, args.checkpoint, args.out, args.shape, args.fp16)
    print(f"wrote {args.out}: {meta['kind']}, input 1x3x{meta['shape'][0]}x{meta['shape'][1]}"
          f"{', fp16' if args.fp16 else ''}")


if __name__ == '__main__':
    main()
