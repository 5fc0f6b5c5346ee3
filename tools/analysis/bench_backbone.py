"""Compare ConvNeXt backbone implementations with the same weights: outputs, time, memory.

Ours (default settings, then NCHW, channels_last and with_cp variants, and torch.compile with
--compile), the paper's layout, timm and mmpretrain. Checks that their outputs agree, then
prints median time (forward in eval mode, forward + backward in train mode) and peak tensor
memory, with ratios to ours.

    python tools/analysis/bench_backbone.py [--archs tiny base] [--shapes 1x3x800x1280 ...]
        [--device cpu|cuda] [--amp fp16|bf16] [--compile] [--repeat 5] [--models ours ...]

On a GPU each step is timed with CUDA events, after --warmup untimed steps; the median of
--repeat is printed. --amp runs the models under autocast (on CPU too).
"""
import argparse
import statistics

import torch
import torch.nn as nn

from timing import AMP_DTYPES, time_ms

from mmconvnext.checkpoint.layouts import LAYOUTS
from mmconvnext.models import ConvNeXt
from mmconvnext.models.backbones.convnext import ARCH_SETTINGS
from mmconvnext.testing.memory import PeakTensorMemory
from mmconvnext.testing.paper_layout import PaperConvNeXt, randomize_


class TimmFeatures(nn.Module):
    """timm's ConvNeXt stage outputs, through four output LayerNorms (timm's LayerNorm2d) as
    in the detection backbone."""

    def __init__(self, arch):
        super().__init__()
        import timm
        from timm.layers import LayerNorm2d
        self.body = timm.models.convnext.ConvNeXt(**ARCH_SETTINGS[arch], num_classes=0)
        self.norms = nn.ModuleList(LayerNorm2d(d, eps=1e-6) for d in ARCH_SETTINGS[arch]['dims'])

    def forward(self, x):
        feats = self.body.forward_intermediates(x, intermediates_only=True)
        return tuple(norm(f) for norm, f in zip(self.norms, feats))


def mmpretrain_convnext(arch):
    from mmpretrain.models import ConvNeXt as MMPretrainConvNeXt
    s = ARCH_SETTINGS[arch]
    return MMPretrainConvNeXt(arch=dict(depths=s['depths'], channels=s['dims']),
                              out_indices=(0, 1, 2, 3), gap_before_final_norm=False)


def load_ours_into(model: nn.Module, ours: nn.Module, layout: str, prefix: str = '') -> nn.Module:
    """Copy our weights into a foreign model, mapping names with our own converter. Keys under
    ``prefix`` are the foreign backbone's; ``norms.i`` are the wrapper's output norms; the
    foreign classification head (unused for features) keeps its initial values."""
    own = ours.state_dict()
    state = model.state_dict()
    for key in state:
        name = key[len(prefix):] if key.startswith(prefix) else key
        converted, _ = LAYOUTS[layout][1]({name: None})
        ours_name = next(iter(converted), None) or (
            name.replace('norms.', 'norm', 1) if name.startswith('norms.') else None)
        if ours_name in own:
            state[key] = own[ours_name]
        elif not name.startswith('head.'):
            raise KeyError(f'{type(model).__name__}: no weight of ours for {key}')
    model.load_state_dict(state)
    return model


# --models key -> row name, in the order of the table
ROWS = {'ours': 'ours', 'nchw': 'ours, NCHW', 'channels_last': 'ours, channels_last',
        'with_cp': 'ours, with_cp',
        'paper': 'paper layout', 'timm': 'timm', 'mmpretrain': 'mmpretrain',
        'compile': 'ours, torch.compile'}


def build(arch, keys):
    """name -> backbone for each key of ``keys`` (and always 'ours'), all with the same
    weights; 'compile' is ours under torch.compile."""
    ours = randomize_(ConvNeXt(arch), seed=0)
    models = {'ours': ours}
    variants = (('nchw', dict(channels_last=False)), ('channels_last', dict(channels_last=True)),
                ('with_cp', dict(with_cp=True)))
    for key, kwargs in variants:
        if key in keys:
            models[ROWS[key]] = ConvNeXt(arch, **kwargs)
            models[ROWS[key]].load_state_dict(ours.state_dict())
    if 'paper' in keys:
        models['paper layout'] = PaperConvNeXt(**ARCH_SETTINGS[arch])
        models['paper layout'].load_state_dict(ours.state_dict())
    if 'timm' in keys:
        try:
            models['timm'] = load_ours_into(TimmFeatures(arch), ours, 'timm', prefix='body.')
        except ImportError:
            print('timm is not installed: skipped')
    if 'mmpretrain' in keys:
        models['mmpretrain'] = load_ours_into(mmpretrain_convnext(arch), ours, 'mmpretrain')
    if 'compile' in keys:
        models['ours, torch.compile'] = torch.compile(ours)
    return models


def timed_step(model, x, backward, autocast_dtype):
    """One forward (eval mode, no grad) or forward + backward (train mode: with_cp acts;
    drop path is 0 in all models) and its time in ms."""
    model.train(backward)

    def step():
        with torch.autocast(x.device.type, dtype=autocast_dtype,
                            enabled=autocast_dtype is not None):
            if backward:
                outs = model(x)
                sum(o.float().mean() for o in outs).backward()
            else:
                with torch.no_grad():
                    model(x)

    elapsed = time_ms(step, x.device.type)
    model.zero_grad(set_to_none=True)
    return elapsed


def measure(models, x, backward, repeat, warmup, autocast_dtype):
    """name -> (median ms, peak MB). The models take turns within every repeat, so a slow
    spell of the machine falls on all of them alike."""
    times = {name: [] for name in models}
    for i in range(warmup + repeat):
        for name, model in models.items():
            elapsed = timed_step(model, x, backward, autocast_dtype)
            if i >= warmup:
                times[name].append(elapsed)
    result = {}
    for name, model in models.items():
        with PeakTensorMemory() as memory:
            timed_step(model, x, backward, autocast_dtype)
        result[name] = statistics.median(times[name]), memory.peak / 2**20
    return result


def check_outputs(models, x, tol=1e-4):
    """Outputs equal in plain fp32: on a GPU with cuDNN's TF32 convolutions (torch's default)
    layouts pick different kernels and can differ by more than the tolerance, so TF32 is off."""
    cudnn = torch.backends.cudnn
    with torch.no_grad(), cudnn.flags(enabled=cudnn.enabled, benchmark=cudnn.benchmark,
                                      deterministic=cudnn.deterministic, allow_tf32=False):
        expected = models['ours'].eval()(x)
        for name, model in models.items():
            model.eval()
            for i, (a, b) in enumerate(zip(expected, model(x))):
                err = (a - b).abs().max().item() / max(1.0, a.abs().max().item())
                if err > tol:
                    raise AssertionError(f'{name} differs from ours at stage {i}: {err:.2e}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--archs', nargs='+', default=['tiny', 'base'])
    parser.add_argument('--shapes', nargs='+', default=['1x3x800x1280', '2x3x512x512'])
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', choices=['fp16', 'bf16'], help='autocast dtype (default fp32)')
    parser.add_argument('--compile', action='store_true', help='also torch.compile ours')
    parser.add_argument('--models', nargs='+', choices=list(ROWS),
                        default=[k for k in ROWS if k != 'compile'],
                        help='rows to time (ours always; --compile adds compile)')
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    args = parser.parse_args()
    dtype = AMP_DTYPES[args.amp]
    where = torch.cuda.get_device_name(args.device) if args.device.startswith('cuda') \
        else args.device
    print(f'torch {torch.__version__}, device {where}, threads {torch.get_num_threads()}'
          f'{f", {args.amp} autocast" if args.amp else ", fp32"}; median of {args.repeat} runs; '
          'ratio = time of that / time of ours (higher: ours is faster)')
    keys = set(args.models) | ({'compile'} if args.compile else set())
    for arch in args.archs:
        models = {k: m.to(args.device) for k, m in build(arch, keys).items()}
        for shape in args.shapes:
            x = torch.randn(*map(int, shape.split('x')), device=args.device)
            check_outputs(models, x)
            print(f'\nConvNeXt-{arch} {shape}: outputs agree (fp32, 1e-4)\n{"":<22}'
                  f'{"fwd ms":>9}{"ratio":>7}{"peak MB":>9}{"fwd+bwd ms":>12}{"ratio":>7}'
                  f'{"peak MB":>9}{"ratio":>7}')
            fwd = measure(models, x, False, args.repeat, args.warmup, dtype)
            train = measure(models, x, True, args.repeat, args.warmup, dtype)
            (f0, _), (t0, m0) = fwd['ours'], train['ours']
            for name in models:
                (f, fm), (t, tm) = fwd[name], train[name]
                print(f'{name:<22}{f:>9.1f}{f / f0:>7.2f}{fm:>9.1f}{t:>12.1f}{t / t0:>7.2f}'
                      f'{tm:>9.1f}{tm / m0:>7.2f}')


if __name__ == '__main__':
    main()
