from .hooks import AtomicCheckpointHook, RNGStateHook, SafeCheckpointLoadingHook
from .optimizers import CPUAutocastOptimWrapper, LearningRateDecayOptimizerConstructor

__all__ = ['AtomicCheckpointHook', 'CPUAutocastOptimWrapper',
           'LearningRateDecayOptimizerConstructor', 'RNGStateHook', 'SafeCheckpointLoadingHook']
