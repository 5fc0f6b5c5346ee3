from .cpu_autocast import CPUAutocastOptimWrapper
from .layer_decay import LearningRateDecayOptimizerConstructor

__all__ = ['CPUAutocastOptimWrapper', 'LearningRateDecayOptimizerConstructor']
