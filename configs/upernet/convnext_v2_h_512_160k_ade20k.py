# UperNet, ConvNeXt V2-H: convnext_v2_l_512_160k_ade20k.py in the Huge size.
_base_ = './convnext_v2_l_512_160k_ade20k.py'
dims = [352, 704, 1408, 2816]
model = dict(
    backbone=dict(
        arch='huge',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_huge_1k_224_ema.pt')),
    decode_head=dict(in_channels=dims),
    auxiliary_head=dict(in_channels=dims[2]))
