"""Checks of a config's data before a run starts, so that a wrong path or a bad annotation file
is an error naming the loader, the file and the problem, not a traceback from deep inside
pycocotools, and never a run that trains on nothing.

What the stack does unasked stays as it is: ``LoadImageFromFile`` (color_type 'color', the
default of our configs) reads 1-channel and 4-channel images as 3-channel BGR.
"""
import json
import os
import os.path as osp
from typing import Iterable

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
# Annotation files up to this size are parsed in full; bigger ones (COCO train2017's is
# 448 MB) only have their ends checked, to keep the start of a run fast: a file cut short or
# not JSON at all still fails here; a subtler fault is left to the dataset's own loader.
FULL_PARSE_BYTES = 64 * 2**20
COCO_KEYS = ('images', 'annotations', 'categories')


class DataError(ValueError):
    """A data set named in a config is missing, empty or malformed."""


def check_data(cfg, loaders: Iterable[str] = ('train_dataloader', 'val_dataloader')) -> None:
    """Check the data sets of ``cfg[loader]`` for each loader present (None: not used)."""
    for loader in loaders:
        if cfg.get(loader):
            check_dataset(cfg[loader]['dataset'], loader)


def check_dataset(dataset: dict, where: str) -> None:
    """Raise :class:`DataError` if the data root, annotation file or image folder of this
    dataset config is missing or empty, or if a JSON annotation file is not COCO JSON with at
    least one image. Wrappers (``dataset=`` / ``datasets=``) are checked through."""
    if 'datasets' in dataset:
        for i, inner in enumerate(dataset['datasets']):
            check_dataset(inner, f'{where}.dataset.datasets[{i}]')
        return
    if 'dataset' in dataset:
        check_dataset(dataset['dataset'], f'{where}.dataset')
        return
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
    prefix = dataset.get('data_prefix') or {}
    # mmdet / mmseg: dict(img=...) / dict(img_path=...); mmpretrain: the image folder itself
    images = prefix if isinstance(prefix, str) else prefix.get('img', prefix.get('img_path'))
    if images is not None:
        folder = _join(root, images)
        if not osp.isdir(folder):
            raise DataError(f'{where}: image folder {folder!r} does not exist')
        if not any(name.lower().endswith(IMAGE_SUFFIXES) for name in _files(folder)):
            raise DataError(f'{where}: image folder {folder!r} holds no images '
                            f'({", ".join(IMAGE_SUFFIXES)})')


def _check_coco_json(path: str, where: str, dataset_type: str) -> None:
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
    try:
        with open(path, encoding='utf-8') as f:
            content = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(f'{where}: annotation file {path!r} is not JSON: {e}') from None
    if 'coco' not in str(dataset_type).lower() and not (
            isinstance(content, dict) and 'images' in content):
        return  # some other JSON layout, for another dataset class
    if not isinstance(content, dict):
        raise DataError(f'{where}: annotation file {path!r} is not COCO JSON: its top level '
                        f'is a {type(content).__name__}, not an object with keys {COCO_KEYS}')
    missing = [k for k in COCO_KEYS if not isinstance(content.get(k), list)]
    if missing:
        raise DataError(f'{where}: annotation file {path!r} is not COCO JSON: no list '
                        f'{missing} (keys found: {sorted(content)[:10]})')
    if not content['images']:
        raise DataError(f'{where}: annotation file {path!r} lists no images')


def _files(folder: str):
    for _, _, names in os.walk(folder):
        yield from names


def _join(root: str, path: str) -> str:
    return path if not root or osp.isabs(path) or _remote(path) else osp.join(root, path)


def _remote(path: str) -> bool:
    return '://' in str(path)
