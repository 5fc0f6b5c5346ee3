"""Time a ConvNeXt stage's depthwise convolution and block in NCHW and channels_last.

Where a ConvNeXt backbone's time goes, per stage: the 7x7 depthwise convolution alone and one
whole block (mmconvnext's ``ConvNeXtBlock``), each forward + backward, with the maps in NCHW
(contiguous) and in channels_last, with cuDNN's algorithm search (``cudnn.benchmark``) off
(torch's and mmengine's default) and on. Explains the backbone-level differences that
bench_backbone.py prints (ours picks the layout per device and dtype, ``channels_last='auto'``;
the paper's code keeps maps NCHW).

    python tools/analysis/bench_block_ops.py [--arch tiny] [--shape 2x3x800x1344]
        [--device cuda|cpu] [--amp fp16|bf16] [--repeat 20] [--warmup 3]

Each row is a stage of the arch at that input (stride 4, 8, 16, 32); times are medians in ms,
CUDA events on a GPU.
"""
import argparse
import statistics

import torch

from timing import AMP_DTYPES, time_ms

from mmconvnext.models.backbones.convnext import ARCH_SETTINGS, ConvNeXtBlock

LAYOUTS = {'NCHW': torch.contiguous_format, 'NHWC': torch.channels_last}


def fwd_bwd_ms(module, x, dtype, repeat, warmup):
    """Median ms of forward + backward of ``module(x)`` under autocast ``dtype``."""
    def step():
        with torch.autocast(x.device.type, dtype=dtype, enabled=dtype is not None):
            module(x).float().sum().backward()
    for _ in range(warmup):
        step()
    times = [time_ms(step, x.device.type) for _ in range(repeat)]
    module.zero_grad(set_to_none=True)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='tiny', choices=list(ARCH_SETTINGS))
    parser.add_argument('--shape', default='2x3x800x1344', help='NxCxHxW of the image batch')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', choices=['fp16', 'bf16'], help='autocast dtype (default fp32)')
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    args = parser.parse_args()
    n, _, h, w = map(int, args.shape.split('x'))
    dtype = AMP_DTYPES[args.amp]
    cudnn = torch.backends.cudnn
    print(f'torch {torch.__version__}, {args.device}, {args.amp or "fp32"}, '
          f'ConvNeXt-{args.arch} stages at {args.shape}: forward + backward, median ms of '
          f'{args.repeat}; +bm: with cudnn.benchmark on')
    header = ''.join(f'{f"{op} {lay}{s}":>16}' for op in ('dwconv', 'block')
                     for lay in LAYOUTS for s in ('', '+bm'))
    print(f'{"stage (N,C,H,W)":<24}{header}')
    for i, dim in enumerate(ARCH_SETTINGS[args.arch]['dims']):
        size = (n, dim, h // 2**(i + 2), w // 2**(i + 2))
        block = ConvNeXtBlock(dim).to(args.device)
        cells = []
        for module in (block.dwconv, block):
            for fmt in LAYOUTS.values():
                module.to(memory_format=fmt)
                x = torch.randn(size, device=args.device).contiguous(memory_format=fmt)
                x.requires_grad_(True)
                for search in (False, True):
                    cudnn.benchmark = search
                    cells.append(fwd_bwd_ms(module, x, dtype, args.repeat, args.warmup))
        cudnn.benchmark = False
        print(f'{str(size):<24}' + ''.join(f'{c:>16.2f}' for c in cells))


if __name__ == '__main__':
    main()
