# UperNet, ConvNeXt-T (ImageNet-1K weights), 512x512 crops, 160k iterations, mixed precision.
# Paper, Table 4: mIoU 46.0 single-scale / 46.7 multi-scale (--tta); 60M params, 939G FLOPs at 2048x512.
_base_ = [
    '../_base_/models/upernet_convnext.py',
    '../_base_/datasets/ade20k_512.py',
    '../_base_/schedules/adamw_poly_160k_ade20k.py',
    'mmseg::_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.4))
optim_wrapper = dict(
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(num_layers=6))
