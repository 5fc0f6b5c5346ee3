"""ConvNeXt backbone (Liu et al., "A ConvNet for the 2020s", CVPR 2022), and ConvNeXt V2's
block (Woo et al., CVPR 2023: Global Response Normalization, no layer scale) with
``use_grn=True, layer_scale_init_value=0`` (mmpretrain's argument names).

Parameter names are those of the papers' released code, so their checkpoints load as they are:
``downsample_layers.{0..3}``, ``stages.{i}.{j}.{dwconv,norm,pwconv1,grn,pwconv2,gamma}``,
``norm{i}`` for each output index.
"""
from typing import NamedTuple, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch.utils.checkpoint import checkpoint

from mmconvnext.registry import MODELS
from .cpu_fused_mlp import MIN_PIXELS, fused_mlp, fused_mlp_available

# The paper's sizes (T, S, B, L, XL), the smaller ones of timm, mmpretrain and ConvNeXt V2
# (atto, femto, pico, nano: 3.7M, 5.2M, 9.1M and 15.6M parameters as 1000-class classifiers)
# and ConvNeXt V2's huge. A name is a size only: use_grn selects the V1 or V2 block.
ARCH_SETTINGS = {
    'atto': dict(depths=[2, 2, 6, 2], dims=[40, 80, 160, 320]),
    'femto': dict(depths=[2, 2, 6, 2], dims=[48, 96, 192, 384]),
    'pico': dict(depths=[2, 2, 6, 2], dims=[64, 128, 256, 512]),
    'nano': dict(depths=[2, 2, 8, 2], dims=[80, 160, 320, 640]),
    'tiny': dict(depths=[3, 3, 9, 3], dims=[96, 192, 384, 768]),
    'small': dict(depths=[3, 3, 27, 3], dims=[96, 192, 384, 768]),
    'base': dict(depths=[3, 3, 27, 3], dims=[128, 256, 512, 1024]),
    'large': dict(depths=[3, 3, 27, 3], dims=[192, 384, 768, 1536]),
    'xlarge': dict(depths=[3, 3, 27, 3], dims=[256, 512, 1024, 2048]),
    'huge': dict(depths=[3, 3, 27, 3], dims=[352, 704, 1408, 2816]),
}
NUM_STAGES = 4
HALF = (torch.float16, torch.bfloat16)


class CallPlan(NamedTuple):
    """How a call runs: the one place that decides it is :func:`plan_call`."""
    channels_last: bool  # memory format of the maps (and conv weights) inside the backbone
    fused_mlp: bool  # its kind suits the fused MLP (taken by V1 blocks in inference on big maps)


def plan_call(device_type: str, dtype: torch.dtype, autocast: bool,
              channels_last: Union[bool, str] = 'auto') -> CallPlan:
    """How a call with input of this device type and dtype, autocast on or off, runs.

    Layout: the backbone's ``channels_last`` if True or False; 'auto': channels_last everywhere
    but in fp32 on a GPU, where cuDNN's channels_last 7x7 depthwise kernels are slower than
    torch's NCHW one (in bf16 they are faster: docs/benchmarks.md, "On a GPU"). On CPU both
    run about as fast, and channels_last lets the LayerNorms and the fused MLP read contiguous
    views. The fused MLP (oneDNN's kernels): fp32 on CPU without autocast.
    """
    if channels_last == 'auto':
        channels_last = device_type != 'cuda' or autocast or dtype in HALF
    return CallPlan(channels_last, device_type == 'cpu' and dtype == torch.float32 and not autocast)


def plan_for(x: torch.Tensor, channels_last: Union[bool, str] = 'auto') -> CallPlan:
    """:func:`plan_call` for input ``x`` under the autocast state of its device (CPU and CUDA:
    on other devices autocast decides nothing here); a traced call (ONNX export, TorchScript)
    never takes the fused MLP."""
    device_type = x.device.type
    autocast = device_type in ('cpu', 'cuda') and torch.is_autocast_enabled(device_type)
    plan = plan_call(device_type, x.dtype, autocast, channels_last)
    if torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
        return plan._replace(fused_mlp=False)  # the fused op exists in this process only
    return plan


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of a feature map: (N, C, H, W) -> (N, C, H, W).

    Runs ``F.layer_norm`` on the (N, H, W, C) view. On a channels_last tensor that view is
    contiguous, so no copy is made and the result is channels_last again.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight,
                         self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class GRN(nn.Module):
    """Global Response Normalization (ConvNeXt V2) on channels-last maps: (N, H, W, C) ->
    (N, H, W, C).

    gamma * (x * N(x)) + beta + x, where N(x) is each channel's L2 norm over H and W divided
    by the mean of those norms over the channels (+ eps). gamma and beta: (C, ), zero at init
    (the block then starts as V1's without layer scale).
    """

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.zeros(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gx = torch.linalg.vector_norm(x, dim=(1, 2), keepdim=True)  # (N, 1, 1, C)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + self.eps)
        return self.gamma * (x * nx) + self.beta + x


class ConvNeXtBlock(nn.Module):
    """One ConvNeXt block: (N, C, H, W) -> (N, C, H, W).

    V1: x + drop_path(gamma * pwconv2(GELU(pwconv1(LN(dwconv7x7(x)))))), where LN and the two
    Linear layers act on the channels of each pixel. V2 (``use_grn``): GRN between GELU and
    pwconv2, usually without gamma (``layer_scale_init_value=0``).

    The path is chosen per call, by device, mode and size: fp32 CPU inference of V1 blocks on
    maps of at least ``MIN_PIXELS`` pixels runs the fused MLP of :mod:`.cpu_fused_mlp` (it has
    no GRN, so V2 blocks never take it); training, autocast, small maps and GPUs run the plain
    path (cuBLAS / cuDNN, autograd).

    Args:
        dim: channels C.
        drop_path: stochastic depth rate of this block.
        layer_scale_init_value: initial value of ``gamma``; 0 disables it.
        eps: the LayerNorm's epsilon.
        use_grn: the V2 block (GRN on the 4C hidden channels).
    """

    def __init__(self, dim: int, drop_path: float = 0.,
                 layer_scale_init_value: float = 1e-6, eps: float = 1e-6,
                 use_grn: bool = False):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.grn = GRN(4 * dim) if use_grn else None
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(torch.full((dim, ), float(layer_scale_init_value))) \
            if layer_scale_init_value > 0 else None
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._can_fuse(x):
            return self._forward_fused(x)
        y = self.act(self.pwconv1(self.norm(self.dwconv(x).permute(0, 2, 3, 1))))  # (N,H,W,4C)
        if self.grn is not None:
            y = self.grn(y)
        y = self.pwconv2(y)
        if self.gamma is not None:
            y = y * self.gamma
        return x + self.drop_path(y.permute(0, 3, 1, 2))

    def _can_fuse(self, x: torch.Tensor) -> bool:
        """The fused path has no backward, no drop path and no GRN: inference of V1 blocks on
        maps of at least MIN_PIXELS pixels (where it is faster), of a kind :func:`plan_for`
        says its kernels serve, where this torch build has them."""
        return (self.grn is None and x.shape[0] * x.shape[2] * x.shape[3] >= MIN_PIXELS
                and not (self.training and isinstance(self.drop_path, DropPath))
                and not (torch.is_grad_enabled() and (
                    x.requires_grad or any(p.requires_grad for p in self.parameters())))
                and plan_for(x).fused_mlp and fused_mlp_available())

    def _forward_fused(self, x: torch.Tensor) -> torch.Tensor:
        """Same values as the plain path; the MLP and residual add in one op."""
        y = self.norm(self.dwconv(x).permute(0, 2, 3, 1))
        y = fused_mlp(y, x.permute(0, 2, 3, 1), self.pwconv1.weight, self.pwconv1.bias,
                      self.pwconv2.weight, self.pwconv2.bias, self.gamma)
        return y.permute(0, 3, 1, 2)


@MODELS.register_module()
class ConvNeXt(BaseModule):
    """ConvNeXt backbone for detection, segmentation and classification.

    Args:
        arch: a name of ``ARCH_SETTINGS`` ('atto', 'femto', 'pico', 'nano', 'tiny', 'small',
            'base', 'large', 'xlarge', 'huge'), or dict(depths=[4 ints], dims=[4 ints]). The
            V2 paper's sizes are atto, femto, pico, nano, tiny, base, large and huge.
        in_channels: channels of the input image.
        out_indices: stages whose outputs are returned (negative indices count from the end).
        drop_path_rate: stochastic depth, rising linearly from 0 over all blocks to this rate.
        layer_scale_init_value: initial ``gamma`` of every block; 0 disables layer scale.
        frozen_stages: OpenMMLab's convention (mmdet's ResNet, Swin): -1 freezes nothing, 0 the
            stem only, k >= 1 the stem and stages 0..k-1 with their downsample layers (no
            grads, eval mode); for k >= 1 the same as mmpretrain's ConvNeXt, whose 0 freezes
            nothing.
        with_cp: recompute each block in backward (activation checkpointing) to save memory.
        channels_last: the memory format of the maps inside the backbone (the values are the
            same either way). True: channels_last input and conv weights (the LayerNorms and
            the fused CPU inference path then read contiguous (N, H, W, C) views). False: NCHW.
            'auto' (default): the faster of the two for the device and dtype (see
            :func:`plan_call`): channels_last on CPU and in fp16 / bf16 on a GPU,
            NCHW in fp32 on a GPU; the conv weights follow the device the module is moved to.
            The outputs are always contiguous (N, C, H, W), the layout necks and mmcv's ops
            expect.
        init_cfg: e.g. dict(type='Pretrained', checkpoint=PATH_OR_URL); see
            :func:`mmconvnext.checkpoint.load_backbone_checkpoint` for the layouts accepted.

    mmpretrain's ConvNeXt arguments, so that its configs (and mmdet's and mmseg's) work with
    only ``type`` changed: ``arch=dict(depths=..., channels=...)``; ``stem_patch_size``;
    ``norm_cfg`` (LayerNorm, 'LN2d' or 'LN', any ``eps``); ``act_cfg`` (GELU);
    ``linear_pw_conv=True``; ``use_grn`` (True: the ConvNeXt V2 block, which goes with
    ``layer_scale_init_value=0``); ``gap_before_final_norm`` (True: each output
    is ``norm{i}`` of the globally averaged map, shape (N, dims[i]), as mmpretrain's
    classifiers use it; False, the default here: maps). Values asking for what is not
    implemented here (another norm or activation, 1x1-conv pointwise layers) raise
    ValueError naming the argument and the value.

    Input (N, in_channels, H, W); output a tuple with, for each i in out_indices, a map of
    shape (N, dims[i], H / (p * 2**i), W / (p * 2**i)), p = stem_patch_size (4: strides 4, 8,
    16, 32), each passed through its own channels-first LayerNorm ``norm{i}``, as a
    contiguous tensor (with ``gap_before_final_norm``: vectors (N, dims[i])).
    """

    def __init__(self,
                 arch: Union[str, dict] = 'tiny',
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (0, 1, 2, 3),
                 drop_path_rate: float = 0.,
                 layer_scale_init_value: float = 1e-6,
                 frozen_stages: int = -1,
                 with_cp: bool = False,
                 channels_last: Union[bool, str] = 'auto',
                 init_cfg: Optional[dict] = None,
                 stem_patch_size: int = 4,
                 norm_cfg: dict = dict(type='LN2d', eps=1e-6),
                 act_cfg: dict = dict(type='GELU'),
                 linear_pw_conv: bool = True,
                 use_grn: bool = False,
                 gap_before_final_norm: bool = False):
        super().__init__(init_cfg=init_cfg)
        _check_numbers(in_channels=(in_channels, int), frozen_stages=(frozen_stages, int),
                       drop_path_rate=(drop_path_rate, float),
                       layer_scale_init_value=(layer_scale_init_value, float))
        self.depths, self.dims = _parse_arch(arch)
        self.out_indices = _parse_out_indices(out_indices)
        eps = _parse_mmpretrain_options(stem_patch_size, norm_cfg, act_cfg, linear_pw_conv,
                                        use_grn)
        if not -1 <= frozen_stages <= NUM_STAGES:
            raise ValueError(
                f'frozen_stages must be in [-1, {NUM_STAGES}], got {frozen_stages}')
        if not 0 <= drop_path_rate < 1:
            raise ValueError(f'drop_path_rate must be in [0, 1), got {drop_path_rate}')
        if layer_scale_init_value < 0:
            raise ValueError('layer_scale_init_value must be >= 0 (0 disables layer scale), '
                             f'got {layer_scale_init_value}')
        self.in_channels = in_channels
        self.frozen_stages = frozen_stages
        self.with_cp = with_cp
        if channels_last not in (True, False, 'auto'):
            raise ValueError(f"channels_last must be True, False or 'auto', got {channels_last!r}")
        self.channels_last = channels_last
        self.gap_before_final_norm = gap_before_final_norm

        dims = self.dims
        self.downsample_layers = nn.ModuleList([
            nn.Sequential(
                nn.Conv2d(in_channels, dims[0], kernel_size=stem_patch_size,
                          stride=stem_patch_size),
                LayerNorm2d(dims[0], eps=eps))
        ] + [
            nn.Sequential(
                LayerNorm2d(dims[i], eps=eps),
                nn.Conv2d(dims[i], dims[i + 1], kernel_size=2, stride=2))
            for i in range(NUM_STAGES - 1)
        ])
        rates = torch.linspace(0, drop_path_rate, sum(self.depths), device='cpu').tolist()
        self.stages = nn.ModuleList()
        for i, depth in enumerate(self.depths):
            first = sum(self.depths[:i])
            self.stages.append(nn.Sequential(*[
                ConvNeXtBlock(dims[i], rates[first + j], layer_scale_init_value, eps, use_grn)
                for j in range(depth)
            ]))
        for i in self.out_indices:
            self.add_module(f'norm{i}', LayerNorm2d(dims[i], eps=eps))
        self._place_conv_weights()
        self._freeze_stages()

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f'ConvNeXt takes (N, {self.in_channels}, H, W) images, got shape '
                             f'{tuple(x.shape)} (in_channels={self.in_channels})')
        x = x.contiguous(memory_format=torch.channels_last
                         if plan_for(x, self.channels_last).channels_last
                         else torch.contiguous_format)
        outs = []
        for i in range(NUM_STAGES):
            x = self.downsample_layers[i](x)
            for block in self.stages[i]:
                x = checkpoint(block, x, use_reentrant=False) \
                    if self.with_cp and self.training else block(x)
            if i in self.out_indices:
                norm = getattr(self, f'norm{i}')
                if self.gap_before_final_norm:
                    outs.append(norm(x.mean((2, 3), keepdim=True)).flatten(1))
                else:
                    # standard layout for what comes next: mmcv's ops (RoIAlign, ...) read
                    # raw NCHW memory and give wrong values for channels_last maps, silently
                    outs.append(norm(x).contiguous())
        return tuple(outs)

    def _place_conv_weights(self):
        """Conv weights in the maps' format, so that each conv reads both alike: mkldnn then
        skips a weight reorder per call, and DDP's gradient buckets match the gradients'
        strides. With 'auto', the format of an fp32 call on the device the weights are on:
        channels_last on CPU; NCHW on a GPU, where fp16 / bf16 calls still run channels_last
        (the input's format decides, each weight is reordered per call)."""
        device_type = self.downsample_layers[0][0].weight.device.type
        plan = plan_call(device_type, torch.float32, False, self.channels_last)
        fmt = torch.channels_last if plan.channels_last else torch.contiguous_format
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                # by strides, not is_contiguous(): a depthwise weight (C, 1, 7, 7) is both
                # channels_last and NCHW contiguous, but the gradients' strides (which DDP's
                # buckets must match) and the kernels chosen differ by its size-1 stride
                target = torch.empty(m.weight.shape, device='meta', memory_format=fmt)
                if m.weight.stride() != target.stride():
                    m.weight.data = torch.empty_like(m.weight.data, memory_format=fmt).copy_(
                        m.weight.data)

    def _apply(self, fn, *args, **kwargs):
        """``.to(device)``, ``.cuda()``, ``.half()``...: then the weights' format for the new
        device ('auto')."""
        super()._apply(fn, *args, **kwargs)
        self._place_conv_weights()
        return self

    def init_weights(self):
        """Pretrained weights from ``init_cfg``, else the paper's truncated-normal init."""
        if self.init_cfg is not None and self.init_cfg.get('type') == 'Pretrained':
            from mmconvnext.checkpoint import load_backbone_checkpoint
            load_backbone_checkpoint(self, self.init_cfg['checkpoint'],
                                     prefix=self.init_cfg.get('prefix'))
            self._is_init = True
        elif self.init_cfg is None:
            for m in self.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    trunc_normal_(m.weight, std=.02)
                    nn.init.zeros_(m.bias)
            self._is_init = True
        else:
            super().init_weights()

    def _freeze_stages(self):
        frozen = [self.downsample_layers[0]] if self.frozen_stages >= 0 else []
        for i in range(self.frozen_stages):
            frozen += [self.downsample_layers[i], self.stages[i]]
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        return self


def convnext_layer_id(name: str, depths: Sequence[int], num_layers: int,
                      decay_type: str) -> int:
    """Learning-rate decay id of the ConvNeXt parameter ``name`` (relative to the backbone;
    our names and mmpretrain's follow the same pattern: ``downsample_layers.i.*``,
    ``stages.i.j.*``, ``norm{i}.*``) in a backbone of ``depths`` blocks per stage.

    Ids follow the paper's code. 'layer_wise': stem 0, stage 0 -> 1, downsample 1 and
    stage 1 -> 2, downsample 2 -> 3, block b of stage 2 -> 3 + b // 3, downsample 3 and
    stage 3 -> num_layers, anything else (output norms) -> num_layers + 1.
    'stage_wise': downsample layers 0, stage i -> i + 1, anything else num_layers + 1.
    """
    parts = name.split('.')
    if decay_type == 'layer_wise':
        needed = 3 + (depths[2] - 1) // 3 + 1
        if num_layers < needed:
            raise ValueError(
                f'num_layers={num_layers} is too small for layer_wise decay of a '
                f'backbone with {depths[2]} blocks in stage 2: needs >= {needed}')
        if parts[0] == 'downsample_layers':
            return (0, 2, 3, num_layers)[int(parts[1])]
        if parts[0] == 'stages':
            stage, block = int(parts[1]), int(parts[2])
            return (1, 2, 3 + block // 3, num_layers)[stage]
        return num_layers + 1
    if decay_type == 'stage_wise':
        if num_layers < NUM_STAGES:
            raise ValueError(f'num_layers={num_layers} is too small for stage_wise decay '
                             f'of {NUM_STAGES} stages: needs >= {NUM_STAGES}')
        if parts[0] == 'downsample_layers':
            return 0
        if parts[0] == 'stages':
            return int(parts[1]) + 1
        return num_layers + 1
    raise ValueError(
        f"decay_type must be 'layer_wise' or 'stage_wise', got {decay_type!r}")


def _parse_arch(arch: Union[str, dict]) -> Tuple[list, list]:
    if isinstance(arch, str):
        if arch not in ARCH_SETTINGS:
            raise ValueError(
                f'unknown ConvNeXt arch {arch!r}; choose one of {sorted(ARCH_SETTINGS)} '
                'or pass dict(depths=[...], dims=[...])')
        arch = ARCH_SETTINGS[arch]
    if isinstance(arch, dict) and set(arch) == {'depths', 'channels'}:  # mmpretrain's keys
        arch = dict(depths=arch['depths'], dims=arch['channels'])
    if not isinstance(arch, dict) or set(arch) != {'depths', 'dims'}:
        raise ValueError('a custom ConvNeXt arch must be dict(depths=[...], dims=[...]) '
                         f'(or mmpretrain\'s dict(depths=[...], channels=[...])), got {arch!r}')
    depths, dims = list(arch['depths']), list(arch['dims'])
    if len(depths) != len(dims):
        raise ValueError(f'arch depths and dims differ in length: depths={depths} '
                         f'({len(depths)}), dims={dims} ({len(dims)})')
    if len(depths) != NUM_STAGES:
        raise ValueError(f'ConvNeXt has {NUM_STAGES} stages: got depths={depths}, dims={dims}')
    if any(int(v) != v or v < 1 for v in depths + dims):
        raise ValueError(f'arch depths and dims must be positive integers, got '
                         f'depths={depths}, dims={dims}')
    return depths, dims


def _parse_mmpretrain_options(stem_patch_size, norm_cfg, act_cfg, linear_pw_conv,
                              use_grn) -> float:
    """Check mmpretrain's ConvNeXt arguments against what is implemented here; return the
    LayerNorm epsilon."""
    if not isinstance(stem_patch_size, int) or stem_patch_size < 1:
        raise ValueError(f'stem_patch_size must be a positive int, got {stem_patch_size!r}')
    norm_cfg = dict(norm_cfg)
    if norm_cfg.get('type') not in ('LN2d', 'LN') or not set(norm_cfg) <= {'type', 'eps'}:
        raise ValueError("norm_cfg must be dict(type='LN2d', eps=...) (ConvNeXt's "
                         f'LayerNorm, the only norm implemented here), got {norm_cfg!r}')
    if dict(act_cfg) != dict(type='GELU'):
        raise ValueError("act_cfg must be dict(type='GELU') (the only activation "
                         f'implemented here), got {act_cfg!r}')
    if linear_pw_conv is not True:
        raise ValueError('linear_pw_conv must be True (pointwise layers as Linear, as in the '
                         f'paper; 1x1 convs are not implemented here), got {linear_pw_conv!r}')
    if not isinstance(use_grn, bool):
        raise ValueError(f'use_grn must be True (the ConvNeXt V2 block) or False, got '
                         f'{use_grn!r}')
    return float(norm_cfg.get('eps', 1e-6))


def _check_numbers(**args) -> None:
    """Raise TypeError naming the argument whose value is not a number of its kind
    (name=(value, int or float); float takes ints too), e.g. a number given as a string."""
    for name, (value, kind) in args.items():
        if not isinstance(value, (int, float) if kind is float else int):
            raise TypeError(f'ConvNeXt argument {name} must be {kind.__name__}, got '
                            f'{value!r} ({type(value).__name__})')


def _parse_out_indices(out_indices) -> Tuple[int, ...]:
    if isinstance(out_indices, int):
        out_indices = [out_indices]
    if isinstance(out_indices, (str, bytes)) or not isinstance(out_indices, Sequence) or \
            not all(isinstance(i, int) for i in out_indices):
        raise TypeError('ConvNeXt argument out_indices must be an int or a sequence of ints, '
                        f'got {out_indices!r}')
    result = []
    for i in out_indices:
        if not -NUM_STAGES <= i < NUM_STAGES:
            raise ValueError(f'out_indices must lie in [-{NUM_STAGES}, {NUM_STAGES - 1}], '
                             f'got {i} in {tuple(out_indices)}')
        result.append(i % NUM_STAGES)
    if not result or len(set(result)) != len(result):
        raise ValueError(f'out_indices must be non-empty and unique, got {tuple(out_indices)}')
    return tuple(sorted(result))
