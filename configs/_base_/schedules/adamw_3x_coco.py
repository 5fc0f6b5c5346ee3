# The paper's COCO recipe: AdamW with layer-wise lr decay, mixed precision, 36 epochs with the
# lr x0.1 at 27 and 33, linear warm-up over 500 iterations from 0.001. 16 images per iteration
# (2 x 8 GPUs); `--auto-scale-lr` scales the lr for another total batch. With mmdet's runtime
# (hooks, logging, environment), so that the hooks below override its default_hooks.
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
