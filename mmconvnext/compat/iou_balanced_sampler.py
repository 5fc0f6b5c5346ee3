"""mmdet's IoUBalancedNegSampler without the state its first call changes.

Needed for mmdet 3.3, whose sampler sets ``floor_thr`` from -1 to 0 inside its first call (for
its interval arithmetic): a run's first iteration samples negatives otherwise than every later
one, and a resumed run's first iteration otherwise than the uninterrupted run's. Reaches into
nothing (a subclass); can go when mmdet keeps ``floor_thr`` as given.
"""
from mmdet.models.task_modules.samplers import \
    IoUBalancedNegSampler as MMDetIoUBalancedNegSampler

from mmconvnext.registry import TASK_UTILS


@TASK_UTILS.register_module()
class IoUBalancedNegSampler(MMDetIoUBalancedNegSampler):
    """``floor_thr=-1`` taken as 0 from the start, as mmdet's sampler has it from its second
    call on: negatives of IoU 0 fill up after those drawn across the IoU bins."""

    def __init__(self, *args, floor_thr: float = -1, **kwargs):
        super().__init__(*args, floor_thr=max(floor_thr, 0), **kwargs)
