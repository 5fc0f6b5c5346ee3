# UperNet, ConvNeXt-B (ImageNet-1K weights), 512x512 crops, 160k iterations, mixed precision.
# Paper, Table 4: mIoU 49.1 single-scale / 49.9 multi-scale (--tta); 122M params, 1170G FLOPs at 2048x512.
_base_ = [
    '../_base_/models/upernet_convnext.py',
    '../_base_/datasets/ade20k_512.py',
    '../_base_/schedules/adamw_poly_160k_ade20k.py',
    'mmseg::_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.4,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_base_1k_224.pth')),
    decode_head=dict(in_channels=[128, 256, 512, 1024]),
    auxiliary_head=dict(in_channels=512))
optim_wrapper = dict(
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(num_layers=12))
