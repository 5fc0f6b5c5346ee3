# The demo's pretraining (see convnext_t_shapes_cls.py) with the ConvNeXt V2 block (GRN, no
# layer scale) in the ConvNeXt-atto size: `ARCH=atto_v2 bash tools/demo.sh`. Half the V1 lr
# (why: configs/demo/README.md).
_base_ = './convnext_atto_shapes_cls.py'
model = dict(backbone=dict(use_grn=True, layer_scale_init_value=0.))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
