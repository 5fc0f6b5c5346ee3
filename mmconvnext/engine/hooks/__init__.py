from .atomic_checkpoint import AtomicCheckpointHook
from .rng_state import RNGStateHook
from .safe_loading import SafeCheckpointLoadingHook

__all__ = ['AtomicCheckpointHook', 'RNGStateHook', 'SafeCheckpointLoadingHook']
