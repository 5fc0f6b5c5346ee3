# The demo's pretraining (see convnext_t_shapes_cls.py) with ConvNeXt-atto, for machines
# without a GPU.
_base_ = './convnext_t_shapes_cls.py'
model = dict(backbone=dict(arch='atto'), head=dict(in_channels=320))
