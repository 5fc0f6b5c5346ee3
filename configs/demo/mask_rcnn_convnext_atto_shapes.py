# The demo detector for machines without a GPU: mask_rcnn_convnext_t_shapes.py with
# ConvNeXt-atto (pretrained by convnext_atto_shapes_cls.py), a 64-channel FPN and heads, and a
# box head of 4 convolutions and 1 fc (the paper's Cascade Mask R-CNN box head; GroupNorm, as
# each process holds 1 image), measured on the held-out scenes against the 2-fc head: bbox AP
# 0.36 -> 0.55. For CPU time: RoIAlign with 2x2 samples per bin instead of an adaptive count (its
# CPU backward is a large part of an iteration), the RPN keeping 1000 boxes per level before
# NMS in training as at test time (2000 in the paper's config), and AdamW's multi-tensor step.
# Measured in one process on one thread, with the narrower heads: 0.38 -> 0.25 s per image.
_base_ = './mask_rcnn_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
width = 64
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.1,
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto/backbone.pth')),
    neck=dict(in_channels=dims, out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=width,
                                          roi_layer=dict(sampling_ratio=2)),
                  bbox_head=dict(type='Shared4Conv1FCBBoxHead', in_channels=width,
                                 conv_out_channels=width, fc_out_channels=512,
                                 norm_cfg=dict(type='GN', num_groups=16)),
                  mask_roi_extractor=dict(out_channels=width,
                                          roi_layer=dict(sampling_ratio=2)),
                  mask_head=dict(in_channels=width, conv_out_channels=width)),
    train_cfg=dict(rpn_proposal=dict(nms_pre=1000)))
optim_wrapper = dict(optimizer=dict(foreach=True))
