"""Helpers for comparing our backbone and constructor with mmdet's / mmseg's own ConvNeXt
recipe (``mmpretrain.ConvNeXt`` + their ``LearningRateDecayOptimizerConstructor``)."""
from mmconvnext.checkpoint.layouts import from_mmpretrain


def our_names(state_dict):
    """A model's state dict (or any dict keyed by parameter name) with mmpretrain's backbone
    names in ours."""
    backbone, _ = from_mmpretrain({k: v for k, v in state_dict.items()
                                   if k.startswith('backbone.')})
    state = {k: v for k, v in state_dict.items() if not k.startswith('backbone.')}
    state.update({'backbone.' + k: v for k, v in backbone.items()})
    return state


def per_parameter(model, optim_wrapper):
    """{parameter name (our names): (lr, weight decay)} of every trained parameter."""
    settings = {id(p): (round(g['lr'], 12), g['weight_decay'])
                for g in optim_wrapper.optimizer.param_groups for p in g['params']}
    return our_names({n: settings[id(p)] for n, p in model.named_parameters()
                      if p.requires_grad})

