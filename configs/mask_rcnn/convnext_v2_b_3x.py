# Mask R-CNN 3x, ConvNeXt V2-B (FCMAE, then ImageNet-1K fine-tuned weights), mixed precision: the
# ConvNeXt V2 paper's COCO recipe (Table 6, appendix A.3), large-scale jittering at 1024,
# soft-NMS at test. Paper numbers: metafile.yml.
_base_ = [
    '../_base_/models/mask_rcnn_convnext_fpn.py',
    '../_base_/datasets/coco_instance_lsj.py',
    '../_base_/schedules/adamw_3x_coco.py',
]
model = dict(
    backbone=dict(
        arch='base',
        use_grn=True,
        layer_scale_init_value=0.,
        drop_path_rate=0.4,  # the paper sweeps 0.2-0.5 without naming its choice
        # the fine-tuned weights; the FCMAE-only ones (pt_only/convnextv2_*_fcmae.pt) load too
        init_cfg=dict(checkpoint='https://dl.fbaipublicfiles.com/convnext/convnextv2/im1k/convnextv2_base_1k_224_ema.pt')),
    neck=dict(in_channels=[128, 256, 512, 1024]),
    test_cfg=dict(rcnn=dict(nms=dict(type='soft_nms', iou_threshold=0.5))))
optim_wrapper = dict(
    # layer decay: the paper sweeps {0.9, 0.95} without naming its choice
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(decay_rate=0.95, num_layers=12))
auto_scale_lr = dict(base_batch_size=32)  # 4 images x 8 GPUs
