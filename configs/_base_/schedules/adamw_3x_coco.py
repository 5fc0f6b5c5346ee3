# The paper's COCO recipe: AdamW with layer-wise lr decay, mixed precision, 36 epochs (lr x0.1 at
# 27 and 33), 500-iteration warm-up; 16 images per iteration (`--auto-scale-lr` for another
# batch). On mmdet's runtime, whose default_hooks the hooks below override.
_base_ = ['mmdet::_base_/schedules/schedule_1x.py', 'mmdet::_base_/default_runtime.py']

max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[27, 33],
         gamma=0.1),
]
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='mmconvnext.LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.7, decay_type='layer_wise', num_layers=6),
    optimizer=dict(
        _delete_=True, type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05))
auto_scale_lr = dict(enable=False, base_batch_size=16)

# resume: checkpoints and last_checkpoint always whole (mmconvnext.AtomicCheckpointHook),
# mmengine's own checkpoints readable on torch >= 2.6 (mmconvnext.SafeCheckpointLoadingHook),
# RNG states in every checkpoint so that a resumed run goes on exactly (mmconvnext.RNGStateHook)
default_hooks = dict(checkpoint=dict(type='mmconvnext.AtomicCheckpointHook'))
custom_hooks = [dict(type='mmconvnext.SafeCheckpointLoadingHook'),
                dict(type='mmconvnext.RNGStateHook')]
