# UperNet, ConvNeXt V2-B (FCMAE, then ImageNet-1K fine-tuned weights, as the V2 paper's appendix
# A.4), 512x512 crops, 160k iterations of 16 images, mixed precision: V1's ConvNeXt-B config with
# the V2 block (GRN, no layer scale). The paper sweeps lr {1e-4..3e-4}, layer decay {0.8, 0.9}
# and drop path {0.1..0.4} without saying which it kept: V1's 1e-4, 0.9 and 0.4 lie in them. It
# reports mIoU of a 5-scale test (0.75..1.25 of 2048x512). Paper numbers: metafile.yml.
_base_ = './convnext_b_512_160k_ade20k.py'
model = dict(
    backbone=dict(
        use_grn=True,
        layer_scale_init_value=0.,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_base_1k_224_ema.pt')))
