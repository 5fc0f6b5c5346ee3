import pytest
import torch.nn as nn
from mmengine.optim import build_optim_wrapper

import mmconvnext  # noqa: F401  (registers the constructor)
from mmconvnext.models import ConvNeXt


class Detector(nn.Module):
    """A backbone plus a 'neck', like any mmdet/mmseg model."""

    def __init__(self, arch='tiny', **kwargs):
        super().__init__()
        self.backbone = ConvNeXt(arch, **kwargs)
        self.neck = nn.Conv2d(768, 8, 1)


def build(model, decay_rate, decay_type, num_layers, lr=2e-4, wd=0.05):
    return build_optim_wrapper(model, dict(
        type='OptimWrapper',
        constructor='mmconvnext.LearningRateDecayOptimizerConstructor',
        paramwise_cfg=dict(decay_rate=decay_rate, decay_type=decay_type,
                           num_layers=num_layers),
        optimizer=dict(type='AdamW', lr=lr, betas=(0.9, 0.999), weight_decay=wd)))


def lr_and_wd_of_each_param(optim_wrapper, model):
    by_id = {}
    for group in optim_wrapper.optimizer.param_groups:
        for p in group['params']:
            assert id(p) not in by_id, 'a parameter in two groups'
            by_id[id(p)] = (group['lr'], group['weight_decay'])
    result = {name: by_id[id(p)] for name, p in model.named_parameters() if p.requires_grad}
    assert len(result) == len(by_id)
    return result


def expected_cascade_t_exponent(name):
    """Cascade-T (0.7, layer_wise, 6) from the paper's code, written out by hand."""
    if name.startswith('backbone.downsample_layers.0.'):
        return 7
    if name.startswith('backbone.stages.0.'):
        return 6
    if name.startswith(('backbone.stages.1.', 'backbone.downsample_layers.1.')):
        return 5
    if name.startswith('backbone.downsample_layers.2.'):
        return 4
    if name.startswith('backbone.stages.2.'):
        block = int(name.split('.')[3])
        return {0: 4, 1: 4, 2: 4, 3: 3, 4: 3, 5: 3, 6: 2, 7: 2, 8: 2}[block]
    if name.startswith(('backbone.downsample_layers.3.', 'backbone.stages.3.')):
        return 1
    return 0  # backbone.norm*, neck


def test_layer_wise_cascade_t_scales_value_by_value():
    model = Detector('tiny')
    result = lr_and_wd_of_each_param(build(model, 0.7, 'layer_wise', 6), model)
    assert len(result) == len(list(model.parameters()))
    params = dict(model.named_parameters())
    for name, (lr, wd) in result.items():
        assert lr == pytest.approx(2e-4 * 0.7**expected_cascade_t_exponent(name)), name
        no_decay = name.endswith('.bias') or params[name].ndim == 1  # norms, gamma
        assert wd == (0. if no_decay else 0.05), name
    assert result['backbone.stages.1.2.gamma'][1] == 0.
    assert result['backbone.downsample_layers.0.1.weight'][1] == 0.
    # spot checks written against the example
    assert result['backbone.downsample_layers.0.0.weight'][0] == pytest.approx(2e-4 * 0.7**7)
    assert result['backbone.stages.2.5.pwconv1.weight'][0] == pytest.approx(2e-4 * 0.7**3)
    assert result['backbone.norm3.weight'] == (pytest.approx(2e-4), 0.)
    assert result['neck.weight'] == (pytest.approx(2e-4), 0.05)


def test_v2_grn_parameters_follow_their_block_without_weight_decay():
    """ConvNeXt V2: GRN's gamma / beta take their block's layer id and, being 1-D, no weight
    decay (as the V2 authors' optimizer factory); every other parameter as in V1."""
    model = Detector('tiny', use_grn=True, layer_scale_init_value=0.)
    result = lr_and_wd_of_each_param(build(model, 0.7, 'layer_wise', 6), model)
    grn = [name for name in result if '.grn.' in name]
    assert len(grn) == 2 * 18
    for name, (lr, wd) in result.items():
        assert lr == pytest.approx(2e-4 * 0.7**expected_cascade_t_exponent(name)), name
    assert all(result[name][1] == 0. for name in grn)
    assert result['backbone.stages.2.5.grn.gamma'][0] == pytest.approx(2e-4 * 0.7**3)


def test_stage_wise_upernet_t_scales_value_by_value():
    model = Detector('tiny')
    result = lr_and_wd_of_each_param(build(model, 0.9, 'stage_wise', 6, lr=1e-4), model)
    for name, (lr, _) in result.items():
        if name.startswith('backbone.downsample_layers.'):
            exponent = 7
        elif name.startswith('backbone.stages.'):
            exponent = 6 - int(name.split('.')[2])
        else:
            exponent = 0
        assert lr == pytest.approx(1e-4 * 0.9**exponent), name


def test_frozen_parameters_are_left_out():
    model = Detector('tiny')
    model.backbone = ConvNeXt('tiny', frozen_stages=1)
    result = lr_and_wd_of_each_param(build(model, 0.7, 'layer_wise', 6), model)
    assert not any(n.startswith(('backbone.stages.0.', 'backbone.downsample_layers.0.'))
                   for n in result)


def test_the_backbone_alone_works_too():
    model = ConvNeXt('tiny')
    groups = build(model, 0.7, 'layer_wise', 6).optimizer.param_groups
    assert sum(len(g['params']) for g in groups) == len(list(model.parameters()))
    assert min(g['lr'] for g in groups) == pytest.approx(2e-4 * 0.7**7)


def test_log_table(capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('test_layer_decay_table', log_level='INFO')
    build(Detector('tiny'), 0.7, 'layer_wise', 6)
    out = capsys.readouterr().out
    assert 'lr decay layer_wise, decay_rate=0.7, num_layers=6: 16 parameter groups' in out
    assert 'layer_0_decay' in out and 'layer_7_no_decay' in out


@pytest.mark.parametrize('arch, decay_type, num_layers, message', [
    ('tiny', 'block_wise', 6, "decay_type must be one of ('layer_wise', 'stage_wise'), "
     "got 'block_wise'"),
    ('small', 'layer_wise', 6, 'num_layers=6 is too small for layer_wise decay of a '
     'backbone with 27 blocks in stage 2: needs >= 12'),
    ('tiny', 'layer_wise', 5, 'num_layers=5 is too small'),
    ('tiny', 'stage_wise', 3, 'num_layers=3 is too small for stage_wise'),
])
def test_bad_paramwise_cfg_names_the_problem(arch, decay_type, num_layers, message):
    with pytest.raises(ValueError) as err:
        build(Detector(arch), 0.7, decay_type, num_layers)
    assert message in str(err.value)


def test_model_without_convnext_backbone_is_refused():
    model = nn.Module()
    model.backbone = nn.Sequential(nn.Conv2d(3, 8, 3))
    with pytest.raises(TypeError, match='needs a ConvNeXt backbone .* got Sequential'):
        build(model, 0.7, 'layer_wise', 6)


def test_missing_keys_are_named():
    with pytest.raises(ValueError, match=r"needs paramwise_cfg keys \['num_layers'\]"):
        build_optim_wrapper(Detector(), dict(
            constructor='mmconvnext.LearningRateDecayOptimizerConstructor',
            paramwise_cfg=dict(decay_rate=0.7),
            optimizer=dict(type='AdamW', lr=1e-4)))


@pytest.mark.parametrize('decay_type, num_layers', [('layer_wise', 6), ('stage_wise', 12)])
def test_mmpretrain_convnext_gets_the_same_groups_as_ours(decay_type, num_layers):
    # either part can be swapped alone: our constructor with mmpretrain's backbone
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt
    ours = Detector('tiny')
    theirs = Detector('tiny')
    theirs.backbone = MMPretrainConvNeXt('tiny', out_indices=(0, 1, 2, 3),
                                         gap_before_final_norm=False)
    groups = {}
    for name, model in (('ours', ours), ('theirs', theirs)):
        wrapper = build(model, 0.7, decay_type, num_layers)
        # parameters by position: the two backbones list them in the same order
        by_id = {id(p): (g['group_name'], g['lr'], g['weight_decay'])
                 for g in wrapper.optimizer.param_groups for p in g['params']}
        groups[name] = [by_id[id(p)] for p in model.parameters()]
    assert groups['ours'] == groups['theirs']
    top = num_layers + 1  # norms, neck
    assert groups['theirs'][-1] == (f'layer_{top}_no_decay', pytest.approx(2e-4), 0.0)
    assert groups['theirs'][0] == ('layer_0_decay', pytest.approx(2e-4 * 0.7**top), 0.05)


def test_group_names_say_layer_and_decay():
    wrapper = build(Detector('tiny'), 0.7, 'layer_wise', 6)
    for group in wrapper.optimizer.param_groups:
        layer, decay = group['group_name'].split('_', 2)[1:]
        assert group['lr'] == pytest.approx(2e-4 * 0.7**(7 - int(layer)))
        assert (group['weight_decay'] == 0) is (decay == 'no_decay')
