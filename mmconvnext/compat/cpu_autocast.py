"""Mixed precision where mmengine's AmpOptimWrapper refuses to run.

Needed for mmengine 0.10, whose AmpOptimWrapper asserts a GPU (or NPU, MLU, MUSA); can go when
it runs autocast on CPU. Uses only mmengine's public OptimWrapper.
"""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from .bf16_boxes import boxes_in_fp32
from mmconvnext.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """fp32 weights and optimizer; forward and loss under ``torch.autocast('cpu', dtype)``.

    ``tools/train.py`` uses it on a machine without a GPU when the config asks for
    ``AmpOptimWrapper`` with ``dtype='bfloat16'``. bf16 keeps fp32's exponent range, so no
    loss scaling is needed. A detector's boxes stay fp32 meanwhile, and mmcv's nms and
    RoIAlign, which have no bf16 kernels, compute in fp32
    (:func:`mmconvnext.compat.bf16_boxes.boxes_in_fp32`).
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs):
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype), \
                boxes_in_fp32():
            yield
