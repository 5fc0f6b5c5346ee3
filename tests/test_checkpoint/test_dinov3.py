"""DINOv3's distilled ConvNeXts (Siméoni et al., 2025) in the three layouts they are published
in: the dinov3 repository's (``dinov3/models/convnext.py``: the paper's names, plus the final
``norm`` and, the same module again, ``norms.3``), timm's ``convnext_*.dinov3_lvd1689m``, and
transformers' ``DINOv3ConvNextModel`` (``modeling_dinov3_convnext.py``). Built from the real timm
module (random weights), each loads into our backbone (init_cfg and tools/convert_checkpoint.py)
and gives timm's stage outputs; the DINOv3 configs load a full-size file and train a step."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mmconvnext.checkpoint import convert
from mmconvnext.models import ConvNeXt
from mmconvnext.testing.paper_layout import randomize_
from step_inputs import few_rois, seg_batch

timm = pytest.importorskip('timm')

ROOT = Path(__file__).parents[2]
DEPTHS, DIMS = [2, 2, 3, 2], [16, 24, 32, 40]
X = torch.randn(2, 3, 64, 96, generator=torch.Generator().manual_seed(0))
BLOCK = ('weight', 'bias')


def timm_dinov3(**arch):
    """timm's DINOv3 ConvNeXt: its pretrained config (no classifier, ``head.norm`` kept)."""
    return timm.create_model('convnext_tiny.dinov3_lvd1689m', pretrained=False, **arch).eval()


@pytest.fixture(scope='module')
def reference():
    """A small timm DINOv3 ConvNeXt with random weights, and its 4 stage outputs on X."""
    model = randomize_(timm_dinov3(depths=DEPTHS, dims=DIMS), seed=21).eval()
    with torch.no_grad():
        feats = model.forward_intermediates(X, intermediates_only=True)
    return model, feats


def to_dinov3_repo(timm_state):
    """timm's names -> the dinov3 repository's: downsample_layers.{0..3}.{0,1},
    stages.N.M.{dwconv, norm, pwconv1, pwconv2, gamma}; timm's ``head.norm`` is DINOv3's final
    ``norm``, which its ConvNeXt also registers as ``norms.3`` (so its state dict has both)."""
    out = {}
    for key, value in timm_state.items():
        key = re.sub(r'^stem\.', 'downsample_layers.0.', key)
        key = re.sub(r'^stages\.(\d)\.downsample\.', r'downsample_layers.\1.', key)
        key = re.sub(r'^stages\.(\d)\.blocks\.(\d+)\.', r'stages.\1.\2.', key)
        key = key.replace('.conv_dw.', '.dwconv.').replace('.mlp.fc', '.pwconv')
        if key.startswith('head.norm.'):
            key = key[len('head.'):]
            out['norms.3.' + key[len('norm.'):]] = value
        out[key] = value
    return out


def to_transformers(dinov3_state, final_norm=True):
    """The dinov3 repository's names -> transformers', by the renames of its conversion script
    (convert_dinov3_convnext_to_hf.py: dwconv -> depthwise_conv, pwconv -> pointwise_conv,
    norm -> layer_norm, stages.N.M -> stages.N.layers.M, downsample_layers.N.K ->
    stages.N.downsample_layers.K; norms.3.* left out). ``final_norm=False``: the
    ``DINOv3ConvNextBackbone``, which has no final ``layer_norm``."""
    out = {}
    for key, value in dinov3_state.items():
        if key.startswith('norms.') or (not final_norm and key.startswith('norm.')):
            continue
        key = key.replace('dwconv', 'depthwise_conv').replace('pwconv', 'pointwise_conv')
        key = key.replace('norm', 'layer_norm')
        key = re.sub(r'^stages\.(\d+)\.(\d+)\.', r'stages.\1.layers.\2.', key)
        key = re.sub(r'^downsample_layers\.(\d+)\.(\d+)\.', r'stages.\1.downsample_layers.\2.', key)
        out[key] = value
    return out


def dinov3_repo_keys(depths):
    """The state dict keys of dinov3/models/convnext.py's ConvNeXt, from its modules."""
    keys = {f'downsample_layers.{i}.{j}.{p}' for i in range(4) for j in range(2) for p in BLOCK}
    for i, depth in enumerate(depths):
        for j in range(depth):
            keys |= {f'stages.{i}.{j}.{m}.{p}' for m in ('dwconv', 'norm', 'pwconv1', 'pwconv2')
                     for p in BLOCK} | {f'stages.{i}.{j}.gamma'}
    return keys | {f'{m}.{p}' for m in ('norm', 'norms.3') for p in BLOCK}


def transformers_keys(depths):
    """The state dict keys of modeling_dinov3_convnext.py's DINOv3ConvNextModel, from its
    modules (DINOv3ConvNextStage: downsample_layers, layers; DINOv3ConvNextLayer:
    depthwise_conv, layer_norm, pointwise_conv1, pointwise_conv2, gamma)."""
    keys = {f'stages.{i}.downsample_layers.{j}.{p}' for i in range(4) for j in range(2)
            for p in BLOCK}
    for i, depth in enumerate(depths):
        for j in range(depth):
            keys |= {f'stages.{i}.layers.{j}.{m}.{p}' for p in BLOCK for m in (
                'depthwise_conv', 'layer_norm', 'pointwise_conv1', 'pointwise_conv2')}
            keys.add(f'stages.{i}.layers.{j}.gamma')
    return keys | {f'layer_norm.{p}' for p in BLOCK}


def layouts(timm_model):
    """{layout name: (state dict, the keys dropped)} for the three published layouts."""
    timm_state = timm_model.state_dict()
    repo = to_dinov3_repo(timm_state)
    return {
        'timm': (timm_state, ['head.norm.bias', 'head.norm.weight']),
        'official': (repo, ['norm.bias', 'norm.weight', 'norms.3.bias', 'norms.3.weight']),
        'transformers_dinov3': (to_transformers(repo), ['layer_norm.bias', 'layer_norm.weight']),
    }


def save(state_dict, path):
    """.safetensors as on the Hugging Face Hub (timm, transformers), else torch.save (dinov3)."""
    if path.suffix == '.safetensors':
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in state_dict.items()}, str(path))
    else:
        torch.save(state_dict, path)
    return path


def assert_timm_features(ours, timm_feats):
    """Our outputs are norm{i} (at init: weight 1, bias 0) of the stage outputs: timm's, so
    normalised."""
    with torch.no_grad():
        for i, (a, b) in enumerate(zip(ours.eval()(X), timm_feats)):
            torch.testing.assert_close(a, getattr(ours, f'norm{i}')(b), rtol=1e-5, atol=1e-5)


def from_init_cfg(path, arch=None):
    ours = ConvNeXt(arch or dict(depths=DEPTHS, dims=DIMS),
                    init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    ours.init_weights()
    return ours


def test_key_names_are_those_of_the_sources(reference):
    model, _ = reference
    repo = to_dinov3_repo(model.state_dict())
    assert set(repo) == dinov3_repo_keys(DEPTHS)
    assert set(to_transformers(repo)) == transformers_keys(DEPTHS)
    # timm loads the dinov3 repository's checkpoints through this filter: ours is their layout
    from timm.models.convnext import checkpoint_filter_fn
    back = checkpoint_filter_fn(repo, model)
    assert back.keys() == model.state_dict().keys()
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in back.items())


@pytest.mark.parametrize('layout', ['timm', 'official', 'transformers_dinov3'])
def test_each_layout_loads_with_init_cfg_and_gives_timm_features(layout, reference, tmp_path,
                                                                 capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance(f'test_dinov3_{layout}', log_level='INFO')  # logs to this capsys
    model, feats = reference
    state, dropped = layouts(model)[layout]
    converted, detected, really_dropped = convert(state)
    assert (detected, sorted(really_dropped)) == (layout, dropped)
    suffix = '.pth' if layout == 'official' else '.safetensors'
    ours = from_init_cfg(save(state, tmp_path / f'dinov3{suffix}'))
    out = capsys.readouterr().out
    assert f'({layout} layout)' in out and "missing, left at init: ['norm0.weight'" in out
    assert_timm_features(ours, feats)


def test_transformers_backbone_without_final_norm(reference, tmp_path):
    model, feats = reference
    state = to_transformers(to_dinov3_repo(model.state_dict()), final_norm=False)
    assert (convert(state)[1:]) == ('transformers_dinov3', [])
    assert_timm_features(from_init_cfg(save(state, tmp_path / 'model.safetensors')), feats)


@pytest.mark.parametrize('layout', ['timm', 'official', 'transformers_dinov3'])
def test_convert_tool(layout, reference, tmp_path):
    model, feats = reference
    state, dropped = layouts(model)[layout]
    src = save(state, tmp_path / ('src.pth' if layout == 'official' else 'src.safetensors'))
    result = subprocess.run(
        [sys.executable, 'tools/convert_checkpoint.py', str(src), str(tmp_path / 'ours.pth')],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f'{layout} layout' in result.stdout
    assert f'dropped {len(dropped)} keys' in result.stdout
    assert_timm_features(from_init_cfg(tmp_path / 'ours.pth'), feats)


def test_a_wrong_arch_is_refused_naming_the_shapes(reference, tmp_path):
    from mmconvnext.checkpoint import CheckpointError
    state, _ = layouts(reference[0])['transformers_dinov3']
    path = save(state, tmp_path / 'model.safetensors')
    with pytest.raises(CheckpointError, match=r'transformers_dinov3 layout.*shape mismatches'):
        from_init_cfg(path, arch=dict(depths=DEPTHS, dims=[16, 24, 32, 48]))


# the configs: their ImageNet twin with the DINOv3 weights; full-size ConvNeXt-T weights (the
# dinov3 repository's layout) load into them and the model trains a step

CONFIGS = {'mask_rcnn/convnext_t_dinov3_3x.py': 'mask_rcnn/convnext_t_3x.py',
           'cascade_mask_rcnn/convnext_t_dinov3_3x.py': 'cascade_mask_rcnn/convnext_t_3x.py',
           'upernet/convnext_t_dinov3_512_160k_ade20k.py': 'upernet/convnext_t_512_160k_ade20k.py'}
WEIGHTS = 'checkpoints/dinov3_convnext_tiny_pretrain_lvd1689m-21b726bb.pth'


@pytest.mark.parametrize('config', list(CONFIGS))
def test_config_is_its_imagenet_twin_with_the_dinov3_weights(config):
    from mmengine.config import Config
    ours = Config.fromfile(ROOT / 'configs' / config).to_dict()
    twin = Config.fromfile(ROOT / 'configs' / CONFIGS[config]).to_dict()
    assert ours['model']['backbone'].pop('init_cfg') == dict(type='Pretrained',
                                                             checkpoint=WEIGHTS)
    assert twin['model']['backbone'].pop('init_cfg')['type'] == 'Pretrained'
    assert ours == twin


@pytest.fixture(scope='module')
def full_size_weights(tmp_path_factory):
    """A ConvNeXt-T DINOv3 file in the dinov3 repository's layout (timm's module at its real
    size, its own random init), as downloaded from the DINOv3 release."""
    path = tmp_path_factory.mktemp('dinov3') / WEIGHTS.split('/')[-1]
    return save(to_dinov3_repo(timm_dinov3().state_dict()), path)


@pytest.mark.slow
@pytest.mark.parametrize('config', list(CONFIGS))
def test_config_loads_the_weights_and_trains_a_step(config, full_size_weights):
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(ROOT / 'configs' / config)
    cfg.model.backbone.init_cfg.checkpoint = str(full_size_weights)
    few_rois(cfg)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    model.init_weights()
    expected = torch.load(full_size_weights, weights_only=True)['stages.2.0.pwconv1.weight']
    weight = model.backbone.stages[2][0].pwconv1.weight
    assert torch.equal(weight, expected)
    cfg.optim_wrapper.type = 'OptimWrapper'  # AmpOptimWrapper needs a GPU
    cfg.optim_wrapper.pop('loss_scale', None)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    if cfg.default_scope == 'mmdet':
        from mmdet.testing import demo_mm_inputs
        batch = demo_mm_inputs(batch_size=1, image_shapes=(3, 128, 128), num_items=[2],
                               num_classes=80, with_mask=True)
    else:
        model.data_preprocessor.size = (128, 128)
        batch = seg_batch(cfg.model.decode_head.num_classes)
    model.train()
    log_vars = model.train_step(batch, optim)
    assert log_vars and all(torch.isfinite(v).all() for v in log_vars.values())
    assert not torch.equal(weight, expected)
