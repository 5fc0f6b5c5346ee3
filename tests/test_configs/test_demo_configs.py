"""The demo's ConvNeXt V2 configs (``ARCH=t_v2`` / ``atto_v2`` in tools/demo.sh): each is its V1
twin with the V2 block (GRN, no layer scale) and, when fine-tuning, the V2 pretrained backbone,
when pretraining, half the lr (without layer scale the V1 lr leaves it near chance); nothing
else differs."""
import re
from pathlib import Path

import pytest
from mmengine.config import Config

ROOT = Path(__file__).parents[2]
CONFIGS = ('convnext_{}_shapes_cls', 'mask_rcnn_convnext_{}_shapes', 'upernet_convnext_{}_shapes')


def demo_pretrain_epochs(task):
    """tools/demo.sh's default PRETRAIN_EPOCHS for det or seg."""
    script = (ROOT / 'tools/demo.sh').read_text()
    found = re.search(r'\[\[ \$TASK == det \]\] && echo (\d+) \|\| echo (\d+)', script)
    assert found, 'tools/demo.sh: its default PRETRAIN_EPOCHS line for det / seg was not found'
    det, seg = found.groups()
    return int(det if task == 'det' else seg)


def demo_pretrain_name(task, arch):
    """The pretraining tools/demo.sh runs for task and arch: convnext_<name>_shapes_cls.py, kept
    in work_dirs/demo_pretrain_<name>_<epochs>ep."""
    script = (ROOT / 'tools/demo.sh').read_text()
    found = re.findall(r'\[\[ \$TASK == (\w+) && \$ARCH == (\w+) \]\] && PRETRAIN=(\w+)', script)
    assert found, 'tools/demo.sh: its line choosing a task\'s own pretraining was not found'
    return {(t, a): name for t, a, name in found}.get((task, arch), arch)


def without_backbone(cfg):
    cfg = cfg.to_dict()
    del cfg['model']['backbone']
    return cfg


@pytest.mark.parametrize('arch', ['t', 'atto'])
@pytest.mark.parametrize('name', CONFIGS)
def test_v2_demo_config_is_its_v1_twin_with_the_v2_block(arch, name):
    v1 = Config.fromfile(ROOT / 'configs/demo' / (name.format(arch) + '.py'))
    v2 = Config.fromfile(ROOT / 'configs/demo' / (name.format(f'{arch}_v2') + '.py'))
    b1, b2 = dict(v1.model.backbone), dict(v2.model.backbone)
    assert b2.pop('use_grn') is True and 'use_grn' not in b1
    assert b2.pop('layer_scale_init_value') == 0
    assert b1.pop('layer_scale_init_value', 'default') != 0  # V1: layer scale
    if 'init_cfg' in b1 and not name.endswith('_cls'):
        # where tools/demo.sh puts the backbone it pretrains (4 epochs for det, 12 for seg)
        task = 'det' if name.startswith('mask_rcnn') else 'seg'
        epochs = demo_pretrain_epochs(task)
        for b, v in ((b1, arch), (b2, f'{arch}_v2')):
            assert b.pop('init_cfg')['checkpoint'] == \
                f'work_dirs/demo_pretrain_{demo_pretrain_name(task, v)}_{epochs}ep/backbone.pth'
    assert b1 == b2
    if name.endswith('_cls'):
        assert (v1.optim_wrapper.optimizer.pop('lr'), v2.optim_wrapper.optimizer.pop('lr')) \
            == (2e-3, 1e-3)
    assert without_backbone(v1) == without_backbone(v2)


def test_cpu_demo_segmenter_pretrains_with_layer_scale_from_one():
    """`tools/demo.sh seg` on a CPU pretrains its backbone with convnext_atto_seg_shapes_cls.py:
    the detector's pretraining with layer scale from 1.0 and half the lr, nothing else (a higher
    held-out mIoU, docs/benchmarks.md); the other demo models keep their own."""
    assert demo_pretrain_name('seg', 'atto') == 'atto_seg'
    for task, arch in (('det', 'atto'), ('seg', 't'), ('seg', 'atto_v2'), ('det', 't_v2')):
        assert demo_pretrain_name(task, arch) == arch
    det = Config.fromfile(ROOT / 'configs/demo/convnext_atto_shapes_cls.py').to_dict()
    seg = Config.fromfile(ROOT / 'configs/demo/convnext_atto_seg_shapes_cls.py').to_dict()
    assert det['model']['backbone'].get('layer_scale_init_value', 1e-6) == 1e-6
    assert seg['model']['backbone'].pop('layer_scale_init_value') == 1.0
    det['model']['backbone'].pop('layer_scale_init_value', None)
    assert (det['optim_wrapper']['optimizer'].pop('lr'),
            seg['optim_wrapper']['optimizer'].pop('lr')) == (2e-3, 1e-3)
    assert seg == det


@pytest.mark.parametrize('arch', ['atto', 'atto_v2'])
def test_cpu_demo_detector_trains_on_whole_shapes(arch):
    """The CPU demo detector keeps the paper's multi-scale resizing but not its random crop,
    whose cut shapes keep their labels (docs/benchmarks.md); the GPU (ConvNeXt-T) config keeps
    the crop."""
    cpu = Config.fromfile(ROOT / f'configs/demo/mask_rcnn_convnext_{arch}_shapes.py')
    gpu = Config.fromfile(ROOT / 'configs/demo/mask_rcnn_convnext_t_shapes.py')
    steps = [t.type for t in cpu.train_dataloader.dataset.pipeline]
    assert steps == ['LoadImageFromFile', 'LoadAnnotations', 'RandomFlip', 'RandomChoiceResize',
                     'PackDetInputs']
    resize = cpu.train_dataloader.dataset.pipeline[3]
    assert resize.scales == gpu.multi_scale and resize.keep_ratio
    assert 'RandomCrop' in str(gpu.train_dataloader.dataset.pipeline)
