# UperNet, ConvNeXt-S (ImageNet-1K weights), 512x512 crops, 160k iterations, mixed precision.
# Paper, Table 4: mIoU 48.7 single-scale / 49.6 multi-scale (--tta); 82M params, 1027G FLOPs at 2048x512.
_base_ = [
    '../_base_/models/upernet_convnext.py',
    '../_base_/datasets/ade20k_512.py',
    '../_base_/schedules/adamw_poly_160k_ade20k.py',
    'mmseg::_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.3,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_small_1k_224.pth')))
optim_wrapper = dict(
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(num_layers=12))
