"""Time the data checks (``check_data``, level 'full' and 'paths') on a generated data set of
COCO-sized images, and scale the time to COCO train2017 and ADE20K.

    python tools/analysis/bench_data_checks.py [--images 5000] [--root DIR] [--workers 1 2]
        [--pool threads processes] [--repeat 3] [--coco-annotations]

The set (mmconvnext.testing.demo_data in the COCO and ADE20K layouts, image sides uniform in
480-640 px, so 560x560 on average, the pixels of COCO's typical 640x480) is written under
--root once and reused. Its files are in the page cache after writing (or a first pass): the
times are decoding, not disk reads. Each row is the fastest of --repeat runs, the slowest in
brackets. --coco-annotations also times the annotation checks alone on a file of COCO
train2017's counts (written under --root once).
"""
import argparse
import json
import os
import os.path as osp
import platform
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.logging import MMLogger

import mmconvnext.data_checks as checks
from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {'coco': 'configs/demo/mask_rcnn_convnext_t_shapes.py',
           'ade': 'configs/demo/upernet_convnext_t_shapes.py'}
FULL_SETS = {'coco': ('COCO train2017', 118287), 'ade': ('ADE20K training', 20210)}
CORES = len(os.sched_getaffinity(0))
POOLS = {'threads': ThreadPoolExecutor, 'processes': ProcessPoolExecutor}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--images', type=int, default=5000, help='training images generated')
    parser.add_argument('--root', default='work_dirs/bench_data_checks')
    parser.add_argument('--workers', type=int, nargs='+', default=[1, CORES])
    parser.add_argument('--pool', nargs='+', choices=list(POOLS), default=['threads'])
    parser.add_argument('--layouts', nargs='+', choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument('--repeat', type=int, default=3, help='runs of each; the fastest '
                        'is printed')
    parser.add_argument('--coco-annotations', action='store_true',
                        help='also time the annotation checks of a COCO train2017-sized file')
    return parser.parse_args()


def describe(folder: str) -> str:
    """Count, mean size in pixels and bytes of the JPEGs in ``folder``."""
    names = [osp.join(folder, n) for n in os.listdir(folder) if n.endswith('.jpg')]
    sizes = [cv2.imread(n).shape[:2] for n in names[:200]]
    pixels = np.mean([h * w for h, w in sizes])
    size_kb = np.mean([osp.getsize(n) for n in names]) / 1e3
    return f'{len(names)} images, {pixels / 1e3:.0f} kpixels and {size_kb:.0f} kB on average'


def time_check(cfg: Config, level: str, workers: int, pool: str = 'threads') -> float:
    """Seconds of one ``check_data`` of the training set, reading on a pool of ``pool``."""
    checks.ThreadPoolExecutor = POOLS[pool]
    try:
        start = time.perf_counter()
        checks.check_data(cfg, ('train_dataloader', ), level=level, workers=workers)
        return time.perf_counter() - start
    finally:
        checks.ThreadPoolExecutor = ThreadPoolExecutor


def main():
    args = parse_args()
    MMLogger.get_instance('bench_data_checks', log_level='WARNING')  # no progress lines
    paths = make_demo_data(args.root, seed=0, num_train=args.images, num_val=1,
                           size_range=(480, 640))
    print(f'{platform.processor() or platform.machine()}, {CORES} cores, load average '
          f'{os.getloadavg()[0]:.1f}; opencv {cv2.__version__}, numpy {np.__version__}')
    print(f'set: {describe(osp.join(paths["coco"], "train"))}')
    print('| layout | level | pool | workers | seconds (slowest) | images/s | estimate for the '
          'full set |')
    print('|---|---|---|---|---|---|---|')
    for layout in args.layouts:
        cfg = Config.fromfile(osp.join(ROOT, CONFIGS[layout]))
        cfg.merge_from_dict(demo_data_cfg(paths[layout]))
        time_check(cfg, 'full', CORES)  # a first pass: files in the page cache
        name, count = FULL_SETS[layout]
        runs = [('paths', 1, 'threads')] + [('full', workers, pool) for pool in args.pool
                                             for workers in args.workers]
        times = {run: [] for run in runs}
        for _ in range(args.repeat):  # interleaved: a busy spell of the machine hits all
            for run in runs:
                times[run].append(time_check(cfg, *run))
        for (level, workers, pool), measured in times.items():
            seconds = min(measured)
            rate = args.images / seconds
            print(f'| {layout} | {level} | {pool} | {workers} | {seconds:.1f} '
                  f'({max(measured):.1f}) | '
                  f'{rate:.0f} | {name}, {count} images: {duration(count / rate)} |', flush=True)
    if args.coco_annotations:
        time_coco_annotations(args.root)
    print(f'load average at the end {os.getloadavg()[0]:.1f}')


def duration(seconds: float) -> str:
    return f'{seconds:.1f} s' if seconds < 60 else f'{seconds / 60:.1f} min'


def time_coco_annotations(root: str) -> None:
    """Time the annotation part of the COCO check (images not read) on a file of COCO
    train2017's counts: 118287 images, 860001 annotations with a 23-point polygon each."""
    path = osp.join(root, 'coco_sized', 'instances.json')
    if not osp.isfile(path):
        write_coco_sized(path)
    dataset = dict(type='CocoDataset', ann_file=path, data_prefix=dict(img='train/'))
    read_images, checks._check_coco_files = checks._check_coco_files, lambda *args: None
    start = time.perf_counter()
    checks.check_contents(dataset, 'train_dataloader', training=True)
    seconds = time.perf_counter() - start
    checks._check_coco_files = read_images
    print(f'annotations of a COCO train2017-sized file ({osp.getsize(path) / 1e6:.0f} MB): '
          f'parsed and checked in {seconds:.1f} s', flush=True)


def write_coco_sized(path: str, images: int = 118287, annotations: int = 860001) -> None:
    rng = np.random.RandomState(0)
    image_list = [dict(id=i + 1, file_name=f'{i:012d}.jpg', height=480, width=640)
                  for i in range(images)]
    anns = []
    for i in range(annotations):
        x, y = float(rng.randint(0, 440)), float(rng.randint(0, 280))
        polygon = np.round(rng.uniform(0, 200, 46) + [x, y] * 23, 2).tolist()
        anns.append(dict(id=i + 1, image_id=i % images + 1, category_id=i % 80 + 1,
                         bbox=[x, y, 200.0, 200.0], area=20000.0, iscrowd=0,
                         segmentation=[polygon]))
    categories = [dict(id=i + 1, name=f'class {i}') for i in range(80)]
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(images=image_list, annotations=anns, categories=categories), f)


if __name__ == '__main__':
    main()
