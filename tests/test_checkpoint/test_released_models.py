"""The paper's released detectors and segmenters (mmdet 2.x / mmseg 0.x files) load into our
configs' models with no missing or unexpected key.

The released files cannot be downloaded here, so their key layout is written out from the
module attribute names of the code that produced them: the paper's ConvNeXt
(downsample_layers, stages.i.j.{dwconv, norm, pwconv1, pwconv2, gamma}, norm{i}), and in
mmdet 2.x FPN (lateral_convs, fpn_convs), RPNHead (rpn_conv, rpn_cls, rpn_reg),
ConvFCBBoxHead (shared_convs, shared_fcs, fc_cls, fc_reg), FCNMaskHead (convs, upsample,
conv_logits); in mmseg 0.x UPerHead (psp_modules, bottleneck, lateral_convs, fpn_convs,
fpn_bottleneck, conv_seg) and FCNHead (convs, conv_seg). mmcv's ConvModule names its parts
``conv`` and ``bn`` (no conv bias when it has a norm).
"""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmconvnext.models.backbones.convnext import ARCH_SETTINGS

ROOT = Path(__file__).parents[2]
BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')
WB = ('weight', 'bias')


def params(prefix, names=WB):
    return [f'{prefix}.{n}' for n in names]


def conv_module(prefix, norm):
    return params(f'{prefix}.conv', ('weight', )) + params(f'{prefix}.bn', BN) if norm \
        else params(f'{prefix}.conv')


def paper_backbone(arch):
    depths = ARCH_SETTINGS[arch]['depths']
    keys = params('backbone.downsample_layers.0.0') + params('backbone.downsample_layers.0.1')
    for i in range(1, 4):
        keys += params(f'backbone.downsample_layers.{i}.0') + params(
            f'backbone.downsample_layers.{i}.1')
    for i, depth in enumerate(depths):
        for j in range(depth):
            block = f'backbone.stages.{i}.{j}'
            keys += [f'{block}.gamma'] + [k for part in ('dwconv', 'norm', 'pwconv1', 'pwconv2')
                                          for k in params(f'{block}.{part}')]
        keys += params(f'backbone.norm{i}')
    return keys


def mmdet2_fpn_rpn():
    keys = []
    for i in range(4):
        keys += conv_module(f'neck.lateral_convs.{i}', False) + conv_module(
            f'neck.fpn_convs.{i}', False)
    for part in ('rpn_conv', 'rpn_cls', 'rpn_reg'):
        keys += params(f'rpn_head.{part}')
    return keys


def mmdet2_mask_head(prefix):
    keys = [k for i in range(4) for k in conv_module(f'{prefix}.convs.{i}', False)]
    return keys + params(f'{prefix}.upsample') + params(f'{prefix}.conv_logits')


def released_mask_rcnn(arch):
    head = 'roi_head.bbox_head'
    return paper_backbone(arch) + mmdet2_fpn_rpn() + params(f'{head}.shared_fcs.0') + params(
        f'{head}.shared_fcs.1') + params(f'{head}.fc_cls') + params(
            f'{head}.fc_reg') + mmdet2_mask_head('roi_head.mask_head')


def released_cascade(arch):
    keys = paper_backbone(arch) + mmdet2_fpn_rpn()
    for s in range(3):
        head = f'roi_head.bbox_head.{s}'
        keys += [k for i in range(4) for k in conv_module(f'{head}.shared_convs.{i}', True)]
        keys += params(f'{head}.shared_fcs.0') + params(f'{head}.fc_cls') + params(
            f'{head}.fc_reg')
        keys += mmdet2_mask_head(f'roi_head.mask_head.{s}')
    return keys


def released_upernet(arch):
    keys = paper_backbone(arch)
    head = 'decode_head'
    keys += [k for i in range(4) for k in conv_module(f'{head}.psp_modules.{i}.1', True)]
    keys += conv_module(f'{head}.bottleneck', True) + conv_module(f'{head}.fpn_bottleneck', True)
    for i in range(3):
        keys += conv_module(f'{head}.lateral_convs.{i}', True) + conv_module(
            f'{head}.fpn_convs.{i}', True)
    keys += params(f'{head}.conv_seg')
    keys += conv_module('auxiliary_head.convs.0', True) + params('auxiliary_head.conv_seg')
    return keys


@pytest.mark.parametrize('config, released_keys, scope', [
    ('cascade_mask_rcnn/convnext_t_3x.py', released_cascade, 'mmdet'),
    ('mask_rcnn/convnext_t_3x.py', released_mask_rcnn, 'mmdet'),
    ('upernet/convnext_t_512_160k_ade20k.py', released_upernet, 'mmseg'),
])
def test_released_layout_loads_with_no_missing_or_unexpected_key(config, released_keys, scope,
                                                                  tmp_path):
    cfg = Config.fromfile(ROOT / 'configs' / config)
    cfg.model.backbone.init_cfg = None
    init_default_scope(scope)
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model)
    keys = released_keys('tiny')
    assert len(keys) == len(set(keys))
    own = model.state_dict()
    assert set(own) == set(keys), (sorted(set(own) - set(keys))[:10],
                                   sorted(set(keys) - set(own))[:10])
    # a file as mmdet 2.x / mmseg 0.x saved it, with random weights of the right shapes
    gen = torch.Generator().manual_seed(0)
    state = {k: torch.randn(own[k].shape, generator=gen) if own[k].is_floating_point()
             else own[k].clone() for k in keys}
    path = tmp_path / 'released.pth'
    torch.save({'meta': {'mmcv_version': '1.3.8', 'CLASSES': ('a', 'b'), 'epoch': 36,
                         'config': 'model = dict(...)'}, 'state_dict': state}, path)
    load_checkpoint(model, str(path), strict=True)  # what tools/test.py uses (load_from)
    for k in keys[:: max(1, len(keys) // 50)]:
        assert torch.equal(model.state_dict()[k], state[k]), k
