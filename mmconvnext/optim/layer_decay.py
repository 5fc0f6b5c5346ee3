"""Layer-wise learning-rate decay for models with a ConvNeXt backbone (ours or mmpretrain's)."""
from collections import OrderedDict
from typing import List

import torch.nn as nn
from mmengine.dist import get_rank
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor

from mmconvnext.models.backbones.convnext import convnext_layer_id
from mmconvnext.registry import OPTIM_WRAPPER_CONSTRUCTORS

DECAY_TYPES = ('layer_wise', 'stage_wise')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LearningRateDecayOptimizerConstructor(DefaultOptimWrapperConstructor):
    """Parameter groups with lr = base_lr * decay_rate ** (L - layer_id - 1), L = num_layers + 2.

    ``paramwise_cfg=dict(decay_rate=0.7, decay_type='layer_wise', num_layers=6)``. The layer
    id of each backbone parameter follows from its name
    (:func:`mmconvnext.models.backbones.convnext.convnext_layer_id`), for our ConvNeXt and
    mmpretrain's alike; every parameter outside the backbone (neck, heads) gets the top id,
    hence the base lr. 1-D parameters and biases get no weight decay, all others the
    optimizer's. Frozen parameters are left out. Same groups, scales and group names
    (``layer_{id}_{decay|no_decay}``) as the paper's code and mmdet's / mmseg's constructor.
    """

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = '',
                   is_dcn_module=None) -> None:
        cfg = self.paramwise_cfg
        missing = {'decay_rate', 'num_layers'} - set(cfg)
        if missing:
            raise ValueError(f'{type(self).__name__} needs paramwise_cfg keys {sorted(missing)}'
                             f', got {dict(cfg)}')
        decay_rate, num_layers = float(cfg['decay_rate']), int(cfg['num_layers'])
        decay_type = cfg.get('decay_type', 'layer_wise')
        if decay_type not in DECAY_TYPES:
            raise ValueError(f'decay_type must be one of {DECAY_TYPES}, got {decay_type!r}')
        depths, backbone_prefix = _find_backbone(module)
        top = num_layers + 1  # the id of everything outside the backbone
        groups = OrderedDict()
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            if name.startswith(backbone_prefix):
                layer_id = convnext_layer_id(name[len(backbone_prefix):], depths, num_layers,
                                             decay_type)
            else:
                layer_id = top
            no_decay = param.ndim == 1 or name.endswith('.bias')
            key = f"layer_{layer_id}_{'no_decay' if no_decay else 'decay'}"
            if key not in groups:
                scale = decay_rate**(top - layer_id)
                groups[key] = dict(
                    params=[], param_names=[], group_name=key, lr_scale=scale,
                    lr=scale * self.base_lr,
                    weight_decay=0. if no_decay else self.base_wd)
            groups[key]['params'].append(param)
            groups[key]['param_names'].append(name)
        params.extend(groups.values())
        if get_rank() == 0:
            print_log(_format_groups(groups, decay_rate, decay_type, num_layers),
                      logger='current')


def _find_backbone(model: nn.Module):
    """(blocks per stage of its ConvNeXt backbone, name prefix of the backbone's parameters);
    the model may be the backbone itself."""
    for backbone, prefix in ((getattr(model, 'backbone', None), 'backbone.'), (model, '')):
        stages = getattr(backbone, 'stages', None)
        if isinstance(getattr(backbone, 'downsample_layers', None), nn.ModuleList) \
                and isinstance(stages, nn.ModuleList) and len(stages) == 4:
            return [len(stage) for stage in stages], prefix
    backbone = getattr(model, 'backbone', model)
    raise TypeError(
        'LearningRateDecayOptimizerConstructor needs a ConvNeXt backbone with 4 stages and '
        "downsample_layers (type='mmconvnext.ConvNeXt' or mmpretrain's ConvNeXt); got "
        f'{type(backbone).__name__}')


def _format_groups(groups: dict, decay_rate, decay_type, num_layers) -> str:
    lines = [f'lr decay {decay_type}, decay_rate={decay_rate}, num_layers={num_layers}: '
             f'{len(groups)} parameter groups',
             f"{'group':<18}{'lr scale':>10}{'lr':>12}{'wd':>8}{'tensors':>9}{'params':>12}"]
    for key, g in groups.items():
        lines.append(f"{key:<18}{g['lr_scale']:>10.4g}{g['lr']:>12.4g}{g['weight_decay']:>8.3g}"
                     f"{len(g['params']):>9}{sum(p.numel() for p in g['params']):>12,}")
    return '\n'.join(lines)
