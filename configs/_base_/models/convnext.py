# The ConvNeXt backbone every config uses, with the paper's settings for detection and
# segmentation (layer scale 1.0, official ImageNet-1K classification weights). Variants change
# arch, drop_path_rate and the checkpoint.
custom_imports = dict(imports=['mmconvnext'], allow_failed_imports=False)
convnext_backbone = dict(
    _delete_=True,
    type='mmconvnext.ConvNeXt',
    arch='tiny',
    out_indices=(0, 1, 2, 3),
    drop_path_rate=0.4,
    layer_scale_init_value=1.0,
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://dl.fbaipublicfiles.com/convnext/convnext_tiny_1k_224.pth'))
