# Cascade Mask R-CNN 3x, ConvNeXt-L (ImageNet-22K weights), fp32, multi-scale + crop training.
# Paper, Table 3: box AP 54.8, mask AP 47.6; 255M params, 1354G FLOPs at 1280x800.
_base_ = [
    '../_base_/models/cascade_mask_rcnn_convnext_fpn.py',
    '../_base_/datasets/coco_instance_ms_crop.py',
    '../_base_/schedules/adamw_3x_coco.py',
]
model = dict(
    backbone=dict(
        arch='large',
        drop_path_rate=0.7,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_large_22k_224.pth')),
    neck=dict(in_channels=[192, 384, 768, 1536]))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(decay_rate=0.7, num_layers=12))
