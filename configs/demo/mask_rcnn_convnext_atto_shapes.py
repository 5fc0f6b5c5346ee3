# The demo detector for machines without a GPU: mask_rcnn_convnext_t_shapes.py with
# ConvNeXt-atto (pretrained by convnext_atto_shapes_cls.py) and a 128-channel FPN and heads.
_base_ = './mask_rcnn_convnext_t_shapes.py'
dims = [40, 80, 160, 320]
width = 128
model = dict(
    backbone=dict(arch='atto', drop_path_rate=0.1,
                  init_cfg=dict(checkpoint='work_dirs/demo_pretrain_atto/backbone.pth')),
    neck=dict(in_channels=dims, out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=width),
                  bbox_head=dict(in_channels=width, fc_out_channels=512),
                  mask_roi_extractor=dict(out_channels=width),
                  mask_head=dict(in_channels=width, conv_out_channels=width)))

