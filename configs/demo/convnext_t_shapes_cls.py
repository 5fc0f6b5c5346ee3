# The demo's pretraining, the paper's ImageNet step in miniature: our ConvNeXt in mmpretrain's
# ImageClassifier on the demo's classification images, the backbone the demo's detector and
# segmenter start from (tools/demo.sh; configs/demo/README.md).
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmconvnext'], allow_failed_imports=False)

data_root = 'data/demo/cls/'
classes = ('background', 'circle', 'square', 'triangle')
model = dict(
    type='ImageClassifier',
    backbone=dict(type='mmconvnext.ConvNeXt', arch='tiny', out_indices=(3, ),
                  drop_path_rate=0.0),  # a few epochs: nothing to regularise yet
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=len(classes), in_channels=768,
              loss=dict(type='CrossEntropyLoss')))
# the detectors' and segmenters' normalisation
data_preprocessor = dict(num_classes=len(classes), mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
dataset = dict(type='CustomDataset', data_root=data_root, metainfo=dict(classes=classes))
train_dataloader = dict(
    batch_size=32,  # per process
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, data_prefix='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, data_prefix='val', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

# the paper's ImageNet recipe, shortened: AdamW, linear warm-up, cosine decay (lr for 64 images)
max_epochs = 4
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=25),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs, eta_min=1e-5,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='mmconvnext.AtomicCheckpointHook', interval=max_epochs,
                                     max_keep_ckpts=1))
custom_hooks = [dict(type='mmconvnext.SafeCheckpointLoadingHook')]
# the same run each time (up to thread scheduling), like the generated data
randomness = dict(seed=0)
