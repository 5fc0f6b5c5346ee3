# Cascade Mask R-CNN 3x, ConvNeXt-XL (ImageNet-22K weights), fp32, multi-scale + crop training.
# Paper, Table 3: box AP 55.2, mask AP 47.7; 407M params, 1898G FLOPs at 1280x800.
_base_ = [
    '../_base_/models/cascade_mask_rcnn_convnext_fpn.py',
    '../_base_/datasets/coco_instance_ms_crop.py',
    '../_base_/schedules/adamw_3x_coco.py',
]
model = dict(
    backbone=dict(
        arch='xlarge',
        drop_path_rate=0.8,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_xlarge_22k_224.pth')),
    neck=dict(in_channels=[256, 512, 1024, 2048]))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(decay_rate=0.7, num_layers=12))
