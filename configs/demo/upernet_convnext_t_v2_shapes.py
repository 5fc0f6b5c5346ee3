# The demo segmenter (upernet_convnext_t_shapes.py) with the ConvNeXt V2 block, fine-tuned
# from the V2 backbone that convnext_t_v2_shapes_cls.py pretrains.
_base_ = './upernet_convnext_t_shapes.py'
model = dict(backbone=dict(
    use_grn=True, layer_scale_init_value=0.,
    init_cfg=dict(checkpoint='work_dirs/demo_pretrain_t_v2_12ep/backbone.pth')))
