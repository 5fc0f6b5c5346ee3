from .convnext import ARCH_SETTINGS, ConvNeXt, ConvNeXtBlock, LayerNorm2d

__all__ = ['ARCH_SETTINGS', 'ConvNeXt', 'ConvNeXtBlock', 'LayerNorm2d']
