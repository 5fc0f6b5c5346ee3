"""Every Table 3 / Table 4 config: builds, and its recipe is the paper's (values read from the
loaded config and the built model, compared with the tables of the issue that asked for
them)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmconvnext.models.backbones.convnext import ARCH_SETTINGS

ROOT = Path(__file__).parents[2]
URL = 'https://dl.fbaipublicfiles.com/convnext/convnext_{}_224.pth'
V2_URL = 'https://dl.fbaipublicfiles.com/convnext/convnextv2/'

DETECTION = {  # file: (model, arch, weights, drop path, lr, decay rate, num_layers, amp)
    'mask_rcnn/convnext_t_3x.py': ('MaskRCNN', 'tiny', '1k', 0.4, 1e-4, 0.95, 6, True),
    'mask_rcnn/convnext_t_1x.py': ('MaskRCNN', 'tiny', '1k', 0.4, 1e-4, 0.95, 6, True),
    'cascade_mask_rcnn/convnext_t_3x.py': ('CascadeRCNN', 'tiny', '1k', 0.4, 2e-4, 0.7, 6, True),
    'cascade_mask_rcnn/convnext_s_3x.py': ('CascadeRCNN', 'small', '1k', 0.6, 2e-4, 0.7, 12,
                                           True),
    'cascade_mask_rcnn/convnext_b_3x.py': ('CascadeRCNN', 'base', '1k', 0.7, 2e-4, 0.8, 12, True),
    'cascade_mask_rcnn/convnext_b_in22k_3x.py': ('CascadeRCNN', 'base', '22k', 0.6, 1e-4, 0.8,
                                                 12, True),
    'cascade_mask_rcnn/convnext_l_in22k_3x.py': ('CascadeRCNN', 'large', '22k', 0.7, 1e-4, 0.7,
                                                 12, False),
    'cascade_mask_rcnn/convnext_xl_in22k_3x.py': ('CascadeRCNN', 'xlarge', '22k', 0.8, 1e-4,
                                                  0.7, 12, False),
}
V2_DETECTION = {  # the V2 paper's COCO recipe (Table 6, appendix A.3): file -> arch
    'mask_rcnn/convnext_v2_b_3x.py': 'base',
    'mask_rcnn/convnext_v2_l_3x.py': 'large',
    'mask_rcnn/convnext_v2_h_3x.py': 'huge',
}
SEGMENTATION = {  # file: (arch, weights, crop, drop path, lr, num_layers, amp)
    'upernet/convnext_t_512_160k_ade20k.py': ('tiny', '1k', 512, 0.4, 1e-4, 6, True),
    'upernet/convnext_s_512_160k_ade20k.py': ('small', '1k', 512, 0.3, 1e-4, 12, True),
    'upernet/convnext_b_512_160k_ade20k.py': ('base', '1k', 512, 0.4, 1e-4, 12, True),
    'upernet/convnext_b_in22k_640_160k_ade20k.py': ('base', '22k', 640, 0.4, 1e-4, 12, True),
    'upernet/convnext_l_in22k_640_160k_ade20k.py': ('large', '22k', 640, 0.4, 1e-4, 12, False),
    'upernet/convnext_xl_in22k_640_160k_ade20k.py': ('xlarge', '22k', 640, 0.4, 8e-5, 12, False),
    # ConvNeXt V2 (the V2 paper's Table 7) on V1's recipes
    'upernet/convnext_v2_b_512_160k_ade20k.py': ('base', 'v2-1k', 512, 0.4, 1e-4, 12, True),
    'upernet/convnext_v2_l_512_160k_ade20k.py': ('large', 'v2-1k', 512, 0.4, 1e-4, 12, False),
    'upernet/convnext_v2_h_512_160k_ade20k.py': ('huge', 'v2-1k', 512, 0.4, 1e-4, 12, False),
    'upernet/convnext_v2_h_in22k_640_160k_ade20k.py': ('huge', 'v2-22k', 640, 0.4, 1e-4, 12,
                                                       False),
}
DINOV3 = (  # their ImageNet twin with DINOv3's weights (tests/test_checkpoint/test_dinov3.py)
    'mask_rcnn/convnext_t_dinov3_3x.py',
    'cascade_mask_rcnn/convnext_t_dinov3_3x.py',
    'upernet/convnext_t_dinov3_512_160k_ade20k.py',
)
V2_WEIGHTS = {  # the official ConvNeXt V2 files the V2 configs start from
    'v2-1k': 'im1k/convnextv2_{}_1k_224_ema.pt',
    'v2-22k': 'im22k/convnextv2_{}_22k_{}_ema.pt',
}


def test_tables_list_exactly_the_config_files():
    files = {str(p.relative_to(ROOT)) for d in ('mask_rcnn', 'cascade_mask_rcnn', 'upernet')
             for p in (ROOT / 'configs' / d).glob('*.py')}
    assert files == {f'configs/{f}' for f in (*DETECTION, *V2_DETECTION, *SEGMENTATION,
                                              *DINOV3)}
    # the paper's numbers: one metafile.yml per folder (mim's format), listing every config
    listed = set()
    for folder in ('mask_rcnn', 'cascade_mask_rcnn', 'upernet'):
        with open(ROOT / 'configs' / folder / 'metafile.yml') as f:
            listed |= {m['Config'] for m in yaml.safe_load(f)['Models']}
    assert listed == files
    with open(ROOT / 'model-index.yml') as f:
        assert yaml.safe_load(f)['Import'] == [
            f'configs/{d}/metafile.yml' for d in ('mask_rcnn', 'cascade_mask_rcnn', 'upernet')]


def check_backbone_and_optimizer(cfg, arch, weights, drop_path, lr, num_layers, amp,
                                 batch=2):
    backbone = cfg.model.backbone
    assert backbone.type == 'mmconvnext.ConvNeXt' and backbone.arch == arch
    assert backbone.drop_path_rate == drop_path
    assert tuple(backbone.out_indices) == (0, 1, 2, 3)
    if weights in V2_WEIGHTS:  # the V2 block: GRN, no layer scale (as the V2 authors' code)
        assert backbone.use_grn is True and backbone.layer_scale_init_value == 0
        url = V2_URL + V2_WEIGHTS[weights].format(arch, 384 if arch == 'huge' else 224)
    else:
        assert 'use_grn' not in backbone and backbone.layer_scale_init_value == 1.0
        url = URL.format(f'{arch}_{weights}')
    assert backbone.init_cfg == dict(type='Pretrained', checkpoint=url)
    assert 'mmconvnext' in cfg.custom_imports.imports
    optim = cfg.optim_wrapper
    assert optim.type == ('AmpOptimWrapper' if amp else 'OptimWrapper')
    assert optim.constructor == 'mmconvnext.LearningRateDecayOptimizerConstructor'
    assert optim.optimizer == dict(type='AdamW', lr=lr, betas=(0.9, 0.999), weight_decay=0.05)
    assert optim.paramwise_cfg.num_layers == num_layers
    assert cfg.auto_scale_lr.base_batch_size == 8 * batch
    assert cfg.train_dataloader.batch_size == batch  # x 8 GPUs


@pytest.mark.parametrize('config', list(DETECTION))
def test_detection_recipe(config):
    model_type, arch, weights, drop_path, lr, decay, num_layers, amp = DETECTION[config]
    cfg = Config.fromfile(ROOT / 'configs' / config)
    check_backbone_and_optimizer(cfg, arch, weights, drop_path, lr, num_layers, amp)
    assert cfg.model.type == model_type
    assert cfg.model.neck.in_channels == ARCH_SETTINGS[arch]['dims']
    assert cfg.optim_wrapper.paramwise_cfg.decay_rate == decay
    assert cfg.optim_wrapper.paramwise_cfg.decay_type == 'layer_wise'
    epochs, steps = ((12, [8, 11]) if config.endswith('1x.py') else (36, [27, 33]))
    assert cfg.train_cfg.max_epochs == epochs
    warmup, multistep = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.by_epoch, warmup.end) == (
        'LinearLR', 0.001, False, 500)
    assert (multistep.type, multistep.milestones, multistep.gamma) == ('MultiStepLR', steps, 0.1)
    test_resize = [t for t in cfg.test_dataloader.dataset.pipeline if t.type == 'Resize'][0]
    assert test_resize.scale == (1333, 800) and test_resize.keep_ratio
    train = cfg.train_dataloader.dataset.pipeline
    flip = [t for t in train if t.type == 'RandomFlip'][0]
    assert flip.prob == 0.5
    if config.endswith('1x.py'):
        assert [t for t in train if t.type == 'Resize'][0].scale == (1333, 800)
        return
    choice = [t for t in train if t.type == 'RandomChoice'][0]
    multi_scale = [(1333, s) for s in range(480, 801, 32)]
    (resize, ), (resize_small, crop, resize_again) = choice.transforms
    assert resize.type == resize_again.type == 'RandomChoiceResize'
    assert resize.scales == resize_again.scales == multi_scale
    assert resize_small.scales == [(1333, 400), (1333, 500), (1333, 600)]
    assert (crop.type, crop.crop_type, crop.crop_size, crop.allow_negative_crop) == (
        'RandomCrop', 'absolute_range', (384, 600), True)


@pytest.mark.parametrize('config', list(V2_DETECTION))
def test_v2_detection_recipe(config):
    """What the V2 paper states (appendix A.3): Mask R-CNN, 3x, 32 images per iteration, AdamW
    1e-4 with weight decay 0.05, large-scale jittering at 1024 (scale 0.1 to 2.0), soft-NMS; layer
    decay and drop path from its sweeps (0.95, 0.4); the ImageNet-1K fine-tuned weights."""
    arch = V2_DETECTION[config]
    cfg = Config.fromfile(ROOT / 'configs' / config)
    check_backbone_and_optimizer(cfg, arch, 'v2-1k', 0.4, 1e-4, 12, True, batch=4)
    assert cfg.model.type == 'MaskRCNN'
    assert cfg.model.neck.in_channels == ARCH_SETTINGS[arch]['dims']
    assert cfg.optim_wrapper.paramwise_cfg.decay_rate == 0.95
    assert cfg.train_cfg.max_epochs == 36
    assert cfg.model.test_cfg.rcnn.nms == dict(type='soft_nms', iou_threshold=0.5)
    train = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    assert (train['RandomResize'].scale, train['RandomResize'].ratio_range) == ((1024, 1024),
                                                                              (0.1, 2.0))
    assert (train['RandomCrop'].crop_size, train['RandomCrop'].recompute_bbox) == ((1024, 1024),
                                                                                  True)
    assert train['RandomFlip'].prob == 0.5


@pytest.mark.parametrize('config', [c for c in DETECTION if c.startswith('cascade')])
def test_cascade_heads(config):
    cfg = Config.fromfile(ROOT / 'configs' / config)
    heads = cfg.model.roi_head.bbox_head
    stds = [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067]]
    assert len(heads) == 3
    for head, std in zip(heads, stds):
        assert head.type == 'ConvFCBBoxHead'
        assert (head.num_shared_convs, head.num_shared_fcs, head.conv_out_channels,
                head.fc_out_channels) == (4, 1, 256, 1024)
        assert head.reg_decoded_bbox and not head.reg_class_agnostic
        assert head.norm_cfg.type == 'SyncBN'
        assert head.loss_bbox == dict(type='GIoULoss', loss_weight=10.0)
        assert head.bbox_coder.target_stds == std
    rpn_loss = cfg.model.rpn_head.loss_bbox
    assert rpn_loss.type == 'SmoothL1Loss' and rpn_loss.beta == pytest.approx(1 / 9)


@pytest.mark.parametrize('config', list(SEGMENTATION))
def test_segmentation_recipe(config):
    arch, weights, crop, drop_path, lr, num_layers, amp = SEGMENTATION[config]
    cfg = Config.fromfile(ROOT / 'configs' / config)
    check_backbone_and_optimizer(cfg, arch, weights, drop_path, lr, num_layers, amp)
    dims = ARCH_SETTINGS[arch]['dims']
    model = cfg.model
    assert model.type == 'EncoderDecoder' and model.pretrained is None
    head, aux = model.decode_head, model.auxiliary_head
    assert (head.type, head.in_channels, head.channels, head.pool_scales, head.dropout_ratio,
            head.num_classes, head.norm_cfg.type) == ('UPerHead', dims, 512, (1, 2, 3, 6), 0.1,
                                                      150, 'SyncBN')
    assert head.loss_decode.loss_weight == 1.0
    assert (aux.type, aux.in_channels, aux.in_index, aux.channels, aux.num_convs,
            aux.num_classes, aux.loss_decode.loss_weight) == ('FCNHead', dims[2], 2, 256, 1,
                                                               150, 0.4)
    assert cfg.optim_wrapper.paramwise_cfg.decay_rate == 0.9
    assert cfg.optim_wrapper.paramwise_cfg.decay_type == 'stage_wise'
    assert cfg.train_cfg.max_iters == 160000
    warmup, poly = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end) == ('LinearLR', 1e-6, 1500)
    assert (poly.type, poly.power, poly.eta_min, poly.begin, poly.end) == (
        'PolyLR', 1.0, 0.0, 1500, 160000)
    assert model.data_preprocessor.size == (crop, crop)
    stride = {512: 341, 640: 426}[crop]
    assert (model.test_cfg.mode, model.test_cfg.crop_size, model.test_cfg.stride) == (
        'slide', (crop, crop), (stride, stride))
    pipeline = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    assert pipeline['RandomResize'].scale == (4 * crop, crop)
    assert pipeline['RandomResize'].ratio_range == (0.5, 2.0)
    assert pipeline['RandomCrop'].crop_size == (crop, crop)
    assert pipeline['RandomCrop'].cat_max_ratio == 0.75
    assert pipeline['RandomFlip'].prob == 0.5 and 'PhotoMetricDistortion' in pipeline
    assert pipeline['LoadAnnotations'].reduce_zero_label
    tta = cfg.tta_pipeline[1].transforms
    assert [t.scale_factor for t in tta[0]] == [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
    assert [t.prob for t in tta[1]] == [0., 1.]


@pytest.mark.slow
def test_every_config_builds_and_matches_the_paper_params_and_flops(tmp_path):
    """tools/analysis/paper_tables.py over all configs: each model is built (on the meta
    device) and its parameters and FLOPs are within 1% of Table 3 / Table 4 (V2: the V2 paper's
    Tables 6 and 7)."""
    out = tmp_path / 'rows.json'
    result = subprocess.run([sys.executable, 'tools/analysis/paper_tables.py', '--json',
                             str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert len(rows) == len(DETECTION) + len(V2_DETECTION) + len(SEGMENTATION) + len(DINOV3)
    for row in rows:
        # the V2 paper gives no parameter counts for its COCO models
        assert (row['paper_params'] is None) == (row['config'] in {
            f'configs/{c}' for c in V2_DETECTION}), row
        if row['paper_params']:
            assert abs(row['params'] / row['paper_params'] - 1) < 0.01, row
        assert abs(row['flops'] / row['paper_flops'] - 1) < 0.01, row
    by_config = {r['config']: r for r in rows}
    t = by_config['configs/cascade_mask_rcnn/convnext_t_3x.py']
    assert 85.5e6 < t['params'] < 86.5e6 and 739e9 < t['flops'] < 743e9
    v2_b = by_config['configs/mask_rcnn/convnext_v2_b_3x.py']  # as measured
    assert 108.0e6 < v2_b['params'] < 108.2e6
    assert '0 more than 1.0% off the paper' in result.stdout


def test_config_builds_a_real_model_on_cpu():
    """One of them for real (not on the meta device): Cascade-T, outputs of the right kind."""
    cfg = Config.fromfile(ROOT / 'configs/cascade_mask_rcnn/convnext_t_3x.py')
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmdet')
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(1, 3, 128, 160))
    assert [f.shape[-2:] for f in feats] == [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)]
