# The demo detector (ARCH=t in tools/demo.sh): the paper's Mask R-CNN ConvNeXt-T 3x config on the
# demo's shapes, changed only where a small data set and machine need it (configs/demo/README.md).
_base_ = '../mask_rcnn/convnext_t_3x.py'

data_root = 'data/demo/coco/'
classes = ('circle', 'square', 'triangle')
metainfo = dict(classes=classes, palette=[(230, 25, 75), (60, 180, 75), (0, 130, 200)])
model = dict(
    backbone=dict(init_cfg=dict(checkpoint='work_dirs/demo_pretrain_t_4ep/backbone.pth')),
    roi_head=dict(bbox_head=dict(num_classes=len(classes)),
                  mask_head=dict(num_classes=len(classes))),
    train_cfg=dict(rcnn=dict(sampler=dict(num=64))))  # at most 5 shapes per scene

# the paper's augmentation at 0.3x its image sizes
multi_scale = [(400, short) for short in range(144, 241, 24)]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomChoice',
        transforms=[
            [dict(type='RandomChoiceResize', scales=multi_scale, keep_ratio=True)],
            [
                dict(type='RandomChoiceResize',
                     scales=[(400, 120), (400, 150), (400, 180)], keep_ratio=True),
                dict(type='RandomCrop', crop_type='absolute_range', crop_size=(115, 180),
                     allow_negative_crop=True),
                dict(type='RandomChoiceResize', scales=multi_scale, keep_ratio=True),
            ],
        ]),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(400, 240), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=1,  # per process: 2 images per iteration with the demo's 2 CPU processes
    num_workers=2,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=train_pipeline,
                 ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='train/')))
val_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=test_pipeline,
                 ann_file='annotations/instances_val.json', data_prefix=dict(img='val/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

# schedule: 4 epochs of the 896 training images, warm-up over the first 50 iterations, lr x0.1
# for the last epoch
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[3],
         gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=4e-4))
default_hooks = dict(logger=dict(interval=64), checkpoint=dict(interval=1, max_keep_ckpts=1))
# the same run each time (up to thread scheduling), like the generated data
randomness = dict(seed=0)
