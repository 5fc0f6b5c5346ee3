# UperNet, ConvNeXt-B (ImageNet-22K weights), 640x640 crops, 160k iterations, mixed precision.
# Paper, Table 4: mIoU 52.6 single-scale / 53.1 multi-scale (--tta); 122M params, 1828G FLOPs at 2560x640.
_base_ = [
    '../_base_/models/upernet_convnext.py',
    '../_base_/datasets/ade20k_640.py',
    '../_base_/schedules/adamw_poly_160k_ade20k.py',
    'mmseg::_base_/default_runtime.py',
]
crop_size = (640, 640)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        arch='base',
        drop_path_rate=0.4,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_base_22k_224.pth')),
    decode_head=dict(in_channels=[128, 256, 512, 1024]),
    auxiliary_head=dict(in_channels=512),
    test_cfg=dict(crop_size=crop_size, stride=(426, 426)))
optim_wrapper = dict(
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(num_layers=12))
