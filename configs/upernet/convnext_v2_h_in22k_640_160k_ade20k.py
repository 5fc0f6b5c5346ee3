# UperNet, ConvNeXt V2-H (FCMAE + ImageNet-22K + 1K fine-tuned weights), 640x640 crops, 160k
# iterations, fp32: the V2 paper's "FCMAE, 22K ft" row of Table 7 on V1's ImageNet-22K 640 recipe
# with the V2 block. Paper numbers: metafile.yml.
_base_ = './convnext_l_in22k_640_160k_ade20k.py'
dims = [352, 704, 1408, 2816]
model = dict(
    backbone=dict(
        arch='huge',
        use_grn=True,
        layer_scale_init_value=0.,
        # the 384-pixel file: there is no 224 one
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im22k/convnextv2_huge_22k_384_ema.pt')),
    decode_head=dict(in_channels=dims),
    auxiliary_head=dict(in_channels=dims[2]))
