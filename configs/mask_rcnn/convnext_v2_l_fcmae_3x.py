# Mask R-CNN 3x, ConvNeXt V2-L from the FCMAE weights, fp32: convnext_v2_b_fcmae_3x.py with the
# ConvNeXt-L Cascade 3x config's lr, layer decay and precision (V1's recipe for L).
_base_ = './convnext_v2_b_fcmae_3x.py'
model = dict(
    backbone=dict(
        arch='large',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/pt_only/convnextv2_large_1k_224_fcmae.pt')),
    neck=dict(in_channels=[192, 384, 768, 1536]))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(decay_rate=0.7))
