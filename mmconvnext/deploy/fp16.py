"""fp16 weights for ONNX export with the normalisation statistics in fp32.

The ConvNeXt backbone (and a detector's neck) runs in fp16; every LayerNorm and GRN of the
backbone is wrapped to compute in fp32 and return fp16: a LayerNorm decomposed in fp16
overflows once its input's squares pass 65504 (|x| > 256), and GRN's L2 norm over a whole map
sooner. The heads stay fp32: box coordinates, NMS and RoIAlign need fp32's resolution (as
:mod:`mmconvnext.compat.bf16_boxes` keeps them under bf16 autocast), and the heads' share of
the compute is small.
"""
import torch
import torch.nn as nn

from mmconvnext.models.backbones.convnext import GRN


class FP32Island(nn.Module):
    """Runs ``module`` (kept in fp32) on the input cast to fp32; returns the input's dtype."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module.float()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x.float()).to(x.dtype)


class HalfInput(nn.Module):
    """Casts the input to fp16 for a half ``module`` and its outputs (a tuple of maps) back
    to fp32 for the fp32 modules after it."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x):
        if isinstance(x, torch.Tensor):
            x = x.half()
        else:
            x = [t.half() for t in x]
        return tuple(t.float() for t in self.module(x))


def half_with_fp32_norms(module: nn.Module) -> nn.Module:
    """``module`` in fp16, in place, with each of its LayerNorms and GRNs an
    :class:`FP32Island`. Returns ``module``."""
    module.half()
    for name, child in list(module.named_modules()):
        if isinstance(child, (nn.LayerNorm, GRN)):
            parent_name, _, attr = name.rpartition('.')
            parent = module.get_submodule(parent_name) if parent_name else module
            setattr(parent, attr, FP32Island(child))
    return module
