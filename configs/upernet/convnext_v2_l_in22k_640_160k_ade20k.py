# UperNet, ConvNeXt V2-L from the V2 authors' FCMAE + ImageNet-22K + 1K fine-tuned weights,
# 640x640 crops, 160k iterations, fp32: V1's ConvNeXt-L ImageNet-22K config with the V2 block
# (GRN, no layer scale; the V2 authors did not release a segmentation recipe). Paper numbers:
# metafile.yml.
_base_ = './convnext_l_in22k_640_160k_ade20k.py'
model = dict(
    backbone=dict(
        use_grn=True,
        layer_scale_init_value=0.,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im22k/convnextv2_large_22k_224_ema.pt')))
