# Mask R-CNN 3x, ConvNeXt V2-H from the FCMAE weights, fp32: V2-L's recipe (V1 has no H size).
_base_ = './convnext_v2_l_fcmae_3x.py'
model = dict(
    backbone=dict(
        arch='huge',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/pt_only/convnextv2_huge_1k_224_fcmae.pt')),
    neck=dict(in_channels=[352, 704, 1408, 2816]))
