"""A detector's boxes under bf16: mmcv's nms and RoIAlign in fp32 and mmdet's priors made in
fp32 inside boxes_in_fp32, the stack's errors and bf16 priors outside it, and mmcv and mmdet
as they were after it."""
import importlib

import pytest
import torch
from mmcv.ops import RoIAlign, batched_nms, nms

from mmconvnext.compat.bf16_boxes import boxes_in_fp32

# integer coordinates below 256 are exact in bf16: the same boxes in both dtypes
BOXES = torch.tensor([[0., 0., 40., 40.], [2., 2., 42., 42.], [60., 60., 100., 90.],
                      [61., 58., 99., 91.], [10., 80., 30., 120.]])
SCORES = torch.tensor([0.9, 0.8, 0.7, 0.95, 0.5])


def test_nms_of_bf16_boxes_is_that_of_fp32():
    keep_fp32 = nms(BOXES, SCORES, 0.5)[1]
    with pytest.raises(RuntimeError, match='BFloat16'):
        nms(BOXES.bfloat16(), SCORES.bfloat16(), 0.5)
    with boxes_in_fp32():
        dets, keep = nms(BOXES.bfloat16(), SCORES.bfloat16(), 0.5)
        _, keep_batched = batched_nms(BOXES.bfloat16(), SCORES.bfloat16(),
                                      torch.tensor([0, 0, 0, 0, 1]), dict(iou_threshold=0.5))
    assert keep.tolist() == keep_fp32.tolist() == [3, 0, 4]
    assert sorted(keep_batched.tolist()) == [0, 3, 4]
    assert dets.dtype == torch.bfloat16


def test_roi_align_of_bf16_maps_is_that_of_fp32_with_gradients():
    torch.manual_seed(0)
    op = RoIAlign((7, 7), spatial_scale=0.25, sampling_ratio=2, aligned=True)
    x = torch.randn(1, 8, 32, 32).bfloat16().float()  # values exact in bf16
    rois = torch.cat([torch.zeros(len(BOXES), 1), BOXES], 1)
    x32, x16 = x.clone().requires_grad_(), x.bfloat16().requires_grad_()
    ref = op(x32, rois)
    ref.sum().backward()
    with pytest.raises(NotImplementedError, match='BFloat16'):
        op(x16, rois.bfloat16())
    with boxes_in_fp32():
        out = op(x16, rois.bfloat16())
    assert out.dtype == torch.bfloat16
    torch.testing.assert_close(out.float(), ref.detach(), rtol=1e-2, atol=1e-2)
    out.float().sum().backward()  # backward outside the context, as autograd runs it
    assert x16.grad.dtype == torch.bfloat16
    torch.testing.assert_close(x16.grad.float(), x32.grad, rtol=1e-2, atol=1e-2)


def test_priors_asked_for_in_bf16_are_fp32():
    from mmdet.models.task_modules.prior_generators import AnchorGenerator, MlvlPointGenerator
    # the paper's RPN anchors (and FCOS-style points) on an 800x1344 image's feature maps
    anchors = AnchorGenerator(strides=[4, 8, 16, 32, 64], ratios=[0.5, 1.0, 2.0], scales=[8])
    points = MlvlPointGenerator(strides=[8])
    sizes = [(200, 336), (100, 168), (50, 84), (25, 42), (13, 21)]

    def priors(dtype):
        return (*anchors.grid_priors(sizes, dtype=dtype, device='cpu'),
                points.grid_priors(sizes[1:2], dtype=dtype, device='cpu')[0],
                anchors.single_level_grid_priors(sizes[0], 0, dtype, 'cpu'))
    exact = priors(torch.float32)
    # what mmdet makes when a head's outputs are bf16: measured, anchors up to 7.3 px off at
    # stride 4, 2.7-3.0 px at the others, points up to 4 px
    coarse = priors(torch.bfloat16)
    assert all(p.dtype == torch.bfloat16 for p in coarse)
    assert (coarse[0].float() - exact[0]).abs().max() > 7
    assert (coarse[5].float() - exact[5]).abs().max() == 4
    with boxes_in_fp32():
        ours = priors(torch.bfloat16)
    for p, q in zip(ours, exact):
        assert p.dtype == torch.float32
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_mmcv_and_mmdet_are_as_they_were_after_the_context():
    from mmdet.models.task_modules.prior_generators import AnchorGenerator, MlvlPointGenerator
    nms_module = importlib.import_module('mmcv.ops.nms')
    roi_align_module = importlib.import_module('mmcv.ops.roi_align')

    def state():
        return (nms_module.NMSop.__dict__['forward'], roi_align_module.roi_align,
                AnchorGenerator.single_level_grid_priors,
                MlvlPointGenerator.single_level_grid_priors)
    before = state()
    with boxes_in_fp32():
        assert all(a is not b for a, b in zip(state(), before))
    assert all(a is b for a, b in zip(state(), before))
    with pytest.raises(RuntimeError, match='BFloat16'):
        nms(BOXES.bfloat16(), SCORES.bfloat16(), 0.5)
