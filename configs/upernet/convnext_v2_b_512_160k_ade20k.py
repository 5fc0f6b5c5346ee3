# UperNet, ConvNeXt V2-B (FCMAE, then ImageNet-1K fine-tuned weights; the V2 paper's appendix A.4),
# 512x512 crops, 160k iterations, mixed precision: V1's ConvNeXt-B config with the V2 block (GRN,
# no layer scale). Paper numbers (a 5-scale test): metafile.yml.
_base_ = './convnext_b_512_160k_ade20k.py'
# V1's lr 1e-4, layer decay 0.9 and drop path 0.4 (from _base_) lie in the paper's sweeps
model = dict(
    backbone=dict(
        use_grn=True,
        layer_scale_init_value=0.,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_base_1k_224_ema.pt')))
