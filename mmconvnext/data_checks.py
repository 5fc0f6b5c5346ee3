"""Checks of a config's data before a run starts, so that a wrong path or a bad annotation file
is an error naming the loader, the file and the problem, not a traceback from deep inside
pycocotools, and never a run that trains on nothing.

:func:`check_data` has three levels. ``'paths'``: the data root, annotation file and image
folder exist, and an annotation file is COCO JSON listing images. ``'off'``: nothing.
``'full'`` (the default) also opens the data, reading every image whole on a thread per core
(OpenCV and Pillow decode outside the GIL; threads measured as fast as processes):

- every image (COCO, mmseg's BaseSegDataset, an mmpretrain image folder) is decoded as the
  pipelines decode it (OpenCV, colour); missing, undecodable, truncated (a JPEG without its end
  marker) or under ``MIN_SIDE`` px a side is an error, and so is a size other than the COCO
  file's height / width;
- every COCO annotation: a box of zero or negative size, outside the image, under 1 px or of
  area <= 0, a polygon under 3 points, an unknown category id or image id. mmdet drops these
  when training, so there they give one warning line counting them per kind; in a
  validation / test set pycocotools reads the file as it is (a box of no size is an object
  that no detection matches; a 2-point polygon crashes it after all inference), so there they
  are errors, except a box under 1 px, a true if tiny object. Always errors: a box
  more than half outside the image (coordinates in another frame or format), a malformed box
  or segmentation, an RLE mask of another size than its image, a file with no annotations (a
  validation set would score -1 everywhere; allowed where the evaluator has
  ``format_only=True``);
- every segmentation map (mmseg reads these as they are, it drops nothing): missing,
  unreadable, of another size than its image, of more than one channel, or holding a value
  that is neither a class nor ignore (after ``reduce_zero_label`` and the label map) is an
  error; so is a validation set whose maps label no pixel with a class (mIoU nan).

A DataError names the file, the image and the value, and counts the faults of its set. In a
distributed run the tools read the data on global rank 0 only; the other ranks check the paths.

What the stack does unasked stays as it is: ``LoadImageFromFile`` (color_type 'color', the
default of our configs) reads 1-channel and 4-channel images as 3-channel BGR.
"""
import io
import json
import logging
import math
import os
import os.path as osp
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Iterable, List, Optional

import cv2
import numpy as np
from mmengine.logging import print_log

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
# At level 'paths', annotation files up to this size are parsed in full; bigger ones (COCO
# train2017's is 448 MB) only have their ends checked, to keep the start of a run fast: a file
# cut short or not JSON at all still fails there. Level 'full' parses every file.
FULL_PARSE_BYTES = 64 * 2**20
COCO_KEYS = ('images', 'annotations', 'categories')
LEVELS = ('full', 'paths', 'off')
# Smaller images are refused: below 8 px a side an image is a placeholder, such as the 1x1
# image of a failed download, not a photo (real sets start far higher: MNIST's 28, CIFAR's 32
# px), and resizing it to a training scale of hundreds of pixels magnifies it over 50 times.
MIN_SIDE = 8
CHUNK = 64  # images per task of the thread pool
# COCO annotation faults that mmdet drops when training, in its order, and their names
DROPPED = {
    'image': 'annotations of an image the file does not list',
    'empty': 'boxes of zero or negative width or height',
    'outside': 'boxes outside the image',
    'area': 'annotations of area <= 0',
    'tiny': 'boxes under 1 px wide or high',
    'category': 'annotations of a category the file does not list',
    'polygon': 'polygons of under 3 points',
}
FINE_IN_EVALUATION = ('tiny', )
EXAMPLES = 3  # faults quoted in a DataError


class DataError(ValueError):
    """A data set named in a config is missing, empty or malformed."""


def check_data(cfg, loaders: Iterable[str] = ('train_dataloader', 'val_dataloader'),
               level: str = 'full', workers: Optional[int] = None) -> None:
    """Check the data sets of ``cfg[loader]`` for each loader present (None: not used) at
    ``level`` ('full', 'paths' or 'off'; see the module's docstring), reading images on
    ``workers`` threads (None: one per core)."""
    if level not in LEVELS:
        raise ValueError(f'data check level must be one of {LEVELS}, got {level!r}')
    if level == 'off':
        return
    loaders = [loader for loader in loaders if cfg.get(loader)]
    for loader in loaders:  # all paths first: a wrong one is found in seconds
        check_dataset(cfg[loader]['dataset'], loader)
    if level != 'full':
        return
    checked = []
    for loader in loaders:
        dataset = cfg[loader]['dataset']
        if dataset not in checked:  # test_dataloader = val_dataloader: read once
            check_contents(dataset, loader, training=loader.startswith('train'),
                           needs_labels=_needs_labels(cfg, loader), workers=workers)
            checked.append(dataset)


def check_dataset(dataset: dict, where: str) -> None:
    """Raise :class:`DataError` if the data root, annotation file or image folder of this
    dataset config is missing or empty, or if a JSON annotation file is not COCO JSON with at
    least one image. Wrappers (``dataset=`` / ``datasets=``) are checked through."""
    for leaf, leaf_where in _leaves(dataset, where):
        _check_paths(leaf, leaf_where)


def check_contents(dataset: dict, where: str, training: bool, needs_labels: bool = True,
                   workers: Optional[int] = None) -> None:
    """Read every image, annotation and segmentation map of this dataset config (after
    :func:`check_dataset`); raise :class:`DataError` on a fault, warn once per data set of
    the annotations mmdet drops when ``training``."""
    for leaf, leaf_where in _leaves(dataset, where):
        if _remote(leaf.get('data_root') or ''):
            continue
        workers = workers or _cores()
        if not (_check_coco(leaf, leaf_where, training, needs_labels, workers)
                or _check_seg(leaf, leaf_where, training, needs_labels, workers)):
            _check_folder(leaf, leaf_where, workers)


# -- paths -----------------------------------------------------------------------------------

def _leaves(dataset: dict, where: str):
    """(dataset config, where) of each dataset inside the wrappers of ``dataset``."""
    if 'datasets' in dataset:
        for i, inner in enumerate(dataset['datasets']):
            yield from _leaves(inner, f'{where}.dataset.datasets[{i}]')
    elif 'dataset' in dataset:
        yield from _leaves(dataset['dataset'], f'{where}.dataset')
    else:
        yield dataset, where


def _check_paths(dataset: dict, where: str) -> None:
    """The checks of level 'paths' for one dataset (no wrapper)."""
    root = dataset.get('data_root') or ''
    if _remote(root):
        return
    if root:
        if not osp.isdir(root):
            raise DataError(f'{where}: data root {root!r} does not exist')
        if not os.listdir(root):
            raise DataError(f'{where}: data root {root!r} is empty')
    ann_file = dataset.get('ann_file') or ''
    if ann_file:
        path = _join(root, ann_file)
        if not osp.isfile(path):
            raise DataError(f'{where}: annotation file {path!r} does not exist (data_root='
                            f'{root!r}, ann_file={ann_file!r})')
        if path.endswith('.json'):
            _check_coco_json(path, where, dataset.get('type', ''))
    images = _image_prefix(dataset)
    if images is not None:
        folder = _join(root, images)
        if not osp.isdir(folder):
            raise DataError(f'{where}: image folder {folder!r} does not exist')
        if not any(name.lower().endswith(IMAGE_SUFFIXES) for name in _files(folder)):
            raise DataError(f'{where}: image folder {folder!r} holds no images '
                            f'({", ".join(IMAGE_SUFFIXES)})')


def _image_prefix(dataset: dict) -> Optional[str]:
    """mmdet / mmseg: data_prefix=dict(img=...) / dict(img_path=...); mmpretrain: a string."""
    prefix = dataset.get('data_prefix') or {}
    return prefix if isinstance(prefix, str) else prefix.get('img', prefix.get('img_path'))


def _check_coco_json(path: str, where: str, dataset_type: str) -> None:
    """That a JSON annotation file is COCO JSON listing images (a big one: only its ends)."""
    size = osp.getsize(path)
    if size == 0:
        raise DataError(f'{where}: annotation file {path!r} is empty')
    if size > FULL_PARSE_BYTES:
        with open(path, 'rb') as f:
            head = f.read(64).lstrip()
            f.seek(max(0, size - 64))
            tail = f.read().rstrip()
        if not (head.startswith(b'{') and tail.endswith(b'}')):
            raise DataError(f'{where}: annotation file {path!r} is not COCO JSON: it does '
                            'not start with "{" and end with "}" (cut short?)')
        return
    _coco_content(_load_json(path, where), path, where, dataset_type)


def _load_json(path: str, where: str):
    """The parsed file, or a DataError saying where it is not JSON."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(f'{where}: annotation file {path!r} is not JSON: {e}') from None


def _coco_content(content, path: str, where: str, dataset_type: str) -> Optional[dict]:
    """``content`` if it is COCO JSON listing images, None if it is some other layout (for
    another dataset class); raise :class:`DataError` if it is meant as COCO but is not."""
    if 'coco' not in str(dataset_type).lower() and not (
            isinstance(content, dict) and 'images' in content):
        return None
    if not isinstance(content, dict):
        raise DataError(f'{where}: annotation file {path!r} is not COCO JSON: its top level '
                        f'is a {type(content).__name__}, not an object with keys {COCO_KEYS}')
    missing = [k for k in COCO_KEYS if not isinstance(content.get(k), list)]
    if missing:
        raise DataError(f'{where}: annotation file {path!r} is not COCO JSON: no list '
                        f'{missing} (keys found: {sorted(content)[:10]})')
    if not content['images']:
        raise DataError(f'{where}: annotation file {path!r} lists no images')
    return content


def _files(folder: str):
    """The names of the files under ``folder``, at any depth."""
    for _, _, names in os.walk(folder):
        yield from names


def _join(root: str, path: str) -> str:
    """``path`` under ``root`` as the datasets join them (absolute and remote paths as is)."""
    return path if not root or osp.isabs(path) or _remote(path) else osp.join(root, path)


def _remote(path: str) -> bool:
    """Whether ``path`` is a URL (s3://, http://...), which is not checked."""
    return '://' in str(path)


# -- contents: what was found ----------------------------------------------------------------

class _Faults:
    """The faults found in one data set: errors (counted, the first few kept) and what mmdet
    drops when training (counted per kind, the first as example)."""

    def __init__(self, where: str):
        self.where = where
        self.errors: List[str] = []
        self.count = 0
        self.dropped = {}

    def error(self, message: str) -> None:
        """Count a fault that stops the run."""
        self.count += 1
        if len(self.errors) < EXAMPLES:
            self.errors.append(message)

    def drop(self, kind: str, example: str) -> None:
        """Count an annotation mmdet drops when training."""
        self.dropped.setdefault(kind, [0, example])[0] += 1

    def raise_errors(self) -> None:
        """Raise a DataError quoting the first faults, if any."""
        if not self.count:
            return
        more = self.count - 1
        rest = f' ({more} more fault{"s" * (more > 1)} in this set, e.g. ' \
            f'{"; ".join(self.errors[1:])})' if more else ''
        raise DataError(f'{self.where}: {self.errors[0]}{rest}')

    def warn_dropped(self, path: str) -> None:
        """One warning line counting what mmdet will drop, per kind."""
        if not self.dropped:
            return
        total = sum(n for n, _ in self.dropped.values())
        kinds = '; '.join(f'{DROPPED[kind]}: {n} (e.g. {example})'
                          for kind, (n, example) in self.dropped.items())
        print_log(f'{self.where}: annotation file {path!r}: mmdet drops {total} annotation'
                  f'{"s" * (total > 1)} when training: {kinds}', logger='current',
                  level=logging.WARNING)


# -- contents: COCO --------------------------------------------------------------------------

def _check_coco(dataset: dict, where: str, training: bool, needs_labels: bool,
                workers: int) -> bool:
    """Check a COCO JSON data set's annotations, then its images; False if not COCO JSON."""
    root = dataset.get('data_root') or ''
    path = _join(root, dataset.get('ann_file') or '')
    if not path.endswith('.json'):
        return False
    content = _coco_content(_load_json(path, where), path, where, dataset.get('type', ''))
    if content is None:
        return False
    faults = _Faults(where)
    images = _coco_images(content['images'], path, faults)
    faults.raise_errors()
    if not content['annotations'] and (training or needs_labels):
        use = 'nothing to train on' if training else 'every metric would score -1'
        raise DataError(f'{where}: annotation file {path!r} lists no annotations: {use}')
    categories = {c.get('id') for c in content['categories'] if isinstance(c, dict)}
    for ann in content['annotations']:
        _check_annotation(ann, images, categories, path, training, faults)
    faults.raise_errors()
    _check_coco_files(images, _join(root, _image_prefix(dataset) or ''), path, faults, workers)
    faults.raise_errors()
    if training:
        faults.warn_dropped(path)
    return True


def _coco_images(entries: list, path: str, faults: _Faults) -> dict:
    """Image id -> (file name, height, width) of the file's image list."""
    images = {}
    for i, entry in enumerate(entries):
        entry = entry if isinstance(entry, dict) else {}
        # LVIS names its files by their COCO URL only
        name = entry.get('file_name') or str(entry.get('coco_url', '')).replace(
            'http://images.cocodataset.org/', '') or None
        values = dict(id=entry.get('id'), file_name=name, height=entry.get('height'),
                      width=entry.get('width'))
        missing = [key for key, value in values.items() if value is None]
        if missing:
            faults.error(f'annotation file {path!r}: image entry {i} '
                         f'({str(entries[i])[:80]}) has no {", ".join(missing)}')
        else:
            images[values['id']] = (name, values['height'], values['width'])
    return images


def _check_annotation(ann, images: dict, categories: set, path: str, training: bool,
                      faults: _Faults) -> None:
    """Record the first fault of one COCO annotation: dropped (training) or an error."""
    if not isinstance(ann, dict):
        faults.error(f'annotation file {path!r}: annotation {str(ann)[:80]} is not an object')
        return
    image = images.get(ann.get('image_id'))
    kind, problem = _annotation_fault(ann, image, categories)
    if problem is None:
        return
    name = f'{image[0]!r}' if image else 'no listed image'
    where = f'annotation id {ann.get("id")} (image id {ann.get("image_id")}, {name})'
    if kind and training:
        faults.drop(kind, f'{where}: {problem}')
    elif not kind or kind not in FINE_IN_EVALUATION:
        scored = ('; mmdet drops it when training, but pycocotools evaluates the file as it '
                  'is') if kind else ''
        faults.error(f'annotation file {path!r}: {where}: {problem}{scored}')


def _annotation_fault(ann: dict, image, categories: set):
    """(kind, problem) of the first fault of ``ann`` in mmdet's order, kind None for an error
    in any set; (None, None) if none."""
    if image is None:
        return 'image', f'image_id {ann.get("image_id")!r} is not in the file\'s images'
    box = ann.get('bbox')
    if not (isinstance(box, list) and len(box) == 4 and all(_number(v) for v in box)):
        return None, f'bbox {box!r} is not [x, y, width, height]'
    x, y, w, h = box
    _, height, width = image
    inside = max(0, min(x + w, width) - max(x, 0)) * max(0, min(y + h, height) - max(y, 0))
    if w <= 0 or h <= 0:
        return 'empty', f'bbox {box} has width {w} and height {h}'
    if inside == 0:
        return 'outside', f'bbox {box} lies outside the {width}x{height} image'
    if not _number(ann.get('area')):
        return None, f'area {ann.get("area")!r} is not a number'
    if ann['area'] <= 0:
        return 'area', f'area is {ann["area"]}'
    if w < 1 or h < 1:
        return 'tiny', f'bbox {box} is under 1 px wide or high'
    if ann.get('category_id') not in categories:
        return 'category', f'category_id {ann.get("category_id")!r} is not one of the ' \
            f'file\'s categories {sorted(categories, key=str)[:20]}'
    kind, problem = _segmentation_fault(ann.get('segmentation'), height, width)
    if problem:
        return kind, problem
    if inside < 0.5 * w * h:
        return None, f'bbox {box} lies more than half outside the {width}x{height} image'
    return None, None


def _segmentation_fault(seg, height: int, width: int):
    """(kind, problem) of a COCO segmentation: polygons, an RLE mask, or none."""
    if not seg:
        return None, None
    if isinstance(seg, dict):
        size, counts = seg.get('size'), seg.get('counts')
        if size != [height, width]:
            return None, f'RLE mask size {size!r} is not the image\'s [{height}, {width}]'
        if isinstance(counts, list) and sum(counts) != height * width:
            return None, f'RLE counts sum to {sum(counts)}, not {height}x{width}'
        if not isinstance(counts, (list, str)):
            return None, f'RLE counts are a {type(counts).__name__}, not a list or a string'
        return None, None
    if not isinstance(seg, list) or not all(isinstance(p, list) for p in seg):
        return None, f'segmentation {str(seg)[:80]} is neither a list of polygons nor RLE'
    for i, polygon in enumerate(seg):
        if len(polygon) < 6 or len(polygon) % 2:
            return 'polygon', f'polygon {i} has {len(polygon)} numbers {polygon[:8]}: ' \
                'a polygon needs x, y pairs of at least 3 points (6 numbers)'
    return None, None


def _number(value) -> bool:
    """Whether ``value`` is a finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _check_coco_files(images: dict, folder: str, path: str, faults: _Faults,
                      workers: int) -> None:
    """Read every listed image whole; record those unreadable or of another size."""
    items = [(osp.join(folder, name), ) for name, _, _ in images.values()]
    results = _read_all(_read_image, items, workers, faults.where)
    for (image_id, (_, height, width)), (file, ), result in zip(images.items(), items, results):
        where = f'image {file!r} (image id {image_id} in {path!r})'
        if isinstance(result, str):
            faults.error(f'{where} {result}')
        elif result != (height, width):
            swapped = ' (swapped: an EXIF orientation tag?)' if result == (width, height) else ''
            faults.error(f'{where} is {result[1]}x{result[0]} px (width x height) but the '
                         f'annotation file gives width={width}, height={height}{swapped}')


# -- contents: segmentation maps and image folders -------------------------------------------

def _check_seg(dataset: dict, where: str, training: bool, needs_labels: bool,
               workers: int) -> bool:
    """Check an mmseg data set's images and maps; False if the dataset is not mmseg's."""
    seg = _seg_dataset(dataset)
    if seg is None:
        return False
    data_list = seg.load_data_list()
    classes = seg.metainfo.get('classes') or ()
    valid = _valid_values(len(classes), seg.reduce_zero_label, seg.label_map,
                          seg.ignore_index)
    items = [(d['img_path'], d.get('seg_map_path')) for d in data_list]
    results = _read_all(_read_pair, items, workers, where)
    faults, labelled = _Faults(where), False
    for (img, seg_map), (size, found) in zip(items, results):
        if isinstance(size, str):
            faults.error(f'image {img!r} {size}')
        elif isinstance(found, str):
            faults.error(f'seg map {seg_map!r} (of image {img!r}) {found}')
        elif found is not None:
            problem = _map_problem(size, found, valid, classes, seg)
            if problem:
                faults.error(f'seg map {seg_map!r} (of image {img!r}) {problem}')
            labelled = labelled or any(valid.get(v, 255) < len(classes) for v in found[1])
    faults.raise_errors()
    if classes and items and not training and needs_labels and not labelled:
        raise DataError(f'{where}: no seg map of the {len(items)} images labels a pixel with '
                        f'a class ({len(classes)} classes): mIoU would be nan')
    return True


def _seg_dataset(dataset: dict):
    """The mmseg dataset (not loaded) of this config; None if its type is not mmseg's."""
    try:
        import mmseg.datasets  # noqa: F401  (registers them)
        from mmseg.datasets import BaseSegDataset
        from mmseg.registry import DATASETS
    except ImportError:
        return None
    kind = dataset.get('type')
    cls = kind if isinstance(kind, type) else DATASETS.get(kind) if isinstance(kind, str) \
        else None
    if not (isinstance(cls, type) and issubclass(cls, BaseSegDataset)):
        return None
    kwargs = {k: v for k, v in dataset.items() if k != 'type' and not k.startswith('_')}
    return cls(**dict(kwargs, lazy_init=True, pipeline=[]))


def _valid_values(num_classes: int, reduce_zero_label: bool, label_map: Optional[dict],
                  ignore: int) -> dict:
    """Value in a map file -> the label mmseg trains on, for the values that are a class or
    ``ignore`` (mmseg's LoadAnnotations: reduce_zero_label, then the label map)."""
    valid = {}
    for value in range(256):
        label = value
        if reduce_zero_label:
            label = 255 if value in (0, 255) else value - 1
        label = (label_map or {}).get(label, label)
        if label < num_classes or label == ignore:
            valid[value] = label
    return valid


def _map_problem(size, found, valid: dict, classes, seg) -> Optional[str]:
    """What is wrong with a map of shape ``found[0]``, values ``found[1]`` (counts
    ``found[2]``) for an image of ``size``; None if nothing."""
    shape, values, counts = found
    if len(shape) > 2:
        return f'has {shape[2]} channels: a label map has one (a colour-coded map must be ' \
            'turned into class indices)'
    if tuple(shape) != tuple(size):
        return f'is {shape[1]}x{shape[0]} px (width x height), its image ' \
            f'{size[1]}x{size[0]}'
    if not classes:
        return None
    bad = [(v, n) for v, n in zip(values, counts) if int(v) not in valid]
    if not bad:
        return None
    value, count = bad[0]
    return f'holds the value {value} at {count} pixels, which is no class: the values ' \
        f'allowed are {_ranges(sorted(valid))} ({len(classes)} classes, reduce_zero_label=' \
        f'{seg.reduce_zero_label}, {seg.ignore_index} = ignore)'


def _ranges(values: List[int]) -> str:
    """'0-3, 255' for [0, 1, 2, 3, 255]."""
    runs = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return ', '.join(f'{a}-{b}' if b > a else f'{a}' for a, b in runs)


def _check_folder(dataset: dict, where: str, workers: int) -> None:
    """Read every image of an image folder data set (mmpretrain's CustomDataset)."""
    prefix = dataset.get('data_prefix')
    if not isinstance(prefix, str) or dataset.get('ann_file'):
        return
    folder = _join(dataset.get('data_root') or '', prefix)
    items = sorted((osp.join(top, name), ) for top, _, names in os.walk(folder)
                   for name in names if name.lower().endswith(IMAGE_SUFFIXES))
    faults = _Faults(where)
    for (file, ), result in zip(items, _read_all(_read_image, items, workers, where)):
        if isinstance(result, str):
            faults.error(f'image {file!r} {result}')
    faults.raise_errors()


# -- reading, on a thread pool (OpenCV, Pillow and file reads release the GIL) -----------------

def _read_all(read, items: list, workers: int, where: str) -> list:
    """``[read(*item) for item in items]`` on ``workers`` threads, in chunks."""
    print_log(f'{where}: reading {len(items)} images whole to check them, {workers} threads '
              '(--data-check paths skips this)', logger='current')
    start = time.perf_counter()
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            done = list(pool.map(partial(_read_chunk, read), chunks))
    else:
        done = [_read_chunk(read, chunk) for chunk in chunks]
    seconds = time.perf_counter() - start
    print_log(f'{where}: {len(items)} images read in {seconds:.1f} s', logger='current')
    return [result for chunk in done for result in chunk]


def _read_chunk(read, chunk: list) -> list:
    """One task of the pool: ``read`` each item of ``chunk``."""
    return [read(*item) for item in chunk]


def _read_image(path: str):
    """(height, width) of the image at ``path`` decoded whole as the pipelines decode it
    (OpenCV, colour, EXIF orientation applied), or what is wrong with it."""
    data = _bytes(path)
    if isinstance(data, str):
        return data
    if data[:2] == b'\xff\xd8':
        problem = _jpeg_problem(data)
        if problem:
            return problem
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return f'cannot be decoded as an image ({len(data)} bytes, starting {data[:8]!r})'
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE:
        return f'is {width}x{height} px (width x height): images under {MIN_SIDE} px a ' \
            'side are refused'
    return height, width


def _bytes(path: str):
    """The file's bytes, or why they cannot be had."""
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return 'does not exist'
    except OSError as e:
        return f'cannot be read: {e.strerror or e}'


def _jpeg_problem(data: bytes) -> Optional[str]:
    """Why a JPEG is incomplete, None if it is whole. libjpeg decodes a file cut short with a
    grey bottom and a mere warning; a whole file ends with the end marker FFD9 (trailing
    padding aside), and Pillow, which refuses a file cut short, judges those that do not."""
    if data[-64:].rstrip(b'\x00\r\n\t ')[-2:] == b'\xff\xd9':
        return None
    from PIL import Image
    try:
        Image.open(io.BytesIO(data)).load()
    except Exception as e:  # noqa: B902  Pillow raises OSError, SyntaxError, ValueError...
        return f'is truncated: the JPEG ({len(data)} bytes) has no end marker (FFD9) and ' \
            f'Pillow finds it incomplete ({e})'
    return None


def _read_pair(img_path: str, seg_path: Optional[str]):
    """(image (height, width) or its fault, map (shape, values, counts) or its fault)."""
    size = _read_image(img_path)
    if isinstance(size, str) or seg_path is None:
        return size, None
    return size, _read_label_map(seg_path)


def _read_label_map(path: str):
    """(shape, values present, their pixel counts) of a segmentation map read as mmseg's
    LoadAnnotations reads it (Pillow, unchanged), or what is wrong with it."""
    from PIL import Image
    data = _bytes(path)
    if isinstance(data, str):
        return data
    try:
        array = np.asarray(Image.open(io.BytesIO(data)))
    except Exception as e:  # noqa: B902  Pillow: OSError, SyntaxError, ValueError...
        return f'cannot be read as an image: {e}'
    if array.ndim > 2 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim > 2:
        return array.shape, (), ()
    if array.dtype == np.uint8:
        counts = np.bincount(array.ravel(), minlength=256)
        values = np.flatnonzero(counts)
        return array.shape, values.tolist(), counts[values].tolist()
    values, counts = np.unique(array, return_counts=True)
    return array.shape, values.tolist(), counts.tolist()


# -- where the check runs --------------------------------------------------------------------

def _needs_labels(cfg, loader: str) -> bool:
    """Whether the evaluator of ``loader`` scores against annotations (not format_only)."""
    evaluator = cfg.get(loader.replace('_dataloader', '_evaluator'))
    evaluators = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    return not all(isinstance(e, dict) and e.get('format_only') for e in evaluators)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
