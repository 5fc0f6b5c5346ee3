# The demo segmenter (`ARCH=t bash tools/demo.sh seg`): the paper's UperNet ConvNeXt-T config on
# the demo's shapes, changed only where a small data set and machine need it
# (configs/demo/README.md).
_base_ = '../upernet/convnext_t_512_160k_ade20k.py'

data_root = 'data/demo/ade/'
# mmseg's BaseSegDataset on ADE20K's layout (.jpg images, .png maps, 0 = unlabeled) with the
# demo's classes (those mmconvnext/testing/demo_data.py writes)
dataset = dict(
    type='BaseSegDataset',
    data_root=data_root,
    reduce_zero_label=True,
    metainfo=dict(classes=('background', 'circle', 'square', 'triangle'),
                  palette=[[120, 120, 120], [230, 25, 75], [60, 180, 75], [0, 130, 200]]))
num_classes = 4
crop_size = (128, 128)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(init_cfg=dict(checkpoint='work_dirs/demo_pretrain_t_12ep/backbone.pth')),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes),
    test_cfg=dict(crop_size=crop_size, stride=(85, 85)))

# the paper's augmentation at 0.25x its image sizes, scales 0.5-1.0 instead of 0.5-2.0: at 2x
# the 128x128 crop cuts most shapes, and whole shapes are what tells them apart
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=(512, 128), ratio_range=(0.5, 1.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(512, 128), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=2,  # per process: 4 images per iteration with the demo's 2 CPU processes
    num_workers=2,
    dataset=dict(dataset, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(dataset, pipeline=test_pipeline))
test_dataloader = val_dataloader

# schedule: 8000 iterations, warm-up 100, then poly to 0 (which shape a pixel belongs to is
# what the segmenter learns last)
max_iters = 8000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=100),
    dict(type='PolyLR', power=1.0, begin=100, end=max_iters, eta_min=0.0, by_epoch=False),
]
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1),
    visualization=dict(interval=1))
# the same run each time (up to thread scheduling), like the generated data
randomness = dict(seed=0)
