# The CPU demo segmenter: upernet_convnext_t_shapes.py with ConvNeXt-atto, a 128-channel UPerHead
# and bf16 autocast (`bash tools/demo.sh seg` without a GPU; configs/demo/README.md).
_base_ = './upernet_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.0,  # as the CPU demo detector
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto_seg_12ep/backbone.pth')),
    decode_head=dict(in_channels=dims, channels=128),
    auxiliary_head=dict(in_channels=dims[2], channels=64))
# bf16 autocast on CPU (mmconvnext.CPUAutocastOptimWrapper): faster at the same mIoU
optim_wrapper = dict(dtype='bfloat16')
