"""Foreign ConvNeXt layouts, built with the real modules of timm, mmpretrain and Hugging Face
transformers (random weights), convert to ours and give identical features."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mmconvnext.checkpoint import convert, detect_layout
from mmconvnext.models import ConvNeXt
from mmconvnext.testing.paper_layout import PaperConvNeXt, randomize_

ROOT = Path(__file__).parents[2]
DEPTHS, DIMS = [2, 2, 3, 2], [16, 24, 32, 40]
X = torch.randn(2, 3, 64, 96)


V2 = dict(use_grn=True, layer_scale_init_value=0.)


def ours_from(state_dict, expected_layout, **kwargs):
    converted, layout, dropped = convert(state_dict)
    assert layout == expected_layout
    model = ConvNeXt(dict(depths=DEPTHS, dims=DIMS), **kwargs).eval()
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


# ConvNeXt V2: the GRN block, from every layout its weights are published in

def test_official_v2():
    """The V2 authors' fine-tuned checkpoints: GRN parameters stored as (1, 1, 1, C)."""
    classifier = randomize_(PaperConvNeXt(DEPTHS, DIMS, num_classes=7, **V2), seed=11).eval()
    assert classifier.stages[0][0].grn.gamma.shape == (1, 1, 1, 4 * DIMS[0])
    ours, dropped = ours_from({'model': classifier.state_dict()}, 'official', **V2)
    assert sorted(dropped) == ['head.bias', 'head.weight', 'norm.bias', 'norm.weight']
    assert ours.stages[0][0].grn.gamma.shape == (4 * DIMS[0], )
    reference = PaperConvNeXt(DEPTHS, DIMS, **V2).eval()
    reference.load_state_dict(classifier.state_dict(), strict=False)
    with torch.no_grad():
        assert_same_features(ours, reference(X), normed=True)


def to_fcmae(dense):
    """A dense V2 backbone's weights in the layout of the V2 authors' FCMAE checkpoints (their
    sparse encoder under ``encoder.``, MinkowskiEngine kernels (k*k, C) / (k*k, C_in, C_out),
    (1, C) biases and GRN parameters, ``.ln.`` / ``.linear.`` wrappers), with the decoder,
    mask token and projections beside it. The kernel layout is the inverse of the authors'
    ``remap_checkpoint_keys``."""
    out = {}
    for key, value in dense.items():
        if key.startswith('norm'):  # the sparse encoder has no output norms
            continue
        parts = key.split('.')
        sparse = not key.startswith('downsample_layers.0.')
        if sparse and key.endswith('dwconv.weight'):
            c, _, k, _ = value.shape
            key, value = key[:-len('weight')] + 'kernel', \
                value.transpose(3, 2).reshape(c, k * k).permute(1, 0)
        elif sparse and parts[0] == 'downsample_layers' and parts[2] == '1' and \
                parts[3] == 'weight':
            o, i, k, _ = value.shape
            key, value = key[:-len('weight')] + 'kernel', \
                value.transpose(3, 2).reshape(o, i, k * k).permute(2, 1, 0)
        elif sparse and (key.endswith('.bias') and ('dwconv' in key or parts[2] == '1')
                         or '.grn.' in key):
            value = value.reshape(1, -1)
        elif sparse and (parts[-2] in ('norm', '0') and parts[0] in ('stages',
                                                                      'downsample_layers')):
            key = '.'.join(parts[:-1] + ['ln', parts[-1]])
        elif sparse and parts[-2] in ('pwconv1', 'pwconv2'):
            key = '.'.join(parts[:-1] + ['linear', parts[-1]])
        out['encoder.' + key] = value.clone()
    out.update({'mask_token': torch.zeros(1, 64, 1, 1), 'proj.weight': torch.zeros(64, 40, 1, 1),
                'decoder.0.dwconv.weight': torch.zeros(64, 1, 7, 7),
                'pred.weight': torch.zeros(48, 64, 1, 1)})
    return out


def test_fcmae_pretrained_checkpoint_converts_on_load(tmp_path):
    dense = randomize_(PaperConvNeXt(DEPTHS, DIMS, **V2), seed=12).eval()
    for i in range(4):  # FCMAE has no output norms: ours stay at init, so the reference's too
        getattr(dense, f'norm{i}').weight.data.fill_(1)
        getattr(dense, f'norm{i}').bias.data.zero_()
    state = {k: v.reshape(-1) if '.grn.' in k else v for k, v in dense.state_dict().items()}
    fcmae = to_fcmae(state)
    assert fcmae['encoder.stages.0.0.dwconv.kernel'].shape == (49, DIMS[0])
    assert fcmae['encoder.downsample_layers.1.1.kernel'].shape == (4, DIMS[0], DIMS[1])
    assert fcmae['encoder.stages.1.0.grn.gamma'].shape == (1, 4 * DIMS[1])
    assert 'encoder.stages.0.0.pwconv1.linear.weight' in fcmae
    torch.save({'model': fcmae}, tmp_path / 'fcmae.pt')
    converted, layout, dropped = convert(torch.load(tmp_path / 'fcmae.pt', weights_only=True))
    assert layout == 'fcmae'
    assert sorted(dropped) == ['decoder.0.dwconv.weight', 'mask_token', 'pred.weight',
                               'proj.weight']
    result = subprocess.run(
        [sys.executable, 'tools/convert_checkpoint.py', str(tmp_path / 'fcmae.pt'),
         str(tmp_path / 'ours.pth')], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'fcmae layout' in result.stdout and 'dropped 4 keys' in result.stdout
    ours = ConvNeXt(dict(depths=DEPTHS, dims=DIMS), **V2, init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'fcmae.pt')))
    ours.init_weights()
    with torch.no_grad():
        assert_same_features(ours.eval(), dense(X), normed=True)


def test_fcmae_kernel_of_a_wrong_shape_is_named():
    from mmconvnext.checkpoint.layouts import UnknownLayoutError
    bad = {'encoder.stages.0.0.dwconv.kernel': torch.zeros(48, 16)}
    with pytest.raises(UnknownLayoutError, match=r'FCMAE kernel encoder\.stages\.0\.0\.dwconv'
                       r'\.kernel has shape \(48, 16\)'):
        convert({'model': bad})


@pytest.mark.parametrize('conv_mlp', [False, True])  # True: timm's atto .. nano
def test_timm_v2(conv_mlp):
    timm = pytest.importorskip('timm')
    model = randomize_(timm.models.convnext.ConvNeXt(
        depths=DEPTHS, dims=DIMS, num_classes=5, use_grn=True, ls_init_value=None,
        conv_mlp=conv_mlp), seed=13).eval()
    assert any(k.endswith('mlp.grn.weight') for k in model.state_dict())
    ours, dropped = ours_from(model.state_dict(), 'timm', **V2)
    assert dropped and all(k.startswith('head.') for k in dropped)
    with torch.no_grad():
        feats = model.forward_intermediates(X, intermediates_only=True)
    assert_same_features(ours, feats, normed=False)


def test_mmpretrain_v2():
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt
    model = randomize_(MMPretrainConvNeXt(
        arch=dict(depths=DEPTHS, channels=DIMS), out_indices=(0, 1, 2, 3),
        gap_before_final_norm=False, use_grn=True, layer_scale_init_value=0.), seed=14)
    model.eval()
    ours, _ = ours_from({'state_dict': model.state_dict()}, 'mmpretrain', **V2)
    with torch.no_grad():
        assert_same_features(ours, model(X), normed=True)


@pytest.mark.parametrize('wrapper', ['ConvNextV2Model', 'ConvNextV2Backbone'])
def test_transformers_v2(wrapper):
    transformers = pytest.importorskip('transformers')
    config = transformers.ConvNextV2Config(
        depths=DEPTHS, hidden_sizes=DIMS, out_features=['stage1', 'stage2', 'stage3', 'stage4'])
    model = randomize_(getattr(transformers, wrapper)(config), seed=15).eval()
    ours, _ = ours_from(model.state_dict(), 'transformers', **V2)
    with torch.no_grad():
        if wrapper == 'ConvNextV2Backbone':
            assert_same_features(ours, model(X).feature_maps, normed=True)
        else:
            hidden = model(X, output_hidden_states=True).hidden_states
            assert_same_features(ours, hidden[1:], normed=False)
