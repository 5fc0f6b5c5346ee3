"""Model complexity as the paper counted it."""
from .complexity import count_flops, count_params, detector_flops, segmentor_flops
from .config_complexity import config_complexity, default_input_shape, load_model_config

__all__ = [
    'count_flops', 'count_params', 'detector_flops', 'segmentor_flops', 'config_complexity',
    'default_input_shape', 'load_model_config'
]
