"""Every ConvNeXt config shipped inside the installed mmdet and mmseg packages
(``.mim/configs/convnext/``), as a user switching to this project has them: with only the
backbone type changed to ``mmconvnext.ConvNeXt``, and separately only the optimizer
constructor changed to ours, each builds, gets the parameter groups and learning rates of
mmdet's / mmseg's own recipe for every parameter, and trains one step at a small input size.
"""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope

import mmconvnext  # noqa: F401  (registers the backbone and the constructor)
from mmconvnext.models import ConvNeXt
from recipes import per_parameter
from step_inputs import few_rois, seg_batch

pytestmark = pytest.mark.slow


def installed_configs():
    configs = []
    for package in ('mmdet', 'mmseg'):
        module = pytest.importorskip(package)
        folder = Path(module.__file__).parent / '.mim' / 'configs' / 'convnext'
        configs += [pytest.param(path, id=path.name) for path in sorted(folder.glob('*.py'))]
    return configs


def build_model(cfg, backbone_type=None):
    """The config's model, with the backbone type swapped if given, no weights to fetch."""
    cfg = few_rois(copy.deepcopy(cfg))
    if backbone_type:
        cfg.model.backbone.type = backbone_type
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def build_optim(cfg, model, constructor=None):
    """The config's optimizer wrapper in fp32, with the constructor swapped if given."""
    optim = copy.deepcopy(cfg.optim_wrapper)
    optim.type = 'OptimWrapper'  # AmpOptimWrapper needs a GPU
    optim.pop('loss_scale', None)
    if constructor:
        optim.constructor = constructor
    return build_optim_wrapper(model, optim)


def small_batch(cfg, model):
    """A training batch of small images (128 x 128) for this config's task."""
    if cfg.default_scope == 'mmdet':
        from mmdet.testing import demo_mm_inputs
        return demo_mm_inputs(batch_size=1, image_shapes=(3, 128, 128), num_items=[2],
                              num_classes=80, with_mask=True)
    model.data_preprocessor.size = (128, 128)  # the configs pad to their 512 / 640 crops
    return seg_batch(cfg.model.decode_head.num_classes, batch=2)  # BatchNorm in the heads


@pytest.mark.parametrize('path', installed_configs())
def test_switching_backbone_or_constructor_keeps_the_recipe_and_trains(path):
    cfg = Config.fromfile(path)
    init_default_scope(cfg.default_scope)
    assert cfg.model.backbone.type == 'mmpretrain.ConvNeXt'
    theirs = build_model(cfg)
    expected = per_parameter(theirs, build_optim(cfg, theirs))
    # only the constructor swapped: the same groups for mmpretrain's backbone; one step
    ours_constructor = build_optim(cfg, theirs, 'mmconvnext.LearningRateDecayOptimizerConstructor')
    assert per_parameter(theirs, ours_constructor) == expected
    train_one_step(cfg, theirs, ours_constructor, 'stages.2.0.pointwise_conv1.weight')
    del theirs, ours_constructor

    # only the backbone type swapped: their constructor, the same groups; one step
    model = build_model(cfg, backbone_type='mmconvnext.ConvNeXt')
    optim = build_optim(cfg, model)
    assert isinstance(model.backbone, ConvNeXt)
    assert per_parameter(model, optim) == expected
    train_one_step(cfg, model, optim, 'stages.2.0.pwconv1.weight')


def train_one_step(cfg, model, optim, backbone_weight):
    """One training step at 128 x 128: finite losses, and the backbone weight moves."""
    model.train()
    weight = model.backbone.get_parameter(backbone_weight)
    before = weight.detach().clone()
    log_vars = model.train_step(small_batch(cfg, model), optim)
    assert log_vars and all(torch.isfinite(v).all() for v in log_vars.values())
    assert not torch.equal(before, weight)
