# Cascade Mask R-CNN 3x, ConvNeXt-S (ImageNet-1K weights), mixed precision, multi-scale + crop training.
# Paper, Table 3: box AP 51.9, mask AP 45.0; 108M params, 827G FLOPs at 1280x800.
_base_ = [
    '../_base_/models/cascade_mask_rcnn_convnext_fpn.py',
    '../_base_/datasets/coco_instance_ms_crop.py',
    '../_base_/schedules/adamw_3x_coco.py',
]
model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.6,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_small_1k_224.pth')))
optim_wrapper = dict(
    optimizer=dict(lr=2e-4), paramwise_cfg=dict(decay_rate=0.7, num_layers=12))
