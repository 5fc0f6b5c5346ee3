import pytest
import torch

from mmconvnext.testing.memory import PeakTensorMemory
from mmconvnext.models import ConvNeXt
from mmconvnext.models.backbones import convnext
from mmconvnext.models.backbones.cpu_fused_mlp import fused_mlp_available
from mmconvnext.models.backbones.convnext import ARCH_SETTINGS, CallPlan, plan_call, plan_for
from mmconvnext.testing.paper_layout import PaperConvNeXt, randomize_

# Parameter counts of the classification models (1000 classes), as timm and the paper's README
# report them: T 28.6M, S 50.2M, B 88.6M, L 197.8M, XL 350.2M; and timm's atto 3.7M, femto
# 5.2M, pico 9.1M, nano 15.6M (checked against timm's own modules below); huge exists as
# ConvNeXt V2 only: 660.3M with GRN (timm's convnextv2_huge, the V2 paper's 660M).
CLASSIFIER_PARAMS = {
    'atto': 3_695_520, 'femto': 5_217_784, 'pico': 9_045_672, 'nano': 15_593_560,
    'tiny': 28_589_128, 'small': 50_223_688, 'base': 88_591_464, 'large': 197_767_336,
    'xlarge': 350_196_968, 'huge': 660_289_640
}
V2 = dict(use_grn=True, layer_scale_init_value=0.)


@pytest.mark.parametrize('arch', list(ARCH_SETTINGS))
def test_every_arch_shapes_and_parameter_count(arch):
    v2 = V2 if arch == 'huge' else {}
    with torch.device('meta'):  # shapes and counts only: no memory, no arithmetic
        model = ConvNeXt(arch, **v2).eval()
        outs = model(torch.empty(1, 3, 64, 96))
        classifier = PaperConvNeXt(**ARCH_SETTINGS[arch], num_classes=1000, **v2)
    dims = ARCH_SETTINGS[arch]['dims']
    assert [tuple(o.shape) for o in outs] == [(1, dims[i], 64 // 2**(i + 2), 96 // 2**(i + 2))
                                             for i in range(4)]
    head_and_final_norm = dims[3] * 1000 + 1000 + 2 * dims[3]
    output_norms = sum(2 * d for d in dims)
    assert sum(p.numel() for p in model.parameters()) == \
        CLASSIFIER_PARAMS[arch] - head_and_final_norm + output_norms
    assert sum(p.numel() for p in classifier.parameters()) == CLASSIFIER_PARAMS[arch]


@pytest.mark.parametrize('arch', ['atto', 'femto', 'pico', 'nano', 'tiny'])
def test_arch_table_matches_timm(arch):
    timm = pytest.importorskip('timm')
    reference = timm.create_model(f'convnext_{arch}', pretrained=False)
    assert sum(p.numel() for p in reference.parameters()) == CLASSIFIER_PARAMS[arch]
    assert [len(s.blocks) for s in reference.stages] == ARCH_SETTINGS[arch]['depths']
    assert [s.blocks[0].conv_dw.out_channels for s in reference.stages] == \
        ARCH_SETTINGS[arch]['dims']


def test_custom_arch_and_out_indices():
    model = ConvNeXt(dict(depths=[1, 2, 1, 1], dims=[8, 16, 24, 32]), out_indices=(-1, 1))
    assert model.out_indices == (1, 3)
    assert not hasattr(model, 'norm0') and hasattr(model, 'norm3')
    outs = model(torch.randn(2, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [16, 32]
    assert [o.shape[-1] for o in outs] == [8, 2]


@pytest.mark.parametrize('channels_last', [True, False])
def test_outputs_are_contiguous_nchw(channels_last):
    # mmcv's RoIAlign reads raw NCHW memory: a channels_last output silently scrambled every
    # detector's RoI features (see test_stack_models.test_roi_features_of_our_detector)
    model = ConvNeXt(SMALL, channels_last=channels_last)
    for mode in (model.train(), model.eval()):
        outs = mode(torch.randn(2, 3, 64, 96))
        assert all(o.is_contiguous() for o in outs)


def test_drop_path_rises_linearly_over_all_blocks():
    model = ConvNeXt('tiny', drop_path_rate=0.4)
    rates = [getattr(b.drop_path, 'drop_prob', 0.) for s in model.stages for b in s]
    assert len(rates) == 18
    assert rates == pytest.approx(torch.linspace(0, 0.4, 18).tolist())


def test_layer_scale_zero_disables_gamma():
    model = ConvNeXt(dict(depths=[1, 1, 1, 1], dims=[8, 8, 8, 8]), layer_scale_init_value=0)
    assert all(b.gamma is None for s in model.stages for b in s)
    assert not any(n.endswith('gamma') for n, _ in model.named_parameters())


SMALL = dict(depths=[2, 2, 3, 2], dims=[16, 24, 32, 40])


@pytest.mark.parametrize('channels_last', [True, False])
def test_outputs_equal_paper_reference(channels_last):
    ours = randomize_(ConvNeXt(SMALL, channels_last=channels_last), seed=1).eval()
    reference = PaperConvNeXt(**SMALL).eval()
    reference.load_state_dict(ours.state_dict())  # same names, strict
    x = torch.randn(2, 3, 128, 96)  # stage 0: 2 x 32 x 24 pixels, fused on CPU
    with torch.no_grad():
        for a, b in zip(ours(x), reference(x)):
            assert a.abs().mean() > 0.1  # random gamma: blocks are far from the identity
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_gradients_equal_paper_reference():
    ours = randomize_(ConvNeXt(SMALL), seed=2)
    reference = PaperConvNeXt(**SMALL)
    reference.load_state_dict(ours.state_dict())
    x = torch.randn(2, 3, 64, 64)
    sum(o.square().mean() for o in ours(x)).backward()
    sum(o.square().mean() for o in reference(x)).backward()
    ref_grads = dict(reference.named_parameters())
    for name, p in ours.named_parameters():
        torch.testing.assert_close(p.grad, ref_grads[name].grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('frozen_stages', [-1, 0, 1, 2, 4])
def test_frozen_stages_follow_openmmlab_convention(frozen_stages):
    # -1 nothing, 0 the stem only, k >= 1 the stem and stages 0..k-1 with their downsample
    # layers (mmdet's ResNet / Swin; mmpretrain's ConvNeXt for k >= 1)
    model = ConvNeXt(SMALL, frozen_stages=frozen_stages, drop_path_rate=0.2)
    model.train()
    sum(o.sum() for o in model(torch.randn(1, 3, 64, 64))).backward()
    for i in range(4):
        stem_frozen = i == 0 and frozen_stages >= 0
        for module, frozen in ((model.downsample_layers[i], stem_frozen or i < frozen_stages),
                               (model.stages[i], i < frozen_stages)):
            assert module.training is not frozen
            for p in module.parameters():
                assert p.requires_grad is not frozen
                assert (p.grad is None) is frozen
    assert model.norm0.weight.grad is not None


@pytest.mark.parametrize('frozen_stages', [1, 2, 4])
def test_frozen_stages_freeze_what_mmpretrain_freezes(frozen_stages):
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt
    reference = MMPretrainConvNeXt(dict(depths=SMALL['depths'], channels=SMALL['dims']),
                                   out_indices=(0, 1, 2, 3), frozen_stages=frozen_stages,
                                   gap_before_final_norm=False)
    ours = ConvNeXt(SMALL, frozen_stages=frozen_stages)
    assert trainable_shapes(ours) == trainable_shapes(reference)


@pytest.mark.parametrize('use_grn', [False, True])
@pytest.mark.parametrize('gap_before_final_norm', [False, True])
def test_mmpretrain_arguments_give_mmpretrain_outputs(gap_before_final_norm, use_grn):
    # an mmpretrain / mmdet / mmseg backbone dict with only its type changed
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt

    from mmconvnext.checkpoint.layouts import from_mmpretrain
    kwargs = dict(arch=dict(depths=SMALL['depths'], channels=SMALL['dims']), in_channels=3,
                  stem_patch_size=2, norm_cfg=dict(type='LN2d', eps=1e-5),
                  act_cfg=dict(type='GELU'), linear_pw_conv=True, use_grn=use_grn,
                  drop_path_rate=0.1, layer_scale_init_value=0. if use_grn else 1.0,
                  out_indices=[1, 3],
                  frozen_stages=0, gap_before_final_norm=gap_before_final_norm, with_cp=False)
    torch.manual_seed(3)
    reference, ours = MMPretrainConvNeXt(**kwargs), ConvNeXt(**kwargs)
    if use_grn:  # GRN starts at zero: give it values, or it is the identity
        randomize_(reference, seed=4)
    reference.eval()  # mmpretrain's train() returns None
    ours.eval()
    state, dropped = from_mmpretrain(reference.state_dict())
    assert not dropped
    ours.load_state_dict(state)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected, got = reference(x), ours(x)
    assert len(got) == 2
    for a, b in zip(got, expected):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    if gap_before_final_norm:
        assert got[0].shape == (2, SMALL['dims'][1])


def to_reference(ours, reference):
    """Our weights into the paper-layout reference (V2's GRN parameters: (C,) -> (1, 1, 1, C))."""
    shapes = {k: v.shape for k, v in reference.state_dict().items()}
    reference.load_state_dict({k: v.reshape(shapes[k]) for k, v in ours.state_dict().items()})
    return reference


@pytest.mark.parametrize('channels_last', [True, False])
def test_v2_outputs_equal_paper_reference(channels_last):
    ours = randomize_(ConvNeXt(SMALL, channels_last=channels_last, **V2), seed=5).eval()
    assert all(b.grn is not None and b.gamma is None for s in ours.stages for b in s)
    reference = to_reference(ours, PaperConvNeXt(**SMALL, **V2).eval())
    x = torch.randn(2, 3, 128, 96)  # stage 0: 2 x 32 x 24 pixels, where V1 blocks fuse on CPU
    with torch.no_grad():
        for a, b in zip(ours(x), reference(x)):
            assert a.abs().mean() > 0.1
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_v2_blocks_never_take_the_fused_cpu_path():
    """The fused MLP has no GRN: where a V1 block would take it, a V2 block does not."""
    v1 = ConvNeXt(SMALL).eval().stages[0][0]
    v2 = ConvNeXt(SMALL, **V2).eval().stages[0][0]
    x = torch.randn(2, 16, 32, 24)
    with torch.no_grad():
        assert v1._can_fuse(x) == fused_mlp_available()
        assert not v2._can_fuse(x)


@pytest.mark.parametrize('with_cp', [False, True])
def test_v2_gradients_equal_paper_reference(with_cp):
    ours = randomize_(ConvNeXt(SMALL, with_cp=with_cp, **V2), seed=6).train()
    reference = to_reference(ours, PaperConvNeXt(**SMALL, **V2))
    x = torch.randn(2, 3, 64, 64)
    sum(o.square().mean() for o in ours(x)).backward()
    sum(o.square().mean() for o in reference(x)).backward()
    ref_grads = dict(reference.named_parameters())
    for name, p in ours.named_parameters():
        torch.testing.assert_close(p.grad, ref_grads[name].grad.reshape(p.shape), rtol=1e-4,
                                   atol=1e-5)
    assert ours.stages[0][0].grn.gamma.grad.abs().sum() > 0


def test_v2_frozen_stages():
    model = ConvNeXt(SMALL, frozen_stages=2, **V2).train()
    sum(o.sum() for o in model(torch.randn(1, 3, 64, 64))).backward()
    assert model.stages[1][0].grn.gamma.grad is None
    assert not model.stages[1][0].grn.gamma.requires_grad
    assert model.stages[2][0].grn.gamma.grad is not None


def test_v2_parameter_counts_match_timm():
    """The V2 classifiers' sizes, against timm's convnextv2_* (GRN: 2 x 4C per block)."""
    timm = pytest.importorskip('timm')
    for arch in ('atto', 'tiny'):
        reference = timm.create_model(f'convnextv2_{arch}', pretrained=False)
        ours = PaperConvNeXt(**ARCH_SETTINGS[arch], num_classes=1000, **V2)
        assert sum(p.numel() for p in ours.parameters()) == \
            sum(p.numel() for p in reference.parameters())


def trainable_shapes(model):
    """Which parameters train, by position and shape (the two models name blocks apart)."""
    return [(tuple(p.shape), p.requires_grad) for p in model.parameters()]


def test_with_cp_gives_same_outputs_and_grads():
    torch.manual_seed(0)
    plain = randomize_(ConvNeXt(SMALL, drop_path_rate=0.3), seed=3).train()
    ckpt = ConvNeXt(SMALL, drop_path_rate=0.3, with_cp=True).train()
    ckpt.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 64, 64)
    torch.manual_seed(7)  # same drop-path draws in both
    out_a = plain(x)
    torch.manual_seed(7)
    out_b = ckpt(x)
    for a, b in zip(out_a, out_b):
        torch.testing.assert_close(a, b)
    sum(o.square().sum() for o in out_a).backward()
    sum(o.square().sum() for o in out_b).backward()
    grads = dict(plain.named_parameters())
    for name, p in ckpt.named_parameters():
        torch.testing.assert_close(p.grad, grads[name].grad, rtol=1e-5, atol=1e-6)


def test_with_cp_keeps_only_block_inputs_for_backward():
    plain = randomize_(ConvNeXt(SMALL), seed=3).train()
    ckpt = ConvNeXt(SMALL, with_cp=True).train()
    ckpt.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 128, 128)
    peaks = []
    for model in (plain, ckpt):
        with PeakTensorMemory() as memory:
            sum(o.sum() for o in model(x)).backward()
        peaks.append(memory.peak)
    assert peaks[1] < 0.6 * peaks[0], peaks


def test_cpu_inference_uses_the_fused_path_with_the_same_values():
    """fp32 CPU inference runs oneDNN's fused linear ops (this torch build has them); anything
    that needs autograd, drop path or autocast runs the plain path; both agree."""
    assert fused_mlp_available()
    model = randomize_(ConvNeXt(SMALL, drop_path_rate=0.2), seed=4).eval()
    block, x = model.stages[1][1], torch.randn(2, 24, 16, 32).contiguous(
        memory_format=torch.channels_last)  # 1024 pixels: MIN_PIXELS
    with torch.no_grad():
        assert block._can_fuse(x) and not block._can_fuse(x[:, :, :8])
        fused = block(x)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            assert not block._can_fuse(x)
    assert not block._can_fuse(x)  # grad enabled, parameters need grads
    plain = block(x)
    torch.testing.assert_close(fused, plain, rtol=1e-5, atol=1e-5)
    assert fused.is_contiguous(memory_format=torch.channels_last)
    block.train()
    with torch.no_grad():
        assert not block._can_fuse(x)  # drop path acts in training mode


def test_frozen_stages_run_fused_and_give_the_same_outputs():
    trainable = randomize_(ConvNeXt(SMALL), seed=5).train()
    frozen = ConvNeXt(SMALL, frozen_stages=2).train()
    frozen.load_state_dict(trainable.state_dict())
    x = torch.randn(1, 3, 128, 128)  # stage 0: 32 x 32 pixels, fused when frozen
    features = torch.randn(1, 16, 32, 32)
    assert frozen.stages[0][0]._can_fuse(features)
    assert not trainable.stages[0][0]._can_fuse(features)
    for a, b in zip(frozen(x), trainable(x)):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('setting, channels_last', [(True, True), (False, False),
                                                     ('auto', True)])  # auto on CPU
def test_conv_weights_follow_the_memory_format(setting, channels_last):
    model = ConvNeXt(SMALL, channels_last=setting)
    contiguous = {k: v.contiguous() for k, v in randomize_(ConvNeXt(SMALL)).state_dict().items()}
    model.load_state_dict(contiguous)  # copy_ keeps each parameter's format
    weight = model.downsample_layers[1][1].weight  # (24, 16, 2, 2)
    assert weight.is_contiguous(memory_format=torch.channels_last) is channels_last
    assert weight.is_contiguous() is not channels_last
    torch.testing.assert_close(weight, contiguous['downsample_layers.1.1.weight'], rtol=0,
                               atol=0)


def test_default_init_is_the_papers():
    # the paper: trunc_normal_(std=.02) on conv and linear weights (cut at +-2, absolute),
    # zero biases, LayerNorm 1 / 0
    torch.manual_seed(0)
    model = ConvNeXt('tiny')
    model.init_weights()
    w = model.stages[2][0].pwconv1.weight
    assert w.std().item() == pytest.approx(0.02, rel=0.02)
    assert abs(w.mean().item()) < 1e-3
    assert model.stages[2][0].pwconv1.bias.abs().sum() == 0
    assert model.downsample_layers[0][0].bias.abs().sum() == 0
    assert torch.all(model.norm2.weight == 1) and torch.all(model.stages[0][0].norm.bias == 0)


@pytest.mark.parametrize('kwargs, message', [
    (dict(arch='gigantic'), "unknown ConvNeXt arch 'gigantic'"),
    (dict(arch=dict(depths=[3, 3, 9], dims=[96, 192, 384, 768])), 'differ in length'),
    (dict(arch=dict(depths=[3, 3, 9, 3])), 'must be dict(depths='),
    (dict(arch=dict(depths=[3, 3], dims=[8, 8])), 'has 4 stages'),
    (dict(out_indices=(0, 4)), 'out_indices must lie in [-4, 3], got 4'),
    (dict(out_indices=(1, -3)), 'unique'),
    (dict(frozen_stages=5), 'frozen_stages must be in [-1, 4], got 5'),
    (dict(frozen_stages=-2), 'got -2'),
    (dict(drop_path_rate=1.0), 'drop_path_rate'),
    (dict(layer_scale_init_value=-1e-6), 'layer_scale_init_value must be >= 0'),
    (dict(norm_cfg=dict(type='BN')), "norm_cfg must be dict(type='LN2d', eps=...) (ConvNeXt's "
     "LayerNorm, the only norm implemented here), got {'type': 'BN'}"),
    (dict(act_cfg=dict(type='ReLU')), "act_cfg must be dict(type='GELU') (the only "
     "activation implemented here), got {'type': 'ReLU'}"),
    (dict(linear_pw_conv=False), 'linear_pw_conv must be True (pointwise layers as Linear, '
     'as in the paper; 1x1 convs are not implemented here), got False'),
    (dict(use_grn='yes'), "use_grn must be True (the ConvNeXt V2 block) or False, got 'yes'"),
    (dict(stem_patch_size=0), 'stem_patch_size must be a positive int, got 0'),
])
def test_bad_arguments_name_the_problem(kwargs, message):
    with pytest.raises(ValueError) as err:
        ConvNeXt(**kwargs)
    assert message in str(err.value)


def test_torch_compile_full_graph_same_outputs():
    """The whole backbone compiles as one graph (fullgraph=True: no graph break anywhere) and
    gives the eager outputs. aot_eager traces exactly as inductor does, without the C++ build
    (inductor is timed by tools/analysis/bench_backbone.py --compile)."""
    torch._dynamo.reset()
    model = randomize_(ConvNeXt(SMALL, drop_path_rate=0.2), seed=8).eval()
    compiled = torch.compile(model, fullgraph=True, backend='aot_eager')
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(compiled(x), model(x)):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    model.train()
    torch.manual_seed(0)
    sum(o.sum() for o in compiled(x)).backward()  # training mode, drop path included
    assert model.stages[0][0].pwconv1.weight.grad is not None


@pytest.mark.parametrize('kwargs, message', [
    (dict(out_indices='0,1'), "out_indices must be an int or a sequence of ints, got '0,1'"),
    (dict(out_indices=(0, 1.0)), 'out_indices must be an int or a sequence of ints, got (0, 1.0)'),
    (dict(drop_path_rate='0.4'), "drop_path_rate must be float, got '0.4' (str)"),
    (dict(layer_scale_init_value=None), 'layer_scale_init_value must be float, got None'),
    (dict(frozen_stages='1'), "frozen_stages must be int, got '1' (str)"),
    (dict(in_channels=3.0), 'in_channels must be int, got 3.0 (float)'),
])
def test_arguments_of_the_wrong_type_are_named(kwargs, message):
    """A number written as a string in a config: a TypeError naming the argument."""
    with pytest.raises(TypeError) as err:
        ConvNeXt(SMALL, **kwargs)
    assert str(err.value).startswith('ConvNeXt argument ' + message)


@pytest.mark.parametrize('shape', [(1, 4, 32, 32), (1, 1, 32, 32), (3, 32, 32)])
def test_input_of_other_channels_or_rank_is_refused(shape):
    with pytest.raises(ValueError) as err:
        ConvNeXt(SMALL)(torch.randn(*shape))
    assert str(err.value) == (f'ConvNeXt takes (N, 3, H, W) images, got shape {shape} '
                              '(in_channels=3)')


# (device type, dtype, autocast) -> (channels_last under 'auto', fused MLP): channels_last
# everywhere but fp32 on a GPU (measured on an H200: cuDNN's fp32 NHWC depthwise conv is
# 1.7-1.9x slower than torch's NCHW kernel; in bf16 NHWC is faster); the fused MLP in fp32 on
# CPU without autocast only
PLANS = {
    ('cpu', torch.float32, False): (True, True),
    ('cpu', torch.float32, True): (True, False),
    ('cpu', torch.bfloat16, False): (True, False),
    ('cpu', torch.bfloat16, True): (True, False),
    ('cpu', torch.float16, False): (True, False),
    ('cuda', torch.float32, False): (False, False),
    ('cuda', torch.float32, True): (True, False),
    ('cuda', torch.float16, False): (True, False),
    ('cuda', torch.float16, True): (True, False),
    ('cuda', torch.bfloat16, False): (True, False),
    ('cuda', torch.bfloat16, True): (True, False),
    ('meta', torch.float32, False): (True, False),
}


@pytest.mark.parametrize('call', list(PLANS))
def test_call_plan(call):
    """One function decides a call's layout and whether the fused CPU path may serve it; the
    backbone's True / False override the layout only."""
    auto_layout, fused = PLANS[call]
    assert plan_call(*call) == CallPlan(auto_layout, fused)
    for forced in (True, False):
        assert plan_call(*call, channels_last=forced) == CallPlan(forced, fused)


def test_call_plan_reads_the_input_and_autocast():
    x = torch.randn(1, 3, 8, 8)
    assert plan_for(x) == plan_call('cpu', torch.float32, False)
    assert plan_for(x.bfloat16(), channels_last=False) == CallPlan(False, False)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert plan_for(x) == plan_call('cpu', torch.float32, True)
    assert plan_for(x.to('meta')) == plan_call('meta', torch.float32, False)


def test_auto_layout_follows_the_device_and_the_call(monkeypatch):
    model = ConvNeXt(SMALL)  # channels_last='auto'
    seen = []
    model.stages[0][0].register_forward_pre_hook(
        lambda m, args: seen.append(args[0].is_contiguous(memory_format=torch.channels_last)))
    model(torch.randn(1, 3, 32, 32))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        model(torch.randn(1, 3, 32, 32))
    assert seen == [True, True]
    dwconv = model.stages[0][0].dwconv.weight
    assert model.half().stages[0][0].dwconv.weight is dwconv  # same Parameter, new data
    assert dwconv.is_contiguous(memory_format=torch.channels_last)
    # on a GPU (here 'meta', which the policy is told to treat as one) the weights go NCHW:
    # fp32 calls run NCHW there, half-precision calls channels_last from the input's format
    assert dwconv.stride() == (49, 1, 7, 1)  # its gradients' strides on CPU (DDP's buckets)
    plan = convnext.plan_call
    monkeypatch.setattr(convnext, 'plan_call', lambda device_type, *args: plan(
        'cuda' if device_type == 'meta' else device_type, *args))
    model.to('meta')
    assert model.stages[0][0].dwconv.weight.stride() == (49, 49, 7, 1)
    assert not model.downsample_layers[1][1].weight.is_contiguous(
        memory_format=torch.channels_last)
    with pytest.raises(ValueError, match="channels_last must be True, False or 'auto', got 'yes'"):
        ConvNeXt(SMALL, channels_last='yes')
