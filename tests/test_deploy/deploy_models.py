"""Small demo models for the ONNX tests, with random weights that make them predict: the
detectors' scoring and regression layers (and the V2 GRNs, the segmenter's classifier) drawn
wider than their init, so that RPN and RoI scores spread over (0, 1) and boxes move: every
image then has detections whose order is decided by clear score gaps, which the comparison
with PyTorch needs. The export must reproduce whatever weights it is given."""
import copy

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from mmconvnext.compat.cpu_fallbacks import fit_config_to_machine

DET_V1 = 'configs/demo/mask_rcnn_convnext_atto_shapes.py'
DET_V2 = 'configs/demo/mask_rcnn_convnext_atto_v2_shapes.py'
SEG_V2 = 'configs/demo/upernet_convnext_atto_v2_shapes.py'
CASCADE = 'configs/cascade_mask_rcnn/convnext_t_3x.py'
WIDE = ('rpn_cls', 'rpn_reg', 'fc_cls', 'fc_reg', 'conv_logits', 'conv_seg', '.grn.')
# fewer proposals than the configs' 1000: the same code path at a fraction of the time
FEW_PROPOSALS = {'model.test_cfg.rpn.nms_pre': 200, 'model.test_cfg.rpn.max_per_img': 100}


def cascade_atto_v2() -> Config:
    """The paper's Cascade Mask R-CNN config with a ConvNeXt-atto V2 backbone, 3 classes and
    narrow heads (the demo detector's widths)."""
    cfg = Config.fromfile(CASCADE)
    dims, width = [40, 80, 160, 320], 32
    cfg.model.backbone.update(arch='atto', use_grn=True, layer_scale_init_value=0.,
                              drop_path_rate=0., init_cfg=None)
    cfg.model.neck.update(in_channels=dims, out_channels=width)
    cfg.model.rpn_head.update(in_channels=width, feat_channels=width)
    roi = cfg.model.roi_head
    roi.bbox_roi_extractor.update(out_channels=width)
    roi.mask_roi_extractor.update(out_channels=width)
    for head in roi.bbox_head:
        head.update(in_channels=width, conv_out_channels=width, fc_out_channels=64,
                    num_classes=3, norm_cfg=dict(type='BN'))
    roi.mask_head.update(in_channels=width, conv_out_channels=width, num_classes=3)
    cfg.merge_from_dict(FEW_PROPOSALS)
    return cfg


def config(path_or_cfg) -> Config:
    cfg = Config.fromfile(path_or_cfg) if isinstance(path_or_cfg, str) else \
        copy.deepcopy(path_or_cfg)
    cfg.model.backbone.init_cfg = None
    if cfg.default_scope == 'mmdet':
        cfg.merge_from_dict(FEW_PROPOSALS)
    return cfg


def build_predicting(cfg: Config, seed: int = 0) -> torch.nn.Module:
    """The model of ``cfg`` in eval mode, random weights (seeded), predicting layers wide."""
    init_default_scope(cfg.default_scope)
    cfg = copy.deepcopy(cfg)
    fit_config_to_machine(cfg)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if any(key in name for key in WIDE):
                p.copy_(torch.randn(p.shape, generator=gen) * (0.05 if p.dim() > 1 else 0.3))
    return model.eval()


def save(model: torch.nn.Module, path) -> str:
    torch.save(dict(state_dict=model.state_dict()), str(path))
    return str(path)
