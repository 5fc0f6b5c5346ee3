"""The backbone and the optimizer constructor inside real mmdet / mmseg / mmpretrain models,
built from this repository's configs."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import mmconvnext
from mmconvnext.models import ConvNeXt
from step_inputs import few_rois, seg_batch

CONFIGS = Path(__file__).parents[2] / 'configs'


def build_model(config):
    """(model, cfg) from a config file, with no pretrained weights to fetch."""
    cfg = few_rois(Config.fromfile(CONFIGS / config))
    cfg.model.backbone.init_cfg = None
    init_default_scope(cfg.default_scope)
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model, cfg


def fp32_optim_wrapper(model, cfg):
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    optim_cfg.type = 'OptimWrapper'  # AmpOptimWrapper needs a GPU
    return build_optim_wrapper(model, optim_cfg)


def train_step_changes_weights(model, optim_wrapper, data):
    model.train()
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    log_vars = model.train_step(data, optim_wrapper)
    assert all(torch.isfinite(v).all() for v in log_vars.values())
    changed = [n for n, p in model.named_parameters()
               if n in before and not torch.equal(before[n], p.detach())]
    assert any(n.startswith('backbone.stages.2.') for n in changed)
    assert any(not n.startswith('backbone.') for n in changed)
    return log_vars


@pytest.mark.parametrize('config', [
    'mask_rcnn/convnext_t_3x.py',
    pytest.param('cascade_mask_rcnn/convnext_t_3x.py', marks=pytest.mark.slow)])
def test_mmdet_detector_loss_predict_and_step(config):
    from mmdet.testing import demo_mm_inputs
    torch.manual_seed(0)
    model, cfg = build_model(config)
    assert isinstance(model.backbone, ConvNeXt)
    assert torch.all(model.backbone.stages[0][0].gamma == 1.0)  # layer_scale_init_value=1.0
    data = demo_mm_inputs(batch_size=2, image_shapes=(3, 128, 160), num_items=[3, 2],
                          num_classes=80, with_mask=True)
    log_vars = train_step_changes_weights(model, fp32_optim_wrapper(model, cfg), data)
    stage = 's2.' if config.startswith('cascade') else ''
    assert {'loss_rpn_cls', f'{stage}loss_mask', f'{stage}loss_bbox'} <= set(log_vars)
    model.eval()
    with torch.no_grad():
        results = model.test_step(data)
    assert len(results) == 2
    assert results[0].pred_instances.bboxes.shape[-1] == 4
    assert len(results[0].pred_instances.masks) == len(results[0].pred_instances.bboxes)


def test_roi_features_of_our_detector_are_those_of_nchw_features():
    """RoIAlign (mmcv) on the FPN maps of our backbone gives what it gives on NCHW copies of
    them: with channels_last backbone outputs it silently read scrambled features, and the
    RoI heads of every detector learned nothing."""
    from mmcv.ops import RoIAlign
    torch.manual_seed(0)
    model, _ = build_model('mask_rcnn/convnext_t_3x.py')
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(1, 3, 128, 160))
        rois = torch.tensor([[0, 8., 12., 90., 100.], [0, 40., 4., 150., 60.]])
        extractor = model.roi_head.bbox_roi_extractor
        nchw = [f.contiguous(memory_format=torch.contiguous_format) for f in feats]
        torch.testing.assert_close(extractor(feats[:4], rois), extractor(nchw[:4], rois))
    # what goes wrong with a channels_last map, so that the check above means something
    x = torch.randn(1, 8, 32, 32)
    op = RoIAlign((7, 7), spatial_scale=1.0, sampling_ratio=0, aligned=True)
    assert not torch.allclose(op(x, rois / 5), op(
        x.contiguous(memory_format=torch.channels_last), rois / 5), atol=1e-3)


def test_mmseg_upernet_loss_predict_and_step():
    torch.manual_seed(0)
    model, cfg = build_model('upernet/convnext_t_512_160k_ade20k.py')
    model.data_preprocessor.size = (128, 128)
    model.test_cfg.update(crop_size=(128, 128), stride=(85, 85))
    data = seg_batch(150)
    log_vars = train_step_changes_weights(model, fp32_optim_wrapper(model, cfg), data)
    assert {'decode.loss_ce', 'aux.loss_ce'} <= set(log_vars)
    model.eval()
    with torch.no_grad():
        results = model.test_step(seg_batch(150, batch=1))
    assert results[0].pred_sem_seg.data.shape == (1, 128, 128)
    assert results[0].seg_logits.data.shape == (150, 128, 128)


def test_mmpretrain_image_classifier():
    from mmpretrain.registry import MODELS
    from mmpretrain.structures import DataSample
    init_default_scope('mmpretrain')
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='mmconvnext.ConvNeXt', arch='tiny', out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=768,
                  loss=dict(type='CrossEntropyLoss'))))
    assert isinstance(model.backbone, ConvNeXt)
    x = torch.randn(2, 3, 64, 64)
    samples = [DataSample().set_gt_label(3), DataSample().set_gt_label(7)]
    loss = model(x, samples, mode='loss')['loss']
    assert loss.item() > 0
    preds = model(x, mode='predict')
    assert preds[0].pred_score.shape == (10, )
    assert abs(preds[0].pred_score.sum().item() - 1) < 1e-5


def test_scope_resolution_without_default_scope():
    """`type='mmconvnext.ConvNeXt'` reaches our registry from mmengine's root too."""
    from mmengine.registry import MODELS
    model = MODELS.build(dict(type='mmconvnext.ConvNeXt', arch='tiny'))
    assert type(model) is mmconvnext.models.ConvNeXt
