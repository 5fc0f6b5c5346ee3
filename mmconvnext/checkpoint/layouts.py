"""ConvNeXt weights in foreign layouts -> our backbone's parameter names.

One small function per layout, and :func:`detect_layout` to tell them apart. Each converter
takes a flat state dict and returns ``(state_dict, dropped_keys)``. Keys are renamed; values
are reshaped only where a layout stores the same numbers in another shape (ConvNeXt V2's GRN
parameters as (1, 1, 1, C) or (1, C), MLP layers as 1x1 convs, FCMAE's sparse-conv kernels),
never resized, so a wrong arch still fails on shapes when loaded.
"""
import math
import re
from typing import Callable, Dict, List, Tuple

import torch

StateDict = Dict[str, torch.Tensor]
Converted = Tuple[StateDict, List[str]]


def _rename(state_dict: StateDict, rules, drop=()) -> Converted:
    """Apply the first matching (regex, replacement) rule to each key; drop keys that match
    ``drop`` or no rule."""
    out, dropped = {}, []
    for key, value in state_dict.items():
        if any(re.match(p, key) for p in drop):
            dropped.append(key)
            continue
        for pattern, repl in rules:
            if re.match(pattern, key):
                out[re.sub(pattern, repl, key)] = value
                break
        else:
            dropped.append(key)
    return out, dropped


OURS = r'(downsample_layers\.\d\.\d\.|stages\.\d+\.\d+\.|norm\d\.)'


def from_official(state_dict: StateDict) -> Converted:
    """The papers' classification checkpoints (V1, and V2's fine-tuned ones): our names, plus
    ``head.*`` and the final ``norm.*`` after global pooling, which are dropped."""
    return _rename(state_dict, [(OURS, r'\1')])


def from_mmengine(state_dict: StateDict) -> Converted:
    """A whole detector / segmenter / classifier with our backbone under ``backbone.``
    (mmengine checkpoints, and the paper's released mmdet 2.x / mmseg 0.x models)."""
    return _rename(state_dict, [(r'backbone\.' + OURS, r'\1')])


def from_timm(state_dict: StateDict) -> Converted:
    """timm ``convnext_*`` / ``convnextv2_*``: stem.{0,1}, stages.N.downsample.{0,1},
    stages.N.blocks.M.{conv_dw, norm, mlp.fc1, mlp.grn.{weight,bias}, mlp.fc2, gamma},
    head.* (the small sizes store fc1 / fc2 as 1x1 convs)."""
    return _rename(state_dict, [
        (r'stem\.(\d)\.', r'downsample_layers.0.\1.'),
        (r'stages\.(\d)\.downsample\.(\d)\.', r'downsample_layers.\1.\2.'),
        (r'stages\.(\d)\.blocks\.(\d+)\.conv_dw\.', r'stages.\1.\2.dwconv.'),
        (r'stages\.(\d)\.blocks\.(\d+)\.mlp\.grn\.weight$', r'stages.\1.\2.grn.gamma'),
        (r'stages\.(\d)\.blocks\.(\d+)\.mlp\.grn\.bias$', r'stages.\1.\2.grn.beta'),
        (r'stages\.(\d)\.blocks\.(\d+)\.mlp\.fc(\d)\.', r'stages.\1.\2.pwconv\3.'),
        (r'stages\.(\d)\.blocks\.(\d+)\.(norm\.|gamma$)', r'stages.\1.\2.\3'),
    ])


def from_mmpretrain(state_dict: StateDict) -> Converted:
    """mmpretrain ``ConvNeXt``: backbone.stages.N.M.{depthwise_conv, norm, pointwise_conv1,
    pointwise_conv2, gamma}, backbone.norm{i}, head.*."""
    p = r'(?:backbone\.)?'
    return _rename(state_dict, [
        (p + r'stages\.(\d)\.(\d+)\.depthwise_conv\.', r'stages.\1.\2.dwconv.'),
        (p + r'stages\.(\d)\.(\d+)\.pointwise_conv(\d)\.', r'stages.\1.\2.pwconv\3.'),
        (p + OURS, r'\1'),
    ])


def from_transformers(state_dict: StateDict) -> Converted:
    """Hugging Face ``ConvNextModel`` / ``ConvNextForImageClassification`` /
    ``ConvNextBackbone`` and their ``ConvNextV2*``: embeddings.{patch_embeddings, layernorm},
    encoder.stages.N.{downsampling_layer, layers.M.{dwconv, layernorm, pwconv1,
    grn.{weight,bias}, pwconv2, layer_scale_parameter}}, hidden_states_norms.stageK."""
    p = r'(?:convnext(?:v2)?\.)?'
    return _rename(state_dict, [
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.grn\.weight$', r'stages.\1.\2.grn.gamma'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.grn\.bias$', r'stages.\1.\2.grn.beta'),
        (p + r'embeddings\.patch_embeddings\.', 'downsample_layers.0.0.'),
        (p + r'embeddings\.layernorm\.', 'downsample_layers.0.1.'),
        (p + r'encoder\.stages\.(\d)\.downsampling_layer\.(\d)\.', r'downsample_layers.\1.\2.'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.layernorm\.', r'stages.\1.\2.norm.'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.layer_scale_parameter$',
         r'stages.\1.\2.gamma'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.(dwconv|pwconv1|pwconv2)\.',
         r'stages.\1.\2.\3.'),
    ] + [(p + rf'hidden_states_norms\.stage{k + 1}\.', f'norm{k}.') for k in range(4)])


def from_transformers_dinov3(state_dict: StateDict) -> Converted:
    """Hugging Face ``DINOv3ConvNextModel`` / ``DINOv3ConvNextBackbone`` (transformers >= 4.56):
    stages.N.{downsample_layers.{0,1}, layers.M.{depthwise_conv, layer_norm, pointwise_conv1,
    pointwise_conv2, gamma}}; the final ``layer_norm.*`` is dropped."""
    return _rename(state_dict, [
        (r'stages\.(\d)\.downsample_layers\.(\d)\.', r'downsample_layers.\1.\2.'),
        (r'stages\.(\d)\.layers\.(\d+)\.depthwise_conv\.', r'stages.\1.\2.dwconv.'),
        (r'stages\.(\d)\.layers\.(\d+)\.layer_norm\.', r'stages.\1.\2.norm.'),
        (r'stages\.(\d)\.layers\.(\d+)\.pointwise_conv(\d)\.', r'stages.\1.\2.pwconv\3.'),
        (r'stages\.(\d)\.layers\.(\d+)\.gamma$', r'stages.\1.\2.gamma'),
    ])


def from_fcmae(state_dict: StateDict) -> Converted:
    """ConvNeXt V2's FCMAE pretraining checkpoints: the sparse encoder under ``encoder.``
    (MinkowskiEngine modules: ``*.kernel`` weights of shape (k*k, C) for depthwise and
    (k*k, C_in, C_out) for other convs, biases and GRN parameters as (1, C), LayerNorm /
    Linear weights under ``.ln.`` / ``.linear.``); the decoder, mask token and projections
    are dropped. Converted as the V2 authors' own fine-tuning code does
    (``remap_checkpoint_keys``)."""
    out, dropped = {}, []
    for key, value in state_dict.items():
        if not key.startswith('encoder.'):
            dropped.append(key)
            continue
        key = re.sub(r'\.(ln|linear)\.', '.', key[len('encoder.'):])
        if key.endswith('.kernel'):
            ks = math.isqrt(value.shape[0])
            if value.dim() not in (2, 3) or ks * ks != value.shape[0]:
                raise UnknownLayoutError(
                    f'FCMAE kernel encoder.{key} has shape {tuple(value.shape)}; expected '
                    '(k*k, C) or (k*k, C_in, C_out) with k*k a square')
            key = key[:-len('kernel')] + 'weight'
            if value.dim() == 2:  # depthwise: (k*k, C) -> (C, 1, k, k)
                value = value.permute(1, 0).reshape(value.shape[1], 1, ks, ks).transpose(3, 2)
            else:  # (k*k, C_in, C_out) -> (C_out, C_in, k, k)
                value = value.permute(2, 1, 0).reshape(
                    value.shape[2], value.shape[1], ks, ks).transpose(3, 2)
        elif key.endswith('.bias') and value.dim() == 2:
            value = value.reshape(-1)
        out[key] = value.contiguous()
    converted, more = from_official(out)
    return converted, dropped + more


def _fit_shapes(state_dict: StateDict) -> StateDict:
    """The same numbers in our shapes: GRN parameters (C, ), pointwise layers as Linear."""
    out = {}
    for key, value in state_dict.items():
        if re.search(r'\.grn\.(gamma|beta)$', key) and value.dim() > 1:
            value = value.reshape(-1)
        elif re.search(r'\.pwconv\d\.weight$', key) and value.dim() == 4 and \
                value.shape[2:] == (1, 1):
            value = value.flatten(1)
        out[key] = value
    return out


# layout name -> (how to recognise it from its keys, converter); checked in this order
LAYOUTS: Dict[str, Tuple[Callable[[List[str]], bool], Callable[[StateDict], Converted]]] = {
    'fcmae': (lambda keys: any(k.startswith('encoder.') and k.endswith('.kernel') for k in keys),
              from_fcmae),
    'timm': (lambda keys: any(k.startswith('stem.0.') for k in keys), from_timm),
    'transformers': (lambda keys: any('embeddings.patch_embeddings.' in k for k in keys),
                     from_transformers),
    # before mmpretrain, whose '.depthwise_conv.' its blocks share
    'transformers_dinov3': (
        lambda keys: any(re.match(r'stages\.\d\.(downsample_layers|layers)\.', k) for k in keys),
        from_transformers_dinov3),
    'mmpretrain': (lambda keys: any('.depthwise_conv.' in k for k in keys), from_mmpretrain),
    'mmengine': (lambda keys: any(k.startswith('backbone.downsample_layers.') for k in keys),
                 from_mmengine),
    'official': (lambda keys: any(k.startswith('downsample_layers.') for k in keys),
                 from_official),
}


class UnknownLayoutError(ValueError):
    """A state dict in which no known ConvNeXt layout is recognised."""


def unwrap(checkpoint) -> StateDict:
    """The flat state dict inside a checkpoint: under 'state_dict' (mmengine), 'model'
    (official), or the checkpoint itself (timm, transformers)."""
    if not isinstance(checkpoint, dict):
        raise UnknownLayoutError(
            f'a checkpoint must be a dict of tensors, got {type(checkpoint).__name__}')
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def detect_layout(state_dict: StateDict) -> str:
    keys = list(state_dict)
    for name, (matches, _) in LAYOUTS.items():
        if matches(keys):
            return name
    raise UnknownLayoutError(
        'unknown checkpoint layout: none of the ConvNeXt layouts '
        f'({", ".join(LAYOUTS)}) matches its {len(keys)} keys, e.g. {keys[:5]}')


def convert(checkpoint) -> Tuple[StateDict, str, List[str]]:
    """Our backbone's state dict from a checkpoint of any known layout (see
    :func:`convert_state_dict`)."""
    return convert_state_dict(unwrap(checkpoint))


def convert_state_dict(state_dict: StateDict) -> Tuple[StateDict, str, List[str]]:
    """Our backbone's state dict from a flat state dict (already unwrapped) of any known layout.

    Returns (state_dict, layout name, dropped keys). Raises UnknownLayoutError.
    """
    layout = detect_layout(state_dict)
    converted, dropped = LAYOUTS[layout][1](state_dict)
    return _fit_shapes(converted), layout, dropped
