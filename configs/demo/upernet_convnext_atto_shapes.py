# The demo segmenter for machines without a GPU: upernet_convnext_t_shapes.py with
# ConvNeXt-atto (pretrained by convnext_atto_shapes_cls.py) and a 128-channel UPerHead.
_base_ = './upernet_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.1,
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto/backbone.pth')),
    decode_head=dict(in_channels=dims, channels=128),
    auxiliary_head=dict(in_channels=dims[2], channels=64))

