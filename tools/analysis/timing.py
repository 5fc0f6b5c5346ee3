"""Timing for the benchmark scripts beside it, on CPU and GPU alike."""
import time
from typing import Callable, Tuple

import torch

# ``--amp`` of the benchmarks (argparse checks the choice) -> the autocast dtype; None: fp32
AMP_DTYPES = {None: None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


def time_ms(fn: Callable[[], object], device: str) -> float:
    """Milliseconds that ``fn()`` takes: CUDA events around it on a GPU (the GPU's own clock,
    work queued before the call excluded), wall time on CPU."""
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end)
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


def gpu_busy(fn: Callable[[], object]) -> Tuple[float, float]:
    """(fraction, wall ms): how much of ``fn()``'s wall time the GPU spent running kernels
    (torch.profiler's summed device time over the wall time; near 1: GPU-bound, low: the CPU
    or data keep it waiting), and that wall time, profiler overhead included."""
    from torch.profiler import ProfilerActivity, profile
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        wall_us = (time.perf_counter() - start) * 1e6
    device_us = sum(getattr(e, 'self_device_time_total', 0) for e in prof.key_averages())
    return device_us / wall_us, wall_us / 1e3
