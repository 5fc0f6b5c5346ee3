"""From a config and its checkpoint to one ONNX file: which models export, the exportable
module of :mod:`.detector` / :mod:`.segmenter` (fp16 by :mod:`.fp16`), the export itself with
torch's TorchScript-based exporter, and checks of the written graph."""
import json
import os.path as osp
import warnings
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .host import default_canvas

OPSET = 17  # LayerNormalization (17); RoiAlign's half_pixel mode (16)
DETECTORS = ('MaskRCNN', 'CascadeRCNN')
SEGMENTERS = ('EncoderDecoder', )
# the ops the graphs are meant to have where a model has them
REQUIRED_OPS = dict(detector={'LayerNormalization', 'NonMaxSuppression', 'RoiAlign'},
                    segmenter={'LayerNormalization'})


def model_kind(cfg) -> str:
    """'detector' (Mask R-CNN, Cascade Mask R-CNN) or 'segmenter' (UperNet), or ValueError."""
    kind = cfg.model.get('type', '')
    kind = kind.split('.')[-1]
    if kind in DETECTORS:
        return 'detector'
    if kind in SEGMENTERS:
        return 'segmenter'
    raise ValueError(f'ONNX export supports Mask R-CNN, Cascade Mask R-CNN and UperNet '
                     f'configs (model.type in {DETECTORS + SEGMENTERS}), got model.type={kind!r}')


def _test_resize_scale(cfg):
    for step in cfg.test_dataloader.dataset.get('pipeline', []):
        if step.get('type', '').split('.')[-1] == 'Resize' and 'scale' in step:
            return step['scale']
    return None


def input_shape(cfg, kind: str, shape: Optional[Sequence[int]] = None) -> Tuple[int, int]:
    """The input size (H, W) the graph is traced at: ``shape`` if given, checked; else the
    detector's square canvas holding every test image (its test Resize scale, padded to 32;
    the detector's graph then takes any H and W), the segmenter's crop_size in 'slide' mode
    (its graph's fixed window)."""
    if shape is not None and (len(shape) != 2 or min(shape) <= 0):
        raise ValueError(f'--shape takes two positive integers H W, got {list(shape)}')
    test_cfg = cfg.model.get('test_cfg') or {}
    if kind == 'segmenter' and test_cfg.get('mode', 'whole') == 'slide':
        crop = tuple(test_cfg['crop_size'])
        if shape is not None and tuple(shape) != crop:
            raise ValueError(f'--shape {list(shape)}: this segmenter slides a '
                             f'{crop[0]}x{crop[1]} window (test_cfg.crop_size): its graph '
                             'takes one window; leave --shape out')
        return crop
    divisor = cfg.model.data_preprocessor.get('pad_size_divisor', 1) if kind == 'detector' \
        else 32
    if shape is None:
        scale = _test_resize_scale(cfg)
        if scale is None:
            raise ValueError('no Resize with a scale in the test pipeline: give --shape H W')
        return default_canvas(scale, divisor)
    if shape[0] % divisor or shape[1] % divisor:
        raise ValueError(f'--shape {list(shape)}: H and W must be multiples of {divisor} '
                         '(the size divisor the model pads to)')
    return tuple(int(v) for v in shape)


def load_model(cfg, checkpoint: str) -> nn.Module:
    """The config's model in eval mode with every weight of ``checkpoint``, strictly."""
    from mmengine.registry import MODELS, init_default_scope

    from mmconvnext.checkpoint import load_weights_strictly
    from mmconvnext.compat.cpu_fallbacks import fit_config_to_machine
    from mmconvnext.compat.safe_loading import use_safe_checkpoint_loading
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    fit_config_to_machine(cfg)  # SyncBN -> BN: torch's SyncBatchNorm has no CPU kernels
    cfg.model.backbone.init_cfg = None  # the checkpoint holds every weight
    model = MODELS.build(cfg.model)
    use_safe_checkpoint_loading()
    load_weights_strictly(model, checkpoint)
    return model.eval()


def exportable(model: nn.Module, kind: str, shape: Sequence[int], fp16: bool = False):
    """The module whose trace is the graph: the detector's test-time path, or the
    segmenter's on a window of ``shape``; with ``fp16``, the backbone (and a detector's neck)
    in fp16 with fp32 LayerNorm and GRN statistics."""
    from .detector import DetectorExport
    from .fp16 import HalfInput, half_with_fp32_norms
    from .segmenter import SegmenterExport
    if fp16:
        model.backbone = HalfInput(half_with_fp32_norms(model.backbone))
        if kind == 'detector' and getattr(model, 'with_neck', False):
            model.neck = HalfInput(model.neck.half())
    if kind == 'detector':
        return DetectorExport(model)
    return SegmenterExport(model, shape)


def export(module: nn.Module, kind: str, shape: Sequence[int], out: str,
           metadata: dict) -> None:
    """Trace ``module`` on a zero input of ``shape`` into the ONNX file ``out`` with
    ``metadata`` (what the host needs to run it) as the model's metadata_props.

    TorchScript-based exporter (``dynamo=False``): it traces mmdet's data-dependent test
    path (nonzero, NMS, per-level RoIAlign) as it ran, with torchvision's NMS and RoIAlign
    as ONNX ``NonMaxSuppression`` and ``RoiAlign``. The backbone's blocks take their plain
    PyTorch path when traced (:func:`mmconvnext.models.backbones.convnext.plan_for`)."""
    import onnx
    image = torch.zeros(1, 3, *shape)
    if kind == 'detector':
        h, w = shape
        args = (image, torch.tensor([h, w], dtype=torch.int64))
        names = dict(input_names=['image', 'img_shape'],
                     output_names=['boxes', 'scores', 'labels', 'masks'],
                     dynamic_axes={'image': {2: 'height', 3: 'width'},
                                   'boxes': {0: 'detections'}, 'scores': {0: 'detections'},
                                   'labels': {0: 'detections'}, 'masks': {0: 'detections'}})
    else:
        args = (image, )
        names = dict(input_names=['image'], output_names=['logits'])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer warnings: the trace is checked below
        torch.onnx.export(module, args, out, opset_version=OPSET, dynamo=False,
                          do_constant_folding=True, **names)
    graph = onnx.load(out)
    for key, value in metadata.items():
        graph.metadata_props.add(key=key, value=json.dumps(value))
    onnx.save(graph, out)
    check_graph(out, kind)


def graph_ops(path: str) -> set:
    """Op types of the graph at ``path`` (domain-qualified where not ONNX's own)."""
    import onnx
    return {(n.domain + '::' if n.domain not in ('', 'ai.onnx') else '') + n.op_type
            for n in onnx.load(path).graph.node}


def check_graph(path: str, kind: str) -> None:
    """The graph is valid ONNX, uses ONNX's own ops only, and has LayerNormalization (and a
    detector's NonMaxSuppression and RoiAlign) as single ops."""
    import onnx
    onnx.checker.check_model(path)
    ops = graph_ops(path)
    foreign = sorted(op for op in ops if '::' in op)
    if foreign:
        raise RuntimeError(f'{path}: ops outside ONNX: {foreign}')
    missing = REQUIRED_OPS[kind] - ops
    if missing:
        raise RuntimeError(f'{path}: the graph lacks {sorted(missing)}')


def export_onnx(config, checkpoint: str, out: str, shape: Optional[Sequence[int]] = None,
                fp16: bool = False) -> dict:
    """Export the model of ``config`` (a path or a Config) with ``checkpoint`` to ``out``;
    returns the metadata written with it."""
    from mmengine.config import Config
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    kind = model_kind(cfg)
    shape = input_shape(cfg, kind, shape)
    model = load_model(cfg, checkpoint)
    metadata = dict(kind=kind, shape=list(shape), fp16=fp16)
    if kind == 'detector':
        metadata['mask_thr_binary'] = float(cfg.model.test_cfg.rcnn.mask_thr_binary)
    else:
        metadata['test_cfg'] = dict(cfg.model.test_cfg)
        metadata['align_corners'] = bool(model.decode_head.align_corners)
    module = exportable(model, kind, shape, fp16)
    export(module, kind, shape, out, metadata)
    return metadata
