# UperNet, ConvNeXt V2-H (FCMAE + ImageNet-22K + 1K fine-tuned weights, the 384-pixel file: there
# is no 224 one), 640x640 crops, 160k iterations, fp32: V2-L's recipe (V1 has no H size).
_base_ = './convnext_v2_l_in22k_640_160k_ade20k.py'
dims = [352, 704, 1408, 2816]
model = dict(
    backbone=dict(
        arch='huge',
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im22k/convnextv2_huge_22k_384_ema.pt')),
    decode_head=dict(in_channels=dims),
    auxiliary_head=dict(in_channels=dims[2]))
