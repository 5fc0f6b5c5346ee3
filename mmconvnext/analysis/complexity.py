"""Parameters and FLOPs the way the paper counted them.

The paper used mmcv 1.x's counter: multiply-adds (1 MAC = 1 FLOP), summed by forward hooks
on modules of exactly these types (subclasses do not count, so its hand-written
channels-first LayerNorm, and our LayerNorm2d, add nothing; nor do GELU, SyncBN, RoIAlign or
functional ops such as F.interpolate). mmengine's fvcore-style counter counts differently.

Models run on the meta device: shapes propagate and nothing is computed, so even the largest
configs are counted quickly and without allocating memory.
"""
from math import prod
from typing import Callable, Tuple

import torch
import torch.nn as nn
from mmcv.cnn.bricks import wrappers


def _conv(m, inputs, output):
    per_position = prod(m.kernel_size) * m.in_channels * (m.out_channels // m.groups)
    positions = output.shape[0] * prod(output.shape[2:])
    return per_position * positions + (m.out_channels * positions if m.bias is not None else 0)


def _deconv(m, inputs, output):
    x = inputs[0]
    per_position = prod(m.kernel_size) * m.in_channels * (m.out_channels // m.groups)
    macs = per_position * x.shape[0] * prod(x.shape[2:])
    if m.bias is not None:  # mmcv 1.x counted out_h * out_h here; kept for the same numbers
        macs += m.out_channels * x.shape[0] * output.shape[2] * output.shape[2]
    return macs


def _linear(m, inputs, output):  # the bias is not counted
    return inputs[0].numel() * output.shape[-1]


def _elementwise_out(m, inputs, output):
    return output.numel()


def _elementwise_in(m, inputs, output):
    return inputs[0].numel()


def _norm(m, inputs, output):
    affine = getattr(m, 'affine', False) or getattr(m, 'elementwise_affine', False)
    return inputs[0].numel() * (2 if affine else 1)


COUNTERS = {
    nn.Conv1d: _conv, nn.Conv2d: _conv, nn.Conv3d: _conv,
    wrappers.Conv2d: _conv, wrappers.Conv3d: _conv,
    nn.ConvTranspose2d: _deconv, wrappers.ConvTranspose2d: _deconv,
    nn.Linear: _linear, wrappers.Linear: _linear,
    nn.ReLU: _elementwise_out, nn.PReLU: _elementwise_out, nn.ELU: _elementwise_out,
    nn.LeakyReLU: _elementwise_out, nn.ReLU6: _elementwise_out,
    nn.Upsample: _elementwise_out,
    nn.BatchNorm1d: _norm, nn.BatchNorm2d: _norm, nn.BatchNorm3d: _norm,
    nn.GroupNorm: _norm, nn.InstanceNorm1d: _norm, nn.InstanceNorm2d: _norm,
    nn.InstanceNorm3d: _norm, nn.LayerNorm: _norm,
    **{pool: _elementwise_in for pool in (
        nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, wrappers.MaxPool2d, wrappers.MaxPool3d,
        nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d, nn.AdaptiveMaxPool1d,
        nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d, nn.AdaptiveAvgPool1d,
        nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)},
}


def count_flops(model: nn.Module, run: Callable[[], object]) -> int:
    """MACs of every counted module while ``run()`` executes (under no_grad)."""
    total = [0]

    def hook(module, inputs, output):
        total[0] += int(COUNTERS[type(module)](module, inputs, output))

    handles = [m.register_forward_hook(hook) for m in model.modules() if type(m) in COUNTERS]
    try:
        with torch.no_grad():
            run()
    finally:
        for handle in handles:
            handle.remove()
    return total[0]


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def detector_flops(model: nn.Module, shape: Tuple[int, int] = (800, 1280),
                   num_proposals: int = 1000, num_mask_rois: int = 100) -> int:
    """A two-stage mmdet detector as mmdet 2.x's dummy forward ran it: backbone, neck and RPN
    on a 3 x H x W image, ``num_proposals`` RoIs into every box stage and the first
    ``num_mask_rois`` into every mask stage."""
    device = next(model.parameters()).device
    roi_head = model.roi_head
    stages = range(roi_head.num_stages) if hasattr(roi_head, 'num_stages') else [None]

    def head(name, stage):
        module = getattr(roi_head, name)
        return module if stage is None else module[stage]

    def run():
        feats = model.extract_feat(torch.zeros(1, 3, *shape, device=device))
        model.rpn_head(feats)
        for kind, num_rois in (('bbox', num_proposals), ('mask', num_mask_rois)):
            for stage in stages:
                extractor = head(f'{kind}_roi_extractor', stage)
                rois = torch.zeros(num_rois, extractor.out_channels,
                                   *extractor.roi_layers[0].output_size, device=device)
                head(f'{kind}_head', stage)(rois)

    return count_flops(model, run)


def segmentor_flops(model: nn.Module, shape: Tuple[int, int] = (512, 2048)) -> int:
    """An mmseg EncoderDecoder's backbone and decode head on a 3 x H x W image, without the
    auxiliary head and the final upsampling."""
    device = next(model.parameters()).device

    def run():
        model.decode_head(model.extract_feat(torch.zeros(1, 3, *shape, device=device)))

    return count_flops(model, run)
