"""What runs on the host around an exported graph, shared by the exporter's checks, the ONNX
tester and the benchmark: the config's own data preprocessor (normalise, pad to its size
divisor and a batch's size), padding to a segmenter graph's fixed window, and turning the
graph's outputs into mmdet ``DetDataSample`` / mmseg ``SegDataSample`` predictions (boxes
rescaled to the original image, masks pasted; a segmenter's windows slid over the image and
its logits resized).
"""
import math
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F


def pad_to(inputs: torch.Tensor, shape: Sequence[int], what: str) -> torch.Tensor:
    """``inputs`` (1, 3, h, w) zero-padded at the bottom and right to ``shape`` (H, W): the
    padding the data preprocessors add after normalising."""
    h, w = inputs.shape[-2:]
    if h > shape[0] or w > shape[1]:
        raise ValueError(f'{what}: a {h}x{w} input does not fit the exported input size '
                         f'{shape[0]}x{shape[1]}; export with a larger --shape')
    return F.pad(inputs, (0, shape[1] - w, 0, shape[0] - h))


def detector_inputs(preprocessor, data: dict) -> List[Tuple[torch.Tensor, torch.Tensor, Any]]:
    """A test batch -> for each of its images: (image (1, 3, H, W) float32, padded to the
    batch's size as ``tools/test.py`` pads it, img_shape (2, ) int64, its data sample)."""
    batch = preprocessor(data, False)
    inputs = batch['inputs'].float()
    return [(inputs[i:i + 1], torch.tensor(sample.img_shape[:2], dtype=torch.int64), sample)
            for i, sample in enumerate(batch['data_samples'])]


def detector_sample(outputs: Sequence, sample, mask_thr: float):
    """The graph's (boxes, scores, labels, mask probabilities) put into ``sample`` as mmdet's
    test path leaves them: boxes divided by the scale factor, masks pasted into the original
    image by mmdet's ``_do_paste_mask`` and thresholded at ``mask_thr``."""
    from mmdet.models.roi_heads.mask_heads.fcn_mask_head import _do_paste_mask
    from mmengine.structures import InstanceData
    boxes, scores, labels, probs = (torch.as_tensor(np.asarray(o)) for o in outputs)
    boxes = boxes.float() / boxes.new_tensor(sample.scale_factor).repeat(2)
    h, w = sample.ori_shape[:2]
    masks = torch.zeros(len(boxes), h, w, dtype=torch.bool)
    for i in range(len(boxes)):  # one mask at a time, as mmdet pastes them on a CPU
        pasted, where = _do_paste_mask(probs[i:i + 1, None].float(), boxes[i:i + 1], h, w,
                                       skip_empty=True)
        masks[(slice(i, i + 1), ) + where] = pasted >= mask_thr
    sample.pred_instances = InstanceData(bboxes=boxes, scores=scores.float(),
                                         labels=labels.long(), masks=masks)
    return sample


def slide_windows(h: int, w: int, crop: Sequence[int],
                  stride: Sequence[int]) -> List[Tuple[int, int, int, int]]:
    """(y1, y2, x1, x2) of each window of mmseg's ``slide_inference`` over an h x w image."""
    rows = max(h - crop[0] + stride[0] - 1, 0) // stride[0] + 1
    cols = max(w - crop[1] + stride[1] - 1, 0) // stride[1] + 1
    windows = []
    for r in range(rows):
        for c in range(cols):
            y2, x2 = min(r * stride[0] + crop[0], h), min(c * stride[1] + crop[1], w)
            windows.append((max(y2 - crop[0], 0), y2, max(x2 - crop[1], 0), x2))
    return windows


def segmenter_logits(run: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor,
                     window: Sequence[int], test_cfg: Dict) -> torch.Tensor:
    """Logits (1, C, h, w) of an image (1, 3, h, w) from ``run``, the graph on one window of
    size ``window``: mmseg's slide inference (windows of the config's crop_size and stride,
    overlaps averaged) or, in 'whole' mode, the image as one window. A window smaller than
    the graph's input (an image smaller than crop_size) is zero-padded and its logits cropped.
    """
    h, w = inputs.shape[-2:]
    if test_cfg.get('mode', 'whole') == 'slide':
        windows = slide_windows(h, w, test_cfg['crop_size'], test_cfg['stride'])
    else:
        windows = [(0, h, 0, w)]
    total, count = None, torch.zeros(1, 1, h, w)
    for y1, y2, x1, x2 in windows:
        logits = torch.as_tensor(np.asarray(run(pad_to(inputs[..., y1:y2, x1:x2], window,
                                                       'segmenter window'))))
        logits = logits.float()[..., :y2 - y1, :x2 - x1]
        if total is None:
            total = torch.zeros(1, logits.shape[1], h, w)
        total[..., y1:y2, x1:x2] += logits
        count[..., y1:y2, x1:x2] += 1
    return total / count


def segmenter_inputs(preprocessor, data: dict):
    """A test batch of one image -> (image (1, 3, h, w) float32, its data sample)."""
    batch = preprocessor(data, False)
    inputs = batch['inputs']
    if inputs.shape[0] != 1:
        raise ValueError(f'ONNX segmenter: batch size must be 1, got {inputs.shape[0]}')
    return inputs.float(), batch['data_samples'][0]


def segmenter_sample(logits: torch.Tensor, sample, align_corners: bool):
    """mmseg's ``postprocess_result`` for one image: logits cropped of the preprocessor's
    padding, resized to the original image, and their argmax as the class map."""
    from mmengine.structures import PixelData
    meta = sample.metainfo
    left, right, top, bottom = meta.get('img_padding_size', meta.get('padding_size', [0] * 4))
    h, w = logits.shape[-2:]
    logits = logits[..., top:h - bottom, left:w - right]
    logits = F.interpolate(logits, size=meta['ori_shape'][:2], mode='bilinear',
                           align_corners=align_corners)[0]
    sample.set_data(dict(seg_logits=PixelData(data=logits),
                         pred_sem_seg=PixelData(data=logits.argmax(0, keepdim=True))))
    return sample


def default_canvas(scale: Sequence[int], divisor: int = 32) -> Tuple[int, int]:
    """A square input size holding every image a keep-ratio Resize to ``scale`` yields, in
    either orientation, padded to ``divisor``."""
    side = int(math.ceil(max(scale) / divisor) * divisor)
    return side, side
