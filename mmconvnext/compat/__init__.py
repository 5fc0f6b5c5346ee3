"""Workarounds for the installed stack, in one place. Each module states in its first lines
which package versions need it, what it reaches into and what would let it go. Importing this
package registers the hooks and the optimizer wrapper (the sampler, which needs mmdet, when
a config names it); nothing is patched until a tool, a config or a program asks for it.

module                needed for (the versions setup.py allows)      reaches into
atomic_files          mmengine 0.10 writes files with a plain open()  public backend registry
atomic_checkpoint     mmengine 0.10 CheckpointHook: write, rotation   runner._work_dir
rng_state             mmengine 0.10 checkpoints hold only the seed    CheckpointHook's save rule
safe_loading          torch >= 2.6 under mmengine 0.10's torch.load   public loader registry
bf16_boxes            mmcv 2.1 ops, mmdet 3.3 priors under bf16       mock.patch of mmcv, mmdet
iou_balanced_sampler  mmdet 3.3 sampler changes in its first call     nothing (a subclass)
cpu_autocast          mmengine 0.10 AmpOptimWrapper asserts a GPU     public wrapper registry
cpu_fallbacks         GPU-only recipe parts (AMP, NCCL, SyncBN)       the config only
stack_notices         setuptools >= 67, mmengine 0.10 log notices     warning / log filters
"""
from .atomic_checkpoint import AtomicCheckpointHook
from .cpu_autocast import CPUAutocastOptimWrapper
from .rng_state import RNGStateHook
from .safe_loading import SafeCheckpointLoadingHook

__all__ = ['AtomicCheckpointHook', 'CPUAutocastOptimWrapper', 'RNGStateHook',
           'SafeCheckpointLoadingHook']
