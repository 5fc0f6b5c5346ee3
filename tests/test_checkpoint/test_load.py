import os

import pytest
import torch

from mmconvnext.checkpoint import (CheckpointError, UnknownLayoutError, load_checkpoint_file)
from mmconvnext.models import ConvNeXt
from mmconvnext.testing.paper_layout import PaperConvNeXt, randomize_

SMALL = dict(depths=[2, 2, 3, 2], dims=[16, 24, 32, 40])


@pytest.fixture
def official_checkpoint(tmp_path):
    """The paper's classification checkpoint format: {'model': state dict with head and the
    final norm}, written from the reference implementation."""
    classifier = randomize_(PaperConvNeXt(**SMALL, num_classes=10), seed=4)
    path = tmp_path / 'convnext_small_test_1k_224.pth'
    torch.save({'model': classifier.state_dict()}, path)
    return path, classifier


def pretrained(path, arch=SMALL, **kwargs):
    model = ConvNeXt(arch, init_cfg=dict(type='Pretrained', checkpoint=str(path)), **kwargs)
    model.init_weights()
    return model.eval()


def test_official_checkpoint_loads_and_reproduces_features(official_checkpoint):
    path, classifier = official_checkpoint
    model = pretrained(path)
    reference = PaperConvNeXt(**SMALL).eval()  # detection layout, output norms at init
    missing, unexpected = reference.load_state_dict(classifier.state_dict(), strict=False)
    assert sorted(unexpected) == ['head.bias', 'head.weight', 'norm.bias', 'norm.weight']
    assert sorted(missing) == [f'norm{i}.{p}' for i in range(4) for p in ('bias', 'weight')]
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(model(x), reference(x)):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    own = model.state_dict()
    for key, value in classifier.state_dict().items():
        if not key.startswith(('head.', 'norm.')):
            assert torch.equal(own[key], value), key


def test_loading_logs_what_was_dropped_and_missing(official_checkpoint, capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('test_load_log', log_level='INFO')
    pretrained(official_checkpoint[0])
    out = capsys.readouterr().out
    assert '(official layout)' in out
    assert 'dropped (not backbone): norm.* (2), head.* (2)' in out
    assert "missing, left at init: ['norm0.weight'" in out


def test_mmengine_checkpoint_with_backbone_prefix(tmp_path):
    source = randomize_(ConvNeXt(SMALL), seed=5)
    state = {f'backbone.{k}': v for k, v in source.state_dict().items()}
    state['neck.lateral_convs.0.conv.weight'] = torch.zeros(1)
    torch.save({'meta': {'epoch': 3}, 'state_dict': state}, tmp_path / 'det.pth')
    model = pretrained(tmp_path / 'det.pth')
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)


def test_output_norms_of_other_out_indices_are_dropped_and_reported(tmp_path, capsys):
    # a detector's backbone (norm0..norm3) into one with out_indices=(1, 2, 3)
    from mmengine.logging import MMLogger
    MMLogger.get_instance('test_load_extra_norms', log_level='INFO')
    source = randomize_(ConvNeXt(SMALL), seed=9)
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()}},
               tmp_path / 'det.pth')
    model = pretrained(tmp_path / 'det.pth', out_indices=(1, 2, 3))
    for key, value in model.state_dict().items():
        assert torch.equal(value, source.state_dict()[key]), key
    assert "dropped (output norms of other out_indices): ['norm0.weight', 'norm0.bias']" \
        in capsys.readouterr().out


def test_mmpretrain_classifier_into_other_out_indices(tmp_path):
    # mmpretrain's classifier (backbone norm3 only) through init_cfg prefix='backbone.', into
    # a backbone without norm3: loads, the blocks equal, norm0..2 left at init
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt
    torch.manual_seed(2)
    source = MMPretrainConvNeXt(dict(depths=SMALL['depths'], channels=SMALL['dims']))
    state = {f'backbone.{k}': v for k, v in source.state_dict().items()}
    state.update({'head.fc.weight': torch.zeros(10, 40), 'head.fc.bias': torch.zeros(10)})
    torch.save({'state_dict': state}, tmp_path / 'cls.pth')
    model = ConvNeXt(SMALL, out_indices=(0, 1, 2), init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'cls.pth'), prefix='backbone.'))
    model.init_weights()
    assert torch.equal(model.stages[3][1].pwconv2.weight,
                       source.stages[3][1].pointwise_conv2.weight)
    assert torch.all(model.norm2.weight == 1)


def test_extra_blocks_stay_an_error_beside_extra_norms(tmp_path):
    source = ConvNeXt(dict(depths=[2, 2, 4, 2], dims=SMALL['dims']))
    torch.save({'state_dict': source.state_dict()}, tmp_path / 'deeper.pth')
    with pytest.raises(CheckpointError, match='unexpected keys'):
        pretrained(tmp_path / 'deeper.pth', out_indices=(3, ))


def test_prefix_selects_keys(tmp_path):
    source = randomize_(ConvNeXt(SMALL), seed=6)
    torch.save({'state_dict': {f'model.encoder.{k}': v for k, v in source.state_dict().items()}},
               tmp_path / 'x.pth')
    model = ConvNeXt(SMALL, init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'x.pth'),
                                          prefix='model.encoder.'))
    model.init_weights()
    assert torch.equal(model.stages[1][0].pwconv2.weight, source.stages[1][0].pwconv2.weight)


def test_checkpoint_is_unwrapped_and_converted_once(tmp_path, monkeypatch):
    from mmconvnext.checkpoint import layouts, load
    calls = []

    def counted(name, fn):
        return lambda *args: calls.append(name) or fn(*args)

    unwrap = counted('unwrap', layouts.unwrap)
    for module in (layouts, load):
        monkeypatch.setattr(module, 'unwrap', unwrap)
    monkeypatch.setattr(layouts, 'detect_layout', counted('detect', layouts.detect_layout))
    source = randomize_(ConvNeXt(SMALL), seed=7)
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()}},
               tmp_path / 'det.pth')
    model = pretrained(tmp_path / 'det.pth')
    assert calls == ['unwrap', 'detect']
    assert torch.equal(model.stages[3][1].dwconv.weight, source.stages[3][1].dwconv.weight)


def test_checkpoint_of_another_arch_raises_and_names_keys(official_checkpoint):
    with pytest.raises(CheckpointError) as err:
        pretrained(official_checkpoint[0], arch=dict(depths=[2, 2, 3, 2], dims=[16, 24, 32, 48]))
    msg = str(err.value)
    assert 'does not fit this ConvNeXt' in msg and 'shape mismatches' in msg
    assert 'downsample_layers.3.1.weight: checkpoint (40, 32, 2, 2) vs model (48, 32, 2, 2)' \
        in msg


def test_deeper_checkpoint_is_not_loaded_partially(official_checkpoint):
    with pytest.raises(CheckpointError, match=r"unexpected keys, e.g. \['stages.2.2"):
        pretrained(official_checkpoint[0], arch=dict(depths=[2, 2, 2, 2], dims=SMALL['dims']))
    with pytest.raises(CheckpointError, match=r"missing keys, e.g. \['stages.2.3"):
        pretrained(official_checkpoint[0], arch=dict(depths=[2, 2, 4, 2], dims=SMALL['dims']))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='checkpoint file not found: .*nope.pth'):
        pretrained(tmp_path / 'nope.pth')


@pytest.mark.parametrize('cut', [0.5, 0.9])
def test_truncated_file(official_checkpoint, tmp_path, cut):
    data = official_checkpoint[0].read_bytes()
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(CheckpointError, match='corrupt or truncated checkpoint file .*broken.pth'):
        pretrained(broken)


def test_garbage_file(tmp_path):
    (tmp_path / 'garbage.pth').write_text('this is not a checkpoint\n' * 10)
    with pytest.raises(CheckpointError, match='corrupt or truncated'):
        load_checkpoint_file(tmp_path / 'garbage.pth')


def test_unknown_layout(tmp_path):
    torch.save({'state_dict': {'conv1.weight': torch.zeros(1), 'fc.bias': torch.zeros(1)}},
               tmp_path / 'resnet.pth')
    with pytest.raises(UnknownLayoutError, match=r"unknown checkpoint layout.*\['conv1.weight'"):
        pretrained(tmp_path / 'resnet.pth')


class Payload:
    """Stands for arbitrary code a malicious pickle would run."""

    def __reduce__(self):
        return (os.getcwd, ())


def test_pickle_asking_for_other_globals_is_refused(tmp_path):
    torch.save({'state_dict': {}, 'extra': Payload()}, tmp_path / 'evil.pth')
    with pytest.raises(CheckpointError, match=r"refusing to unpickle .*asks for the globals .*getcwd"):
        load_checkpoint_file(tmp_path / 'evil.pth')
