"""Building a config's model (on the meta device) and measuring it the paper's way."""
from typing import Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from .complexity import count_params, detector_flops, segmentor_flops


def load_model_config(config: str) -> Config:
    """The config, with the backbone's pretrained init switched off (nothing is fetched)."""
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    return cfg


def default_input_shape(cfg: Config) -> Tuple[int, int]:
    """(H, W) the paper counted at: 800x1280 for detection; for segmentation the long side
    of the test resize (2048 or 2560) by the crop size (512 or 640)."""
    if cfg.default_scope == 'mmdet':
        return 800, 1280
    crop = cfg.model.test_cfg.get('crop_size') or cfg.model.data_preprocessor.size
    return crop[0], 4 * crop[1]


def config_complexity(config: str, shape: Optional[Tuple[int, int]] = None) -> dict:
    """{'params': whole-model parameter count, 'flops': MACs at ``shape`` (default: as the
    paper), 'shape': (H, W)} for a detection or segmentation config."""
    cfg = load_model_config(config)
    shape = tuple(shape) if shape else default_input_shape(cfg)
    init_default_scope(cfg.default_scope)
    from mmengine.registry import MODELS
    with torch.device('meta'):
        model = MODELS.build(cfg.model).eval()
    count = detector_flops if hasattr(model, 'roi_head') else segmentor_flops
    return dict(params=count_params(model), flops=count(model, shape), shape=shape)
