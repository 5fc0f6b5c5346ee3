# Mask R-CNN 3x, ConvNeXt V2-B from the FCMAE self-supervised ImageNet-1K weights (converted on
# load), mixed precision, multi-scale + crop training. The V2 block (GRN, no layer scale); the rest
# is V1's recipe, the Mask R-CNN-T config's with the ConvNeXt-B Cascade 3x config's drop path, lr
# and layer decay (the V2 authors did not release a detection recipe). Paper numbers: metafile.yml.
_base_ = './convnext_t_3x.py'
model = dict(
    backbone=dict(
        arch='base',
        use_grn=True,
        layer_scale_init_value=0.,
        drop_path_rate=0.7,
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/pt_only/convnextv2_base_1k_224_fcmae.pt')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
optim_wrapper = dict(
    optimizer=dict(lr=2e-4), paramwise_cfg=dict(decay_rate=0.8, num_layers=12))
