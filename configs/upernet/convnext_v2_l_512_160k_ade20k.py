# UperNet, ConvNeXt V2-L: convnext_v2_b_512_160k_ade20k.py in the Large size, fp32 (V1's L recipe).
_base_ = './convnext_v2_b_512_160k_ade20k.py'
dims = [192, 384, 768, 1536]
model = dict(
    backbone=dict(
        arch='large',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_large_1k_224_ema.pt')),
    decode_head=dict(in_channels=dims),
    auxiliary_head=dict(in_channels=dims[2]))
optim_wrapper = dict(type='OptimWrapper')
