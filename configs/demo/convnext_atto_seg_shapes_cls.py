# Pretraining of the CPU demo segmenter's backbone (`bash tools/demo.sh seg`): ConvNeXt-atto
# with layer scale from 1.0 and half the lr; why: configs/demo/README.md.
_base_ = './convnext_atto_shapes_cls.py'
model = dict(backbone=dict(layer_scale_init_value=1.0))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
