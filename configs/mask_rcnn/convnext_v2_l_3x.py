# Mask R-CNN 3x, ConvNeXt V2-L: convnext_v2_b_3x.py (the V2 paper's COCO recipe) in the Large size.
_base_ = './convnext_v2_b_3x.py'
model = dict(
    backbone=dict(
        arch='large',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_large_1k_224_ema.pt')),
    neck=dict(in_channels=[192, 384, 768, 1536]))
