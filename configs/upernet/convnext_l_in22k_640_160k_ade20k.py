# UperNet, ConvNeXt-L (ImageNet-22K weights), 640x640 crops, 160k iterations, fp32.
# Paper, Table 4: mIoU 53.2 single-scale / 53.7 multi-scale (--tta); 235M params, 2458G FLOPs at 2560x640.
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
        arch='large',
        drop_path_rate=0.4,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_large_22k_224.pth')),
    decode_head=dict(in_channels=[192, 384, 768, 1536]),
    auxiliary_head=dict(in_channels=768),
    test_cfg=dict(crop_size=crop_size, stride=(426, 426)))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(num_layers=12))
