# The demo segmenter for machines without a GPU: upernet_convnext_t_shapes.py with
# ConvNeXt-atto (pretrained by convnext_atto_seg_shapes_cls.py: layer scale from 1.0), a
# 128-channel UPerHead, and bf16 autocast (mmconvnext.CPUAutocastOptimWrapper without a GPU).
# No drop path (0.4 in the paper's ConvNeXt-T config), as in the demo detector: from the 8-epoch
# backbone with seed 1, held-out mIoU 65.0 with drop path 0.1, 68.4 without (docs/benchmarks.md).
_base_ = './upernet_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.0,
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto_seg_12ep/backbone.pth')),
    decode_head=dict(in_channels=dims, channels=128),
    auxiliary_head=dict(in_channels=dims[2], channels=64))
# bf16: 0.24 s per iteration instead of 0.31 here (2 processes, 4 images), the same held-out
# mIoU at 1600 iterations (33.0 against 32.5, training scales 0.5-2.0; docs/benchmarks.md)
optim_wrapper = dict(dtype='bfloat16')
