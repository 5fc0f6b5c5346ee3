# The paper's ADE20K recipe: AdamW with stage-wise lr decay 0.9, mixed precision, 160k
# iterations, linear warm-up over 1500 iterations from 1e-6, then poly (power 1) down to 0.
# 16 images per iteration (2 x 8 GPUs).
_base_ = 'mmseg::_base_/schedules/schedule_160k.py'

optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    constructor='mmconvnext.LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.9, decay_type='stage_wise', num_layers=6),
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=1.0, begin=1500, end=160000, eta_min=0.0, by_epoch=False),
]
auto_scale_lr = dict(enable=False, base_batch_size=16)

# resume: checkpoints and last_checkpoint always whole (mmconvnext.AtomicCheckpointHook),
# mmengine's own checkpoints readable on torch >= 2.6 (mmconvnext.SafeCheckpointLoadingHook),
# RNG states in every checkpoint so that a resumed run goes on exactly (mmconvnext.RNGStateHook)
default_hooks = dict(checkpoint=dict(type='mmconvnext.AtomicCheckpointHook'))
custom_hooks = [dict(type='mmconvnext.SafeCheckpointLoadingHook'),
                dict(type='mmconvnext.RNGStateHook')]
