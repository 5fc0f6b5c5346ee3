"""An mmseg EncoderDecoder (UperNet) on one fixed-size window as a traceable module for ONNX
export: ``encode_decode`` of the window, i.e. the decode head's logits resized to the window.
Sliding the window over an image and averaging overlaps (mmseg's ``slide_inference``) is left
to the host (:mod:`.host`), so the graph has one fixed input shape whatever the image size.
"""
from typing import Sequence

import torch
import torch.nn as nn


class StaticAdaptiveAvgPool2d(nn.Module):
    """``nn.AdaptiveAvgPool2d`` for one input size, as two averaging matrices (the same bins:
    floor(i * n / m) to ceil((i + 1) * n / m)). ONNX has no adaptive pooling, and the
    exporter's fallback needs output sizes that divide the input's, which a pyramid pooling
    module's 3 and 6 bins over small maps do not."""

    def __init__(self, in_size: Sequence[int], out_size: Sequence[int]):
        super().__init__()
        self.register_buffer('rows', self._bins(in_size[0], out_size[0]), persistent=False)
        self.register_buffer('cols', self._bins(in_size[1], out_size[1]), persistent=False)

    @staticmethod
    def _bins(n: int, m: int) -> torch.Tensor:
        weights = torch.zeros(m, n)
        for i in range(m):
            start, end = (i * n) // m, -((-(i + 1) * n) // m)
            weights[i, start:end] = 1.0 / (end - start)
        return weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rows.to(x.dtype) @ x @ self.cols.to(x.dtype).t()


def _static_pools(module: nn.Module, window: torch.Tensor, run) -> None:
    """Replace, in place, every ``nn.AdaptiveAvgPool2d`` of ``module`` whose output is not 1x1
    by its :class:`StaticAdaptiveAvgPool2d` for the size it sees when ``run(window)`` runs."""
    pools = {name: m for name, m in module.named_modules()
             if isinstance(m, nn.AdaptiveAvgPool2d)}
    sizes = {}
    hooks = [m.register_forward_hook(
        lambda m, args, out, name=name: sizes.__setitem__(name, args[0].shape[-2:]))
        for name, m in pools.items()]
    with torch.no_grad():
        run(window)
    for hook in hooks:
        hook.remove()
    for name, pool in pools.items():
        out = pool.output_size
        out = (out, out) if isinstance(out, int) else tuple(out)
        if out == (1, 1) or name not in sizes:
            continue
        parent_name, _, child = name.rpartition('.')
        parent = module.get_submodule(parent_name) if parent_name else module
        setattr(parent, child, StaticAdaptiveAvgPool2d(sizes[name], out))


class SegmenterExport(nn.Module):
    """An EncoderDecoder's logits (1, C, h, w) for one window (1, 3, h, w) of size ``shape``."""

    def __init__(self, segmentor: nn.Module, shape: Sequence[int]):
        super().__init__()
        kind = type(segmentor).__name__
        if kind != 'EncoderDecoder':
            raise ValueError(f'ONNX export of a segmenter: the model must be an mmseg '
                             f'EncoderDecoder (UperNet), got {kind}')
        self.segmentor = segmentor.eval()
        self.shape = tuple(shape)
        _static_pools(self.segmentor.decode_head, torch.zeros(1, 3, *shape), self.forward)

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        metas = [dict(img_shape=window.shape[2:])]
        return self.segmentor.encode_decode(window, metas)
