"""Detectors under bf16 autocast: boxes in fp32, as an explicit opt-in.

Needed for mmcv 2.1 and mmdet 3.3; can go when mmcv's nms and RoIAlign take bf16 (or run in
fp32 under autocast) and mmdet makes its priors in fp32. Reaches into mmcv's ``NMSop.forward``
and ``mmcv.ops.roi_align.roi_align`` and mmdet's prior generators with ``mock.patch``, only
while :func:`boxes_in_fp32` is entered.

bf16 mixed precision (``tools/train.py --amp bf16``, ``optim_wrapper.dtype='bfloat16'``) makes
the heads' outputs bf16, and mmdet 3.3 / mmcv 2.1 were written for fp16:

- mmcv's nms and RoIAlign kernels take fp32 (and fp16 on CUDA), not bf16: a detector's first
  step stops with ``RuntimeError: expected scalar type Float but found BFloat16`` (nms, CPU)
  or ``"ROIAlign_forward" not implemented for 'BFloat16'`` (CPU and CUDA);
- mmdet makes anchors and points in the dtype of the heads' outputs, so proposals and
  predicted boxes come out bf16, whose 8 significant bits round coordinates to steps of 2 px
  from 256 up, 4 px from 512 and 8 px from 1024 (fp16: 1 px from 1024): the paper's RPN
  anchors at 800x1344 come out up to 7.3 px off, and pasting masks at such boxes fails on a
  size off by one.

torch's autocast does not know mmcv's ops (torchvision registers its own nms and roi_align to
run in fp32 under autocast). :func:`boxes_in_fp32` does the same here, while it is entered:
nms and RoIAlign compute bf16 inputs in fp32 (RoIAlign's output goes back to bf16; gradients
flow through the casts), and anchors and points asked for in bf16 are made in fp32, which
keeps proposals and predictions fp32. Other dtypes go through unchanged. It is entered by this
repository's tools around training and testing, and by
:class:`mmconvnext.compat.CPUAutocastOptimWrapper`.
"""
import functools
import importlib
from contextlib import ExitStack, contextmanager
from unittest import mock

import torch


def _is_bf16(value) -> bool:
    return isinstance(value, torch.Tensor) and value.dtype == torch.bfloat16


def _fp32_if_bf16(fn):
    """``fn`` with bf16 tensor arguments cast to fp32, and its result back to bf16 where it is
    a floating-point tensor."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        if not any(_is_bf16(a) for a in args):
            return fn(*args, **kwargs)
        out = fn(*(a.float() if _is_bf16(a) else a for a in args), **kwargs)
        floating = isinstance(out, torch.Tensor) and out.is_floating_point()
        return out.to(torch.bfloat16) if floating else out

    return wrapped


def _priors_in_fp32(fn):
    """A prior generator's ``single_level_grid_priors`` that makes fp32 where asked for bf16."""

    @functools.wraps(fn)
    def wrapped(self, featmap_size, level_idx, *args, **kwargs):
        if args and args[0] == torch.bfloat16:  # dtype given by position
            args = (torch.float32, ) + args[1:]
        if kwargs.get('dtype') == torch.bfloat16:
            kwargs['dtype'] = torch.float32
        return fn(self, featmap_size, level_idx, *args, **kwargs)

    return wrapped


@contextmanager
def boxes_in_fp32():
    """While entered, mmcv's nms (every path to it: ``nms``, ``batched_nms``) and RoIAlign
    (the ``mmcv.ops.RoIAlign`` module mmdet's RoI extractors build, ``roi_align``) compute
    bf16 inputs in fp32, and mmdet's anchor and point generators (where mmdet is installed)
    make fp32 priors where asked for bf16 ones."""
    # the modules (mmcv.ops exports functions of the same names)
    nms_module = importlib.import_module('mmcv.ops.nms')
    roi_align_module = importlib.import_module('mmcv.ops.roi_align')
    with ExitStack() as stack:
        # NMSop.forward(ctx, bboxes, scores, ...) returns indices
        stack.enter_context(mock.patch.object(
            nms_module.NMSop, 'forward',
            staticmethod(_fp32_if_bf16(nms_module.NMSop.forward))))
        # RoIAlign.forward calls the module-level roi_align (RoIAlignFunction.apply)
        stack.enter_context(mock.patch.object(
            roi_align_module, 'roi_align', _fp32_if_bf16(roi_align_module.roi_align)))
        try:
            from mmdet.models.task_modules.prior_generators import (AnchorGenerator,
                                                                    MlvlPointGenerator)
        except ImportError:  # an mmseg-only installation: no priors to make
            pass
        else:
            for cls in (AnchorGenerator, MlvlPointGenerator):
                stack.enter_context(mock.patch.object(
                    cls, 'single_level_grid_priors',
                    _priors_in_fp32(cls.single_level_grid_priors)))
        yield
