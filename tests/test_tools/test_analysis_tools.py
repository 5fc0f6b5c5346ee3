"""tools/analysis/{get_flops,bench_backbone,benchmark}.py run and print what they promise."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mmconvnext.testing.memory import PeakTensorMemory
from mmconvnext.compat.cpu_fallbacks import cpu_has_fast_bf16
from mmconvnext.testing.demo_data import make_demo_data

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]


def run(*args):
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_get_flops():
    out = run('tools/analysis/get_flops.py', 'configs/cascade_mask_rcnn/convnext_t_3x.py')
    assert 'input   3x800x1280' in out and 'params  85.9' in out and 'FLOPs   740.8 G' in out
    out = run('tools/analysis/get_flops.py', 'configs/upernet/convnext_t_512_160k_ade20k.py',
              '--shape', '512', '512')
    assert 'input   3x512x512' in out


def test_bench_backbone_small():
    out = run('tools/analysis/bench_backbone.py', '--archs', 'tiny', '--shapes', '1x3x64x96',
              '--repeat', '1', '--warmup', '0')
    assert 'ConvNeXt-tiny 1x3x64x96: outputs agree (fp32, 1e-4)' in out
    for name in ('ours', 'ours, NCHW', 'ours, channels_last', 'ours, with_cp', 'paper layout',
                 'timm', 'mmpretrain'):
        assert re.search(rf'^{name} +([0-9.]+ +){{6}}[0-9.]+$', out, re.M), out
    out = run('tools/analysis/bench_backbone.py', '--archs', 'tiny', '--shapes', '1x3x32x32',
              '--repeat', '1', '--warmup', '0', '--models', 'paper')
    rows = re.findall(r'^([a-z ,]+?) +(?:[0-9.]+ +){6}[0-9.]+$', out, re.M)
    assert rows == ['ours', 'paper layout'], out
    out = run('tools/analysis/bench_backbone.py', '--archs', 'tiny', '--shapes', '1x3x32x32',
              '--repeat', '1', '--warmup', '0', '--models', 'timm', '--amp', 'bf16')
    assert 'device cpu, threads' in out and ', bf16 autocast; median of 1 runs' in out
    rows = re.findall(r'^([a-z ,]+?) +(?:[0-9.]+ +){6}[0-9.]+$', out, re.M)
    assert rows == ['ours', 'timm'], out


def test_bench_block_ops_small():
    out = run('tools/analysis/bench_block_ops.py', '--arch', 'atto', '--shape', '1x3x64x64',
              '--repeat', '1', '--warmup', '0', '--device', 'cpu')
    assert 'ConvNeXt-atto stages at 1x3x64x64: forward + backward' in out, out
    rows = re.findall(r'^\((\d+), (\d+), (\d+), (\d+)\)((?: +[0-9.]+){8})$', out, re.M)
    # one row per stage, 8 timings: dwconv and block, NCHW and NHWC, cudnn.benchmark off / on
    assert [tuple(map(int, r[:4])) for r in rows] == [
        (1, 40, 16, 16), (1, 80, 8, 8), (1, 160, 4, 4), (1, 320, 2, 2)], out
    assert all(float(t) > 0 for r in rows for t in r[4].split()), out


def test_peak_tensor_memory_counts_new_storages_only():
    weight = torch.randn(256, 256)  # 256 KiB, exists before: not counted, nor its views
    with PeakTensorMemory() as memory:
        x = torch.randn(64, 256)  # 64 KiB
        y = x @ weight.t()  # 64 KiB; weight.t() is a view
        y.add_(1)  # in place: nothing new
        del x
        z = y * 2  # 64 KiB, while y lives
    assert memory.peak == 2 * 64 * 1024 and z.shape == (64, 256)


def test_whole_model_benchmark(tmp_path):
    data = make_demo_data(str(tmp_path / 'demo'), seed=2, num_train=2, num_val=1)
    out = run('tools/analysis/benchmark.py', 'configs/demo/upernet_convnext_atto_shapes.py',
              '--num-images', '1', '--warmup', '0', '--train-iters', '1', '--cfg-data-root',
              data['ade'] + '/')
    assert re.search(r'inference, batch 1: [0-9.]+ images/s .* peak tensor memory \d+ MB', out)
    assert 'images from test set' in out
    assert re.search(r'training: \d+ ms per iteration of \d+ images \(median of 1 batches met '
                     r'before\); \d+ ms the first time each batch was run', out), out
    # mixed precision: autocast inference, AmpOptimWrapper training (bf16 autocast on a CPU
    # with fast bf16 kernels, else fp32, said in the log); atto: bf16 convolutions without
    # those kernels are dozens of times slower
    out = run('tools/analysis/benchmark.py', 'configs/demo/upernet_convnext_atto_shapes.py',
              '--num-images', '1', '--warmup', '0', '--train-iters', '1', '--cfg-data-root',
              data['ade'] + '/', '--amp', 'bf16')
    assert re.search(r'on cpu \(\d+ threads, bf16\)', out), out
    assert re.search(r'training: \d+ ms per iteration', out), out
    fallback = 'AmpOptimWrapper(bfloat16) -> fp32 OptimWrapper: this CPU has no fast bf16'
    assert (fallback in out) is not cpu_has_fast_bf16(), out
    # a detector in bf16: its boxes, nms and RoIAlign in fp32 (mmconvnext.compat.bf16_boxes)
    out = run('tools/analysis/benchmark.py', 'configs/demo/mask_rcnn_convnext_atto_shapes.py',
              '--num-images', '1', '--warmup', '0', '--train-iters', '1', '--cfg-data-root',
              data['coco'] + '/', '--amp', 'bf16')
    assert re.search(r'on cpu \(\d+ threads, bf16\)', out), out
    assert re.search(r'training: \d+ ms per iteration', out), out

