"""Seconds per image of an exported graph in onnxruntime (CPU) against the same model in
PyTorch (CPU, eager, no autograd) on the same padded input: the model's own predict (for a
detector it also pastes the masks into the image) and the exported module run eagerly (what
the graph computes, the same work as onnxruntime's); host pre- and post-processing left out.

    python tools/deploy/bench_onnx.py CONFIG CHECKPOINT FILE [--runs N] [--threads N]
"""
import argparse
import statistics
import time

import numpy as np
import torch
from mmengine.config import Config

from mmconvnext.compat.stack_notices import quiet_stack_warnings


def parse_args():
    parser = argparse.ArgumentParser(description='onnxruntime vs PyTorch, CPU, per image')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('file', help='the ONNX file exported from CONFIG and CHECKPOINT')
    parser.add_argument('--runs', type=int, default=10, help='timed runs after 2 warm-ups')
    parser.add_argument('--threads', type=int, help='threads of both (default: torch\'s)')
    return parser.parse_args()


def median_seconds(fn, runs: int) -> float:
    for _ in range(2):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    quiet_stack_warnings()
    args = parse_args()
    from mmconvnext.deploy import OnnxGraph
    from mmconvnext.deploy.export import exportable, load_model, model_kind
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    kind = model_kind(cfg)
    graph = OnnxGraph(args.file, args.threads or torch.get_num_threads())
    h, w = graph.meta['shape']
    model = load_model(cfg, args.checkpoint)
    image = torch.randn(1, 3, h, w, generator=torch.Generator().manual_seed(0))
    if kind == 'detector':
        from mmdet.structures import DetDataSample
        meta = dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.),
                    batch_input_shape=(h, w), pad_shape=(h, w))
        feeds = (image.numpy(), np.array([h, w], np.int64))

        def pytorch():
            return model.predict(image, [DetDataSample(metainfo=meta)], rescale=False)
    else:
        feeds = (image.numpy(), )

        def pytorch():
            return model.encode_decode(image, [dict(img_shape=(h, w))])
    with torch.no_grad():
        torch_s = median_seconds(pytorch, args.runs)
        module = exportable(model, kind, (h, w), graph.meta['fp16'])
        inputs = [torch.from_numpy(f) for f in feeds]
        eager_s = median_seconds(lambda: module(*inputs), args.runs)
    onnx_s = median_seconds(lambda: graph(*feeds), args.runs)
    print(f'{kind} {h}x{w}{" fp16" if graph.meta["fp16"] else ""}, '
          f'{torch.get_num_threads()} threads, median of {args.runs}: PyTorch predict '
          f'{torch_s * 1e3:.1f} ms, PyTorch exported module {eager_s * 1e3:.1f} ms, '
          f'onnxruntime {onnx_s * 1e3:.1f} ms')


if __name__ == '__main__':
    main()
