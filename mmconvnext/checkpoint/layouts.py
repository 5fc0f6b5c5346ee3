"""ConvNeXt weights in foreign layouts -> our backbone's parameter names.

One small function per layout, and :func:`detect_layout` to tell them apart. Each converter
takes a flat state dict and returns ``(state_dict, dropped_keys)``; keys are renamed, never
reshaped, so a wrong arch still fails on shapes when loaded.
"""
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
    """The paper's classification checkpoints: our names, plus ``head.*`` and the final
    ``norm.*`` after global pooling, which are dropped."""
    return _rename(state_dict, [(OURS, r'\1')])


def from_mmengine(state_dict: StateDict) -> Converted:
    """A whole detector / segmenter / classifier with our backbone under ``backbone.``
    (mmengine checkpoints, and the paper's released mmdet 2.x / mmseg 0.x models)."""
    return _rename(state_dict, [(r'backbone\.' + OURS, r'\1')])


def from_timm(state_dict: StateDict) -> Converted:
    """timm ``convnext_*``: stem.{0,1}, stages.N.downsample.{0,1},
    stages.N.blocks.M.{conv_dw, norm, mlp.fc1, mlp.fc2, gamma}, head.*."""
    return _rename(state_dict, [
        (r'stem\.(\d)\.', r'downsample_layers.0.\1.'),
        (r'stages\.(\d)\.downsample\.(\d)\.', r'downsample_layers.\1.\2.'),
        (r'stages\.(\d)\.blocks\.(\d+)\.conv_dw\.', r'stages.\1.\2.dwconv.'),
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
    ``ConvNextBackbone``: embeddings.{patch_embeddings, layernorm},
    encoder.stages.N.{downsampling_layer, layers.M.{dwconv, layernorm, pwconv1, pwconv2,
    layer_scale_parameter}}, hidden_states_norms.stageK."""
    p = r'(?:convnext\.)?'
    return _rename(state_dict, [
        (p + r'embeddings\.patch_embeddings\.', 'downsample_layers.0.0.'),
        (p + r'embeddings\.layernorm\.', 'downsample_layers.0.1.'),
        (p + r'encoder\.stages\.(\d)\.downsampling_layer\.(\d)\.', r'downsample_layers.\1.\2.'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.layernorm\.', r'stages.\1.\2.norm.'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.layer_scale_parameter$',
         r'stages.\1.\2.gamma'),
        (p + r'encoder\.stages\.(\d)\.layers\.(\d+)\.(dwconv|pwconv1|pwconv2)\.',
         r'stages.\1.\2.\3.'),
    ] + [(p + rf'hidden_states_norms\.stage{k + 1}\.', f'norm{k}.') for k in range(4)])


# layout name -> (how to recognise it from its keys, converter); checked in this order
LAYOUTS: Dict[str, Tuple[Callable[[List[str]], bool], Callable[[StateDict], Converted]]] = {
    'timm': (lambda keys: any(k.startswith('stem.0.') for k in keys), from_timm),
    'transformers': (lambda keys: any('embeddings.patch_embeddings.' in k for k in keys),
                     from_transformers),
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
    """Our backbone's state dict from a checkpoint of any known layout.

    Returns (state_dict, layout name, dropped keys). Raises UnknownLayoutError.
    """
    state_dict = unwrap(checkpoint)
    layout = detect_layout(state_dict)
    converted, dropped = LAYOUTS[layout][1](state_dict)
    return converted, layout, dropped
