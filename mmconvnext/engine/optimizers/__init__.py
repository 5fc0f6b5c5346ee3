from .layer_decay import LearningRateDecayOptimizerConstructor

__all__ = ['LearningRateDecayOptimizerConstructor']
