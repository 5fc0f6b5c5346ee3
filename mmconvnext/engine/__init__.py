from .hooks import RNGStateHook
from .optimizers import CPUAutocastOptimWrapper, LearningRateDecayOptimizerConstructor

__all__ = ['CPUAutocastOptimWrapper', 'LearningRateDecayOptimizerConstructor', 'RNGStateHook']
