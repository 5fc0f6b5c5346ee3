"""Foreign ConvNeXt layouts, built with the real modules of timm, mmpretrain and Hugging Face
transformers (random weights), convert to ours and give identical features."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mmconvnext.checkpoint import convert, detect_layout
from mmconvnext.models import ConvNeXt
from paper_layout import PaperConvNeXt, randomize_

ROOT = Path(__file__).parents[2]
DEPTHS, DIMS = [2, 2, 3, 2], [16, 24, 32, 40]
X = torch.randn(2, 3, 64, 96)


def ours_from(state_dict, expected_layout):
    converted, layout, dropped = convert(state_dict)
    assert layout == expected_layout
    model = ConvNeXt(dict(depths=DEPTHS, dims=DIMS)).eval()
    missing, unexpected = model.load_state_dict(converted, strict=False)
    assert not unexpected
    assert all(k.startswith('norm') for k in missing)  # output norms stay at init
    return model, dropped


def assert_same_features(ours, stage_outputs, normed):
    """``stage_outputs``: the foreign model's 4 stage outputs; ``normed``: whether it already
    applied its own output norms (else ours are applied to compare like with like)."""
    with torch.no_grad():
        for i, (a, b) in enumerate(zip(ours(X), stage_outputs)):
            b = b if normed else getattr(ours, f'norm{i}')(b)
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_official():
    classifier = randomize_(PaperConvNeXt(DEPTHS, DIMS, num_classes=7), seed=1).eval()
    ours, dropped = ours_from({'model': classifier.state_dict()}, 'official')
    assert sorted(dropped) == ['head.bias', 'head.weight', 'norm.bias', 'norm.weight']
    reference = PaperConvNeXt(DEPTHS, DIMS).eval()
    reference.load_state_dict(classifier.state_dict(), strict=False)
    with torch.no_grad():
        assert_same_features(ours, reference(X), normed=True)


def test_timm():
    timm = pytest.importorskip('timm')
    model = randomize_(timm.models.convnext.ConvNeXt(depths=DEPTHS, dims=DIMS, num_classes=5),
                       seed=2).eval()
    ours, dropped = ours_from(model.state_dict(), 'timm')
    assert dropped and all(k.startswith('head.') for k in dropped)
    with torch.no_grad():
        feats = model.forward_intermediates(X, intermediates_only=True)
    assert_same_features(ours, feats, normed=False)


@pytest.mark.parametrize('prefix', ['', 'backbone.'])
def test_mmpretrain(prefix):
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt
    model = randomize_(MMPretrainConvNeXt(
        arch=dict(depths=DEPTHS, channels=DIMS), out_indices=(0, 1, 2, 3),
        gap_before_final_norm=False), seed=3)
    model.eval()  # its train() override returns None, so no chaining
    state = {prefix + k: v for k, v in model.state_dict().items()}
    state[prefix.replace('backbone.', '') + 'head.fc.weight'] = torch.zeros(3, DIMS[-1])
    ours, _ = ours_from({'state_dict': state}, 'mmpretrain')
    for i in range(4):  # mmpretrain's output norms are ours: loaded, not left at init
        assert torch.equal(getattr(ours, f'norm{i}').weight, getattr(model, f'norm{i}').weight)
    with torch.no_grad():
        assert_same_features(ours, model(X), normed=True)


@pytest.mark.parametrize('wrapper', ['ConvNextModel', 'ConvNextForImageClassification'])
def test_transformers(wrapper):
    transformers = pytest.importorskip('transformers')
    config = transformers.ConvNextConfig(depths=DEPTHS, hidden_sizes=DIMS, num_labels=4)
    model = randomize_(getattr(transformers, wrapper)(config), seed=4).eval()
    ours, dropped = ours_from(model.state_dict(), 'transformers')
    with torch.no_grad():
        hidden = model(X, output_hidden_states=True).hidden_states
    assert_same_features(ours, hidden[1:], normed=False)


def test_transformers_backbone_norms_map_to_ours():
    transformers = pytest.importorskip('transformers')
    config = transformers.ConvNextConfig(depths=DEPTHS, hidden_sizes=DIMS,
                                         out_features=['stage1', 'stage2', 'stage3', 'stage4'])
    model = randomize_(transformers.ConvNextBackbone(config), seed=5).eval()
    ours, _ = ours_from(model.state_dict(), 'transformers')
    with torch.no_grad():
        assert_same_features(ours, model(X).feature_maps, normed=True)


def test_convert_tool_round_trip(tmp_path):
    """tools/convert_checkpoint.py on a timm checkpoint, then init_cfg loads the result."""
    timm = pytest.importorskip('timm')
    model = randomize_(timm.models.convnext.ConvNeXt(depths=DEPTHS, dims=DIMS), seed=6).eval()
    torch.save(model.state_dict(), tmp_path / 'timm.pth')
    result = subprocess.run(
        [sys.executable, 'tools/convert_checkpoint.py', str(tmp_path / 'timm.pth'),
         str(tmp_path / 'ours.pth')], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'timm layout' in result.stdout and 'dropped 4 keys: head.* (4)' in result.stdout  # head.norm, head.fc
    converted = torch.load(tmp_path / 'ours.pth', weights_only=True)
    assert detect_layout(converted['state_dict']) == 'official'
    ours = ConvNeXt(dict(depths=DEPTHS, dims=DIMS),
                    init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'ours.pth')))
    ours.init_weights()
    with torch.no_grad():
        feats = model.forward_intermediates(X, intermediates_only=True)
    assert_same_features(ours.eval(), feats, normed=False)


def test_init_cfg_converts_foreign_layouts_on_load(tmp_path):
    transformers = pytest.importorskip('transformers')
    config = transformers.ConvNextConfig(depths=DEPTHS, hidden_sizes=DIMS)
    model = randomize_(transformers.ConvNextModel(config), seed=7).eval()
    model.save_pretrained(tmp_path / 'hf')  # model.safetensors, as on the Hub
    ours = ConvNeXt(dict(depths=DEPTHS, dims=DIMS), init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'hf' / 'model.safetensors')))
    ours.init_weights()
    with torch.no_grad():
        hidden = model(X, output_hidden_states=True).hidden_states
    assert_same_features(ours.eval(), hidden[1:], normed=False)


def test_convert_tool_refuses_unknown_layout(tmp_path):
    torch.save({'conv1.weight': torch.zeros(1)}, tmp_path / 'resnet.pth')
    result = subprocess.run(
        [sys.executable, 'tools/convert_checkpoint.py', str(tmp_path / 'resnet.pth'),
         str(tmp_path / 'out.pth')], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert 'unknown checkpoint layout' in result.stderr
    assert not (tmp_path / 'out.pth').exists()
