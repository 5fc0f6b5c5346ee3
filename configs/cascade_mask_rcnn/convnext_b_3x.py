# Cascade Mask R-CNN 3x, ConvNeXt-B (ImageNet-1K weights), mixed precision, multi-scale + crop training.
# Paper, Table 3: box AP 52.7, mask AP 45.6; 146M params, 964G FLOPs at 1280x800.
_base_ = [
    '../_base_/models/cascade_mask_rcnn_convnext_fpn.py',
    '../_base_/datasets/coco_instance_ms_crop.py',
    '../_base_/schedules/adamw_3x_coco.py',
]
model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.7,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_base_1k_224.pth')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
optim_wrapper = dict(
    optimizer=dict(lr=2e-4), paramwise_cfg=dict(decay_rate=0.8, num_layers=12))
