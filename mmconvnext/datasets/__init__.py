"""Datasets of the demo (loaded on demand through the DATASETS registry)."""
from .demo_data import CLASSES, SEG_CLASSES, make_demo_data
from .shapes import ShapesSegDataset

__all__ = ['CLASSES', 'SEG_CLASSES', 'make_demo_data', 'ShapesSegDataset']
