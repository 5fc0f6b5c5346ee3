"""A small synthetic data set in the real COCO and ADE20K layouts, generated from a seed.

Images show circles, squares and triangles of varied size, colour and rotation, overlapping,
on textured backgrounds, each shape coloured to stand out from what it covers. The same scenes
are written twice:

- ``coco/``: ``{train,val}/*.jpg`` and ``annotations/instances_{train,val}.json`` with the
  visible part of each shape as an RLE mask (occlusion handled), its box and area;
- ``ade/``: ``images/{training,validation}/*.jpg`` and ``annotations/...*.png`` label maps,
  0 = unlabeled (a thin band around each shape, ignored like ADE20K's 0 with
  reduce_zero_label), 1 = background, 2.. = the shape classes.

:func:`make_cls_data` writes a classification set for pretraining the backbone, in the
ImageNet folder layout (``cls/{train,val}/<class>/*.jpg``, read by mmpretrain's
CustomDataset): one shape filling most of the image, or none, on the same kind of background.
:func:`demo_data_cfg` points a config's loaders at a set written here.
"""
import json
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

CLASSES = ('circle', 'square', 'triangle')
SEG_CLASSES = ('background', ) + CLASSES
CLS_CLASSES = SEG_CLASSES  # pretraining: which shape the image shows, if any
MIN_CONTRAST = 120  # a shape's colour against what it covers, |dB| + |dG| + |dR|


def _background(rng: np.random.RandomState, h: int, w: int) -> np.ndarray:
    """A colour gradient with noise and a few faint lines."""
    c0, c1 = rng.randint(0, 256, 3), rng.randint(0, 256, 3)
    t = np.linspace(0, 1, w if rng.rand() < 0.5 else h)
    ramp = c0[None] * (1 - t[:, None]) + c1[None] * t[:, None]
    img = np.broadcast_to(ramp[None] if len(t) == w else ramp[:, None], (h, w, 3)).copy()
    img += rng.normal(0, 12, (h, w, 3))
    for _ in range(rng.randint(0, 4)):
        p, q = rng.randint(0, [w, h], 2), rng.randint(0, [w, h], 2)
        cv2.line(img, tuple(map(int, p)), tuple(map(int, q)),
                 tuple(int(v) for v in rng.randint(0, 256, 3)), int(rng.randint(1, 3)))
    return np.clip(img, 0, 255).astype(np.uint8)


def _shape_polygon(rng: np.random.RandomState, label: int, h: int, w: int,
                   size_range: Tuple[float, float] = (0.12, 0.4)) -> np.ndarray:
    size = rng.uniform(*size_range) * min(h, w)
    cx, cy = rng.uniform(size / 2, w - size / 2), rng.uniform(size / 2, h - size / 2)
    n = (32, 4, 3)[label]
    angles = rng.uniform(0, 2 * np.pi) + np.arange(n) * 2 * np.pi / n
    radius = size / 2 * (1.0 if n != 4 else np.sqrt(2) * 0.8)
    return np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], 1)


def _draw_shape(rng: np.random.RandomState, img: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Fill ``poly`` (in place) with a random colour that stands out from what it covers: at
    least MIN_CONTRAST (summed over B, G, R) from 90% of the covered pixels (background and
    shapes beneath alike), so that every labelled shape is visible; the best of 50 tries where
    none does. Returns the int32 polygon drawn."""
    poly = np.round(poly).astype(np.int32)
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [poly], 1)
    covered = img[mask > 0].astype(np.int32)
    best, best_contrast = None, -1.0
    for _ in range(50):
        colour = rng.randint(0, 256, 3)
        contrast = np.percentile(np.abs(covered - colour).sum(1), 10) if len(covered) else 765
        if contrast > best_contrast:
            best, best_contrast = colour, contrast
        if contrast >= MIN_CONTRAST:
            break
    cv2.fillPoly(img, [poly], tuple(int(v) for v in best))
    return poly


def make_scene(rng: np.random.RandomState, h: int, w: int, max_objects: int = 5):
    """(image HxWx3 uint8 BGR, instance id map HxW (0 = none), [label of instance 1, ...])."""
    img = _background(rng, h, w)
    ids = np.zeros((h, w), np.int32)
    labels = []
    for k in range(1, rng.randint(1, max_objects + 1) + 1):
        label = int(rng.randint(len(CLASSES)))
        poly = _draw_shape(rng, img, _shape_polygon(rng, label, h, w))
        cv2.fillPoly(ids, [poly], k)  # later shapes occlude earlier ones
        labels.append(label)
    return img, ids, labels


def _coco_annotations(ids: np.ndarray, labels: List[int], image_id: int, start: int):
    anns = []
    for k, label in enumerate(labels, 1):
        visible = np.asfortranarray((ids == k).astype(np.uint8))
        area = int(visible.sum())
        if area < 64:  # hidden behind later shapes
            continue
        rle = mask_utils.encode(visible)
        rle['counts'] = rle['counts'].decode('ascii')
        x, y, bw, bh = mask_utils.toBbox(rle).tolist()
        anns.append(dict(id=start + len(anns), image_id=image_id, category_id=label + 1,
                         segmentation=rle, area=area, bbox=[x, y, bw, bh], iscrowd=0))
    return anns


def _label_map(ids: np.ndarray, labels: List[int]) -> np.ndarray:
    """1 = background, 2.. = shape classes, 0 = a 1-pixel unlabeled band on shape edges."""
    lut = np.array([1] + [label + 2 for label in labels], np.uint8)
    seg = lut[ids]
    edges = cv2.morphologyEx(ids.astype(np.float32), cv2.MORPH_GRADIENT,
                             np.ones((3, 3), np.uint8)) > 0
    seg[edges] = 0
    return seg


def make_cls_data(root: str, seed: int = 0, num_train: int = 8000, num_val: int = 800,
                  size: int = 64, shape_range: Tuple[float, float] = (0.55, 0.85)) -> str:
    """Write ``root/cls/{train,val}/<class>/NNNNN.jpg`` (skipped where complete with the same
    parameters, rewritten where not): ``size`` x ``size`` images of the classes
    ``CLS_CLASSES`` in turn: a background alone, or one shape filling ``shape_range`` of the
    image side (object-centric, as ImageNet's images and the detector's RoIs are), of any
    colour that stands out, rotation and position; return the folder."""
    cls = osp.join(root, 'cls')
    params = dict(seed=seed, num_train=num_train, num_val=num_val, size=size,
                  shape_range=list(shape_range))
    if _complete(cls, params):
        return cls
    shutil.rmtree(cls, ignore_errors=True)
    rng = np.random.RandomState(seed)
    for split, count in (('train', num_train), ('val', num_val)):
        for name in CLS_CLASSES:
            os.makedirs(osp.join(cls, split, name), exist_ok=True)
        for i in range(count):
            label = i % len(CLS_CLASSES)
            img = _background(rng, size, size)
            if label > 0:
                _draw_shape(rng, img, _shape_polygon(rng, label - 1, size, size, shape_range))
            cv2.imwrite(osp.join(cls, split, CLS_CLASSES[label], f'{i:05d}.jpg'), img)
    _mark_complete(cls, params)
    return cls


def _complete(folder: str, params: dict) -> bool:
    """Whether ``folder`` holds a set written to the end with these parameters."""
    try:
        with open(osp.join(folder, '.complete')) as f:
            return json.load(f) == params
    except (OSError, ValueError):
        return False


def _mark_complete(folder: str, params: dict) -> None:
    with open(osp.join(folder, '.complete'), 'w') as f:
        json.dump(params, f, sort_keys=True)


def make_demo_data(root: str, seed: int = 0, num_train: int = 896, num_val: int = 64,
                   size_range: Tuple[int, int] = (192, 320)) -> dict:
    """Write both layouts under ``root`` (skipped where complete with the same parameters,
    rewritten where not); return their paths."""
    coco, ade = osp.join(root, 'coco'), osp.join(root, 'ade')
    params = dict(seed=seed, num_train=num_train, num_val=num_val, size_range=list(size_range),
                  streams='per split')
    if _complete(root, params):
        return dict(coco=coco, ade=ade)
    for folder in (coco, ade):
        shutil.rmtree(folder, ignore_errors=True)
    categories = [dict(id=i + 1, name=name) for i, name in enumerate(CLASSES)]
    for stream, (split, ade_split, count) in enumerate((('train', 'training', num_train),
                                                        ('val', 'validation', num_val))):
        rng = np.random.RandomState([seed, stream])  # held-out scenes whatever num_train is
        for folder in (osp.join(coco, split), osp.join(coco, 'annotations'),
                       osp.join(ade, 'images', ade_split),
                       osp.join(ade, 'annotations', ade_split)):
            os.makedirs(folder, exist_ok=True)
        images, annotations = [], []
        for i in range(count):
            h, w = (int(v) for v in rng.randint(size_range[0], size_range[1] + 1, 2))
            img, ids, labels = make_scene(rng, h, w)
            name = f'{split}_{i:04d}'
            cv2.imwrite(osp.join(coco, split, name + '.jpg'), img)
            cv2.imwrite(osp.join(ade, 'images', ade_split, name + '.jpg'), img)
            cv2.imwrite(osp.join(ade, 'annotations', ade_split, name + '.png'),
                        _label_map(ids, labels))
            images.append(dict(id=i + 1, file_name=name + '.jpg', height=h, width=w))
            annotations += _coco_annotations(ids, labels, i + 1, len(annotations) + 1)
        with open(osp.join(coco, 'annotations', f'instances_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=annotations, categories=categories), f)
    _mark_complete(root, params)
    return dict(coco=coco, ade=ade)


LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def demo_data_cfg(root, ann_file: Optional[str] = None,
                  backbone: Optional[str] = None) -> Dict[str, object]:
    """Dotted config keys -> values that make every loader read the data set at ``root`` (one
    of the paths :func:`make_demo_data` returns) in the main process, with ``ann_file``, the
    val / test evaluators read that COCO annotation file, and the backbone start from the
    checkpoint ``backbone`` (None: random weights). For ``Config.merge_from_dict``, or as
    ``KEY=VALUE`` items of a tool's ``--cfg-options``."""
    cfg = {'model.backbone.init_cfg':
           dict(type='Pretrained', checkpoint=backbone) if backbone else None}
    for loader in LOADERS:
        cfg.update({f'{loader}.dataset.data_root': f'{root}/', f'{loader}.num_workers': 0,
                    f'{loader}.persistent_workers': False})
    if ann_file:
        cfg.update({'val_evaluator.ann_file': ann_file, 'test_evaluator.ann_file': ann_file})
    return cfg
