"""Inference with our configs and checkpoints through the stack's own inferencers."""
from .inference import build_inferencer

__all__ = ['build_inferencer']
