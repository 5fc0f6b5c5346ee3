"""The test-time path of an mmdet two-stage detector (Mask R-CNN, Cascade Mask R-CNN) as one
traceable module for ONNX export: the detector's own modules and weights, its box coders and
test_cfg, rewritten where mmdet's test code loops over images or branches on data.

Input: one image (1, 3, H, W), normalised and padded as mmdet's data preprocessor pads it (H
and W are dynamic: the anchors are computed in the graph from the feature maps' sizes), and
the (height, width) of its unpadded part (the boxes are clipped to it, as mmdet clips them to
``img_shape``). Output, in the input's pixel coordinates, by decreasing score: boxes (N, 4),
scores (N, ), labels (N, ), and each box's mask probabilities (N, M, M) for its label; rescaling
to the original image and pasting the masks are left to the host (:mod:`.host`).
"""
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
from mmdet.models.task_modules.coders.delta_xywh_bbox_coder import delta2bbox

from .rois import batched_nms, extract_rois, nms_iou

STANDARD, CASCADE = 'StandardRoIHead', 'CascadeRoIHead'


def _check(condition: bool, what: str, value) -> None:
    if not condition:
        raise ValueError(f'ONNX export of a two-stage detector: {what}, got {value!r}')


def decode(coder, priors: torch.Tensor, deltas: torch.Tensor,
           max_xy: torch.Tensor) -> torch.Tensor:
    """``DeltaXYWHBBoxCoder.decode`` (mmdet's ``delta2bbox`` with the coder's settings), the
    boxes clipped to ``max_xy`` = (w, h, w, h) of the image as mmdet clips them to img_shape."""
    boxes = delta2bbox(priors, deltas, coder.means, coder.stds, None, 16 / 1000, False,
                       coder.add_ctr_clamp, coder.ctr_clamp)
    if coder.clip_border:
        boxes = torch.min(torch.clamp(boxes, min=0), max_xy)
    return boxes


def grid_anchors(base: torch.Tensor, stride: Sequence[int], feat: torch.Tensor) -> torch.Tensor:
    """``AnchorGenerator.single_level_grid_priors`` for the feature map ``feat``: the ``base``
    anchors (A, 4) shifted to every position, position-major; traced with the map's size."""
    h, w = feat.shape[-2:]
    ys = torch.arange(h, dtype=torch.float32) * float(stride[1])
    xs = torch.arange(w, dtype=torch.float32) * float(stride[0])
    yy, xx = torch.meshgrid(ys, xs, indexing='ij')
    xx, yy = xx.reshape(-1), yy.reshape(-1)
    shifts = torch.stack([xx, yy, xx, yy], dim=-1)
    return (base[None] + shifts[:, None]).reshape(-1, 4)


class DetectorExport(nn.Module):
    """A two-stage mmdet detector's prediction for one image."""

    def __init__(self, detector: nn.Module):
        super().__init__()
        rpn, roi = detector.rpn_head, detector.roi_head
        kind = type(roi).__name__
        _check(kind in (STANDARD, CASCADE), 'roi_head must be a StandardRoIHead (Mask R-CNN) '
               'or a CascadeRoIHead (Cascade Mask R-CNN)', kind)
        _check(type(rpn).__name__ == 'RPNHead', 'rpn_head must be an RPNHead',
               type(rpn).__name__)
        _check(roi.with_mask, 'the roi_head must have a mask head', None)
        heads = list(roi.bbox_head) if kind == CASCADE else [roi.bbox_head]
        for head in [rpn] + heads:
            _check(type(head.bbox_coder).__name__ == 'DeltaXYWHBBoxCoder',
                   'box coders must be DeltaXYWHBBoxCoder', type(head.bbox_coder).__name__)
        for head in heads:
            _check(not head.custom_cls_channels and not head.loss_cls.use_sigmoid,
                   'box heads must score classes with a softmax', type(head.loss_cls).__name__)
        self.detector = detector.eval()
        self.cascade = kind == CASCADE
        self.rpn_cfg, self.rcnn_cfg = detector.test_cfg.rpn, detector.test_cfg.rcnn
        self.rpn_iou, self.rcnn_iou = nms_iou(self.rpn_cfg.nms), nms_iou(self.rcnn_cfg.nms)
        priors = rpn.prior_generator
        _check(type(priors).__name__ == 'AnchorGenerator', 'the RPN must have an AnchorGenerator',
               type(priors).__name__)
        for i, base in enumerate(priors.base_anchors):
            self.register_buffer(f'base_anchors{i}', base, persistent=False)
        self.strides = [tuple(s) for s in priors.strides]
        self.num_levels = priors.num_levels

    def forward(self, image: torch.Tensor, img_shape: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """image (1, 3, H, W); img_shape (2, ): height and width of the unpadded image."""
        max_xy = img_shape.to(image.dtype).flip(0).repeat(2)
        feats = self.detector.extract_feat(image)
        proposals = self._proposals(feats, max_xy)
        boxes, scores, labels = self._detections(feats, proposals, max_xy)
        return boxes, scores, labels, self._masks(feats, boxes, labels)

    def _proposals(self, feats, max_xy: torch.Tensor) -> torch.Tensor:
        """RPNHead.predict for one image: the top ``nms_pre`` anchors of each level, decoded,
        small boxes dropped, NMS within each level, the first ``max_per_img`` kept. (A full
        sort cut to ``nms_pre``: the graph then holds for levels with fewer anchors, too.)"""
        rpn, cfg = self.detector.rpn_head, self.rpn_cfg
        cls_scores, deltas = rpn(feats)
        scores, boxes, levels = [], [], []
        for i in range(self.num_levels):
            anchors = grid_anchors(getattr(self, f'base_anchors{i}'), self.strides[i],
                                   cls_scores[i])
            score = cls_scores[i][0].permute(1, 2, 0).reshape(-1, rpn.cls_out_channels)
            score = score.sigmoid()[:, 0] if rpn.use_sigmoid_cls else score.softmax(-1)[:, 0]
            delta = deltas[i][0].permute(1, 2, 0).reshape(-1, 4)
            nms_pre = cfg.get('nms_pre', -1)
            if nms_pre > 0:
                score, top = score.sort(descending=True)
                score, top = score[:nms_pre], top[:nms_pre]
                delta, anchors = delta[top], anchors[top]
            scores.append(score)
            boxes.append(decode(rpn.bbox_coder, anchors, delta, max_xy))
            levels.append(torch.full_like(score, i, dtype=torch.long))
        scores, boxes, levels = torch.cat(scores), torch.cat(boxes), torch.cat(levels)
        min_size = cfg.get('min_bbox_size', -1)
        if min_size >= 0:
            wh = boxes[:, 2:] - boxes[:, :2]
            valid = torch.nonzero((wh[:, 0] > min_size) & (wh[:, 1] > min_size)).squeeze(1)
            scores, boxes, levels = scores[valid], boxes[valid], levels[valid]
        keep = batched_nms(boxes, scores, levels, self.rpn_iou)[:cfg.max_per_img]
        return boxes[keep]

    def _detections(self, feats, proposals: torch.Tensor, max_xy: torch.Tensor):
        """The RoI head's boxes: one stage (StandardRoIHead.predict_bbox) or a cascade whose
        stages refine the boxes and average their class logits (CascadeRoIHead._refine_roi),
        then softmax, per-class decoding, score threshold and class-aware NMS
        (BBoxHead.predict_by_feat and mmdet's multiclass_nms)."""
        roi, cfg = self.detector.roi_head, self.rcnn_cfg
        rois = torch.cat([proposals.new_zeros(proposals.shape[0], 1), proposals], 1)
        stages = range(roi.num_stages) if self.cascade else [None]
        logits = []
        for stage in stages:
            head, extractor = self._stage(roi.bbox_head, stage), self._stage(
                roi.bbox_roi_extractor, stage)
            cls_score, delta = head(extract_rois(extractor, feats, rois))
            logits.append(cls_score)
            if self.cascade and stage < roi.num_stages - 1:
                label = cls_score[:, :-1].argmax(1)
                rois = torch.cat([rois[:, :1], self._decode_by_class(head, rois, delta, label,
                                                                     max_xy)], 1)
        head = self._stage(roi.bbox_head, stages[-1])
        scores = (sum(logits) / float(len(logits)) if self.cascade else logits[0]).softmax(-1)
        num_classes = head.num_classes
        if head.reg_class_agnostic:
            boxes = decode(head.bbox_coder, rois[:, 1:], delta, max_xy)
            boxes = boxes[:, None].expand(-1, num_classes, 4)
        else:
            boxes = decode(head.bbox_coder, rois[:, 1:].repeat_interleave(num_classes, 0),
                           delta.reshape(-1, 4), max_xy)
        boxes = boxes.reshape(-1, 4)
        scores = scores[:, :num_classes].reshape(-1)
        labels = torch.arange(num_classes).repeat(rois.shape[0])
        valid = torch.nonzero(scores > cfg.score_thr).squeeze(1)
        boxes, scores, labels = boxes[valid], scores[valid], labels[valid]
        keep = batched_nms(boxes, scores, labels, self.rcnn_iou)
        if cfg.max_per_img > 0:
            keep = keep[:cfg.max_per_img]
        return boxes[keep], scores[keep], labels[keep]

    def _masks(self, feats, boxes: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Mask probabilities (N, M, M) of each box for its label: the mask head's sigmoid
        (a cascade: the mean of its stages' sigmoids, as merge_aug_masks takes it)."""
        roi = self.detector.roi_head
        rois = torch.cat([boxes.new_zeros(boxes.shape[0], 1), boxes], 1)
        stages = range(roi.num_stages) if self.cascade else [None]
        probs: List[torch.Tensor] = []
        for stage in stages:
            head = self._stage(roi.mask_head, stage)
            extractor = roi.bbox_roi_extractor if roi.share_roi_extractor else \
                roi.mask_roi_extractor
            pred = head(extract_rois(self._stage(extractor, stage), feats, rois))
            probs.append(pred.sigmoid())
        prob = sum(probs) / float(len(probs)) if len(probs) > 1 else probs[0]
        if prob.shape[1] > 1:  # not class_agnostic: the channel of each box's label
            prob = prob[torch.arange(prob.shape[0]), labels]
        else:
            prob = prob[:, 0]
        return prob

    @staticmethod
    def _stage(modules, stage):
        return modules if stage is None else modules[stage]

    @staticmethod
    def _decode_by_class(head, rois, delta, label, max_xy):
        """BBoxHead.regress_by_class: each RoI moved by the deltas of its predicted class."""
        if not head.reg_class_agnostic:
            index = (label * 4)[:, None] + torch.arange(4)
            delta = torch.gather(delta, 1, index)
        return decode(head.bbox_coder, rois[:, 1:], delta, max_xy)
