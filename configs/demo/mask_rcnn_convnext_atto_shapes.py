# The demo detector for machines without a GPU: mask_rcnn_convnext_t_shapes.py with
# ConvNeXt-atto (pretrained by convnext_atto_shapes_cls.py), a 64-channel FPN and heads, and a
# box head of 4 convolutions and 1 fc (the paper's Cascade Mask R-CNN box head; GroupNorm, as
# each process holds 1 image), measured on the held-out scenes against the 2-fc head: bbox AP
# 0.36 -> 0.55. Half of the 64 RoIs sampled per image positive (0.25 in the paper's config):
# the scenes hold at most 5 shapes, and with a quarter the box head sees too few of them to
# tell squares from circles (held-out AP50 0.725 -> 0.810, docs/benchmarks.md). For CPU time:
# the mask branch on 7x7 RoIs with 14x14 targets (14x14 and 28x28 in the paper's config; it
# runs on every positive RoI), RoIAlign with 2x2 samples per bin instead of an adaptive count
# (its CPU backward is a large part of an iteration), the RPN keeping 500 boxes per level
# before NMS and 500 proposals per image in training (2000 and 1000 in the paper's config; the
# scenes hold at most 5 shapes), and AdamW's multi-tensor step. The negative RoIs drawn evenly
# from IoU bins with the shapes (mmdet's IoUBalancedNegSampler, from Libra R-CNN) instead of at
# random, so that boxes around part of a shape, which the detector labelled triangle at high
# scores, are among the negatives it learns from: on the held-out scenes, boxes scoring 0.5 or
# more that match no shape 560 / 531 / 630 -> 375 / 372 / 472 (seeds 0 / 1 / 2), bbox AP
# 0.648 / 0.638 / 0.642 -> 0.662 / 0.643 / 0.639, AP50 0.839 / 0.853 / 0.855 -> 0.854 / 0.833 /
# 0.832 (docs/benchmarks.md). No drop path (0.4 in the paper's ConvNeXt-T config): 4 epochs
# from a backbone pretrained for 4 are too short for it to regularise anything (held-out AP50
# with seeds 0 / 1: 0.810 / 0.792 with drop path 0.1, 0.839 / 0.853 without). Multi-scale
# resizing without the paper's random-crop branch: a crop cuts shapes, and a cut shape keeps its
# label (a square's cut corner is labelled square but looks like a triangle); without it, on
# the held-out scenes, bbox AP / AP50 / segm AP with seeds 0 / 1 / 2 went from
# 0.662 / 0.854 / 0.646, 0.643 / 0.833 / 0.637, 0.639 / 0.832 / 0.627 to
# 0.675 / 0.869 / 0.690, 0.686 / 0.888 / 0.703, 0.724 / 0.904 / 0.717, and boxes scoring 0.5 or
# more that match no shape 375 / 372 / 472 -> 321 / 316 / 320 (docs/benchmarks.md).
_base_ = './mask_rcnn_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
width = 64
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.0,
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto_4ep/backbone.pth')),
    neck=dict(in_channels=dims, out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=width,
                                          roi_layer=dict(sampling_ratio=2)),
                  bbox_head=dict(type='Shared4Conv1FCBBoxHead', in_channels=width,
                                 conv_out_channels=width, fc_out_channels=512,
                                 norm_cfg=dict(type='GN', num_groups=16)),
                  mask_roi_extractor=dict(out_channels=width,
                                          roi_layer=dict(output_size=7, sampling_ratio=2)),
                  mask_head=dict(in_channels=width, conv_out_channels=width, roi_feat_size=7)),
    train_cfg=dict(rpn_proposal=dict(nms_pre=500, max_per_img=500),
                   rcnn=dict(sampler=dict(type='IoUBalancedNegSampler', pos_fraction=0.5),
                             mask_size=14)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomChoiceResize', scales={{_base_.multi_scale}}, keep_ratio=True),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(foreach=True))
