"""Helpers for comparing our backbone and constructor with mmdet's / mmseg's own ConvNeXt
recipe (``mmpretrain.ConvNeXt`` + their ``LearningRateDecayOptimizerConstructor``)."""
import torch
from mmengine.structures import PixelData

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


def seg_batch(num_classes, shape=(128, 128), batch=2):
    """An mmseg data batch of random images and label maps."""
    from mmseg.structures import SegDataSample
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(torch.randint(0, 255, (3, *shape), generator=gen, dtype=torch.uint8))
        sample = SegDataSample(metainfo=dict(img_shape=shape, ori_shape=shape, pad_shape=shape))
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, *shape), generator=gen))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def few_rois(cfg, num=64):
    """A detector config whose RoI heads sample ``num`` RoIs per image in training instead of
    512 (each stage of a cascade): the same code paths, a fraction of the 4-conv heads' work."""
    rcnn = cfg.model.get('train_cfg', {}).get('rcnn')
    for stage in (rcnn if isinstance(rcnn, list) else [rcnn] if rcnn else []):
        stage.sampler.num = num
    return cfg
