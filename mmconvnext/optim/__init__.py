"""Layer-wise learning-rate decay for ConvNeXt backbones (the paper's fine-tuning recipe)."""
from .layer_decay import LearningRateDecayOptimizerConstructor

__all__ = ['LearningRateDecayOptimizerConstructor']
