"""Reading checkpoints safely and converting foreign ConvNeXt layouts to ours."""
from .io import CheckpointError, load_any, load_checkpoint_file
from .layouts import (LAYOUTS, UnknownLayoutError, convert, convert_state_dict, detect_layout,
                      unwrap)
from .load import load_backbone_checkpoint, load_weights_strictly

__all__ = [
    'CheckpointError', 'load_any', 'load_checkpoint_file', 'LAYOUTS', 'UnknownLayoutError',
    'convert', 'convert_state_dict', 'detect_layout', 'unwrap', 'load_backbone_checkpoint',
    'load_weights_strictly'
]
