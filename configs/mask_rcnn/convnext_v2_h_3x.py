# Mask R-CNN 3x, ConvNeXt V2-H: convnext_v2_b_3x.py (the V2 paper's COCO recipe) in the Huge size.
_base_ = './convnext_v2_b_3x.py'
model = dict(
    backbone=dict(
        arch='huge',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_huge_1k_224_ema.pt')),
    neck=dict(in_channels=[352, 704, 1408, 2816]))
