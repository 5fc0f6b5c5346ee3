# The CPU demo detector: mask_rcnn_convnext_t_shapes.py with ConvNeXt-atto and narrower, cheaper
# heads (ARCH=atto in tools/demo.sh); each departure from the paper's config and why:
# configs/demo/README.md.
_base_ = './mask_rcnn_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
width = 64
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.0,  # too short a schedule for drop path
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto_4ep/backbone.pth')),
    neck=dict(in_channels=dims, out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=width,
                                          roi_layer=dict(sampling_ratio=2)),  # CPU time
                  bbox_head=dict(type='Shared4Conv1FCBBoxHead', in_channels=width,
                                 conv_out_channels=width, fc_out_channels=512,
                                 norm_cfg=dict(type='GN', num_groups=16)),  # 1 image per process
                  mask_roi_extractor=dict(out_channels=width,
                                          roi_layer=dict(output_size=7, sampling_ratio=2)),
                  mask_head=dict(in_channels=width, conv_out_channels=width, roi_feat_size=7)),
    train_cfg=dict(rpn_proposal=dict(nms_pre=500, max_per_img=500),  # at most 5 shapes
                   rcnn=dict(sampler=dict(type='mmconvnext.IoUBalancedNegSampler',
                                          pos_fraction=0.5),
                             mask_size=14)))
# the paper's multi-scale resizing without its random crop, whose cut shapes keep their labels
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomChoiceResize', scales={{_base_.multi_scale}}, keep_ratio=True),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(foreach=True))  # AdamW's multi-tensor step: CPU time
