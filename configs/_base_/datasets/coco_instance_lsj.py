# COCO instance segmentation with large-scale jittering (the ConvNeXt V2 paper's COCO
# augmentation): resize to 1024x1024 x [0.1, 2.0], crop 1024x1024, flip; 32 images per
# iteration (4 x 8 GPUs; a config using it sets auto_scale_lr.base_batch_size=32).
_base_ = 'mmdet::_base_/datasets/coco_instance.py'

image_size = (1024, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.1, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=image_size,
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
