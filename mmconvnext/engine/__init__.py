from .optimizers import LearningRateDecayOptimizerConstructor

__all__ = ['LearningRateDecayOptimizerConstructor']
