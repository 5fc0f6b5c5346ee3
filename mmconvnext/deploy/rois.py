"""Traceable stand-ins for mmdet's test-time box operations, with mmdet's and mmcv's semantics:
the class-aware NMS of ``mmcv.ops.batched_nms`` (torchvision's nms, exported as ONNX
``NonMaxSuppression``) and the FPN RoI extractor of ``SingleRoIExtractor`` (torchvision's
roi_align, exported as ONNX ``RoiAlign``). mmdet's own versions branch on data (empty inputs,
per-level loops guarded by ``numel() > 0``), which a trace would freeze to the example's path."""
import torch
from torchvision.ops import nms, roi_align


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor,
                iou_threshold: float) -> torch.Tensor:
    """Indices kept by NMS within each ``idxs`` group, by decreasing score: mmcv's
    ``batched_nms`` (boxes offset by group id times the largest coordinate + 1). Boxes are
    clipped to the image, so their largest coordinate is at least 0, which the 0 appended
    here keeps defined for an empty set."""
    largest = torch.cat([boxes.reshape(-1), boxes.new_zeros(1)]).max()
    shifted = boxes + (idxs.to(boxes) * (largest + 1))[:, None]
    return nms(shifted, scores, iou_threshold)


def nms_iou(nms_cfg) -> float:
    """The IoU threshold of an mmdet ``nms`` config; other kinds (soft-NMS) have no ONNX op."""
    kind = nms_cfg.get('type', 'nms')
    if kind != 'nms':
        raise ValueError(f"ONNX export supports nms=dict(type='nms', ...), got type={kind!r}")
    return float(nms_cfg['iou_threshold'])


def extract_rois(extractor, feats, rois: torch.Tensor) -> torch.Tensor:
    """``SingleRoIExtractor(feats, rois)``: each RoI pooled by RoIAlign from the FPN level its
    size maps to (the extractor's own ``map_roi_levels``), with the extractor's RoIAlign
    settings. rois (K, 5): batch index, x1, y1, x2, y2."""
    layers = extractor.roi_layers
    feats = feats[:len(layers)]
    out = feats[0].new_zeros(rois.shape[0], extractor.out_channels, *layers[0].output_size)
    levels = extractor.map_roi_levels(rois, len(feats))
    for i, (feat, layer) in enumerate(zip(feats, layers)):
        if getattr(layer, 'pool_mode', 'avg') != 'avg':
            raise ValueError(f"ONNX export: RoIAlign pool_mode must be 'avg', got "
                             f'{layer.pool_mode!r}')
        inds = torch.nonzero(levels == i).squeeze(1)
        pooled = roi_align(feat, rois[inds], layer.output_size, layer.spatial_scale,
                           layer.sampling_ratio, layer.aligned)
        out = out.index_put((inds, ), pooled)
    return out
