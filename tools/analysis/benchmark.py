"""Time a detector or segmenter config: inference at batch 1, optionally training iterations.

Inference as the paper's FPS: warm-up, then timed images through the config's own test
pipeline; with peak memory. Optionally the time of a training iteration on the config's
training data (batches met before, and the first time), and on a GPU how much of it the GPU
was busy.

    python tools/analysis/benchmark.py CONFIG [--checkpoint CKPT] [--num-images 10]
        [--warmup 2] [--train-iters 0] [--image PATH] [--amp fp16|bf16]

Images come from the config's test set when it is on disk, else from --image, else a
synthetic 1280x800 image (2048x512 for segmentation): with the paper's COCO configs that is the
paper's FPS measure, the whole detector at 800x1280, batch 1 (the paper's numbers beside ours:
docs/benchmarks.md). On a GPU, steps are timed with CUDA events.
--amp: inference under autocast, training with AmpOptimWrapper (as tools/train.py --amp).
"""
import argparse
import os
import os.path as osp
import statistics
import tempfile

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint
from mmengine.runner.utils import set_random_seed

import mmconvnext  # noqa: F401
from timing import AMP_DTYPES, gpu_busy, time_ms

from mmconvnext.cli import use_amp
from mmconvnext.compat.bf16_boxes import boxes_in_fp32
from mmconvnext.compat.cpu_fallbacks import fit_config_to_machine
from mmconvnext.compat.stack_notices import quiet_stack_warnings
from mmconvnext.testing.memory import PeakTensorMemory


def test_images(cfg, args, folder):
    """Paths of the images to run: the test set's, --image, or a synthetic one."""
    dataset = cfg.test_dataloader.dataset
    root = dataset.get('data_root', '')
    prefix = dataset.get('data_prefix', {})
    image_dir = osp.join(root, prefix.get('img', prefix.get('img_path', '')))
    if osp.isdir(image_dir) and not args.image:
        names = sorted(f for f in os.listdir(image_dir)
                       if f.endswith(('.jpg', '.png')))
        if names:
            return [osp.join(image_dir, n) for n in names], f'test set ({image_dir})'
    if args.image:
        return [args.image], args.image
    size = (800, 1280) if cfg.default_scope == 'mmdet' else (512, 2048)
    path = osp.join(folder, 'synthetic.jpg')
    cv2.imwrite(path, np.random.RandomState(0).randint(0, 255, (*size, 3), dtype=np.uint8))
    return [path], f'synthetic {size[1]}x{size[0]} image'


def main():
    quiet_stack_warnings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='weights to load (default: random init)')
    parser.add_argument('--num-images', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--train-iters', type=int, default=0,
                        help='also time this many training iterations (needs the train set)')
    parser.add_argument('--image', help='an image to use instead of the test set')
    parser.add_argument('--cfg-data-root', help='data root of the train and test sets')
    parser.add_argument('--amp', choices=['fp16', 'bf16'], help='mixed precision (default fp32)')
    args = parser.parse_args()
    dtype = AMP_DTYPES[args.amp]

    cfg = Config.fromfile(args.config)
    if args.cfg_data_root:
        for loader in (cfg.train_dataloader, cfg.test_dataloader):
            loader.dataset.data_root = args.cfg_data_root
    cfg.model.backbone.init_cfg = None
    cfg.launcher = 'none'
    if args.amp:
        use_amp(cfg, args.amp)
    fit_config_to_machine(cfg)
    init_default_scope(cfg.default_scope)
    from mmengine.registry import MODELS
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()
    # images without labels, as the stack's inferencers run them
    pipeline = Compose([t for t in cfg.test_dataloader.dataset.pipeline
                        if t['type'] != 'LoadAnnotations'])

    with tempfile.TemporaryDirectory() as folder:
        paths, source = test_images(cfg, args, folder)
        batches = [pseudo_collate([pipeline(dict(img_path=p, img_id=i))])
                   for i, p in enumerate(paths[:max(1, args.num_images)])]

    def infer(batch):
        with torch.no_grad(), torch.autocast(device, dtype=dtype, enabled=dtype is not None):
            model.test_step(batch)

    for i in range(args.warmup):
        infer(batches[i % len(batches)])
    times = [time_ms(lambda: infer(batches[i % len(batches)]), device) / 1e3
             for i in range(args.num_images)]
    with PeakTensorMemory() as memory:
        infer(batches[0])
    median = statistics.median(times)
    where = torch.cuda.get_device_name() if device == 'cuda' else 'cpu'
    print(f'{args.config} on {where} ({torch.get_num_threads()} threads, '
          f'{args.amp or "fp32"}), images from {source}\n  inference, batch 1: '
          f'{1 / median:.2f} images/s (median {median * 1e3:.0f} ms over {args.num_images}), '
          f'peak tensor memory {memory.peak / 2**20:.0f} MB')

    if args.train_iters:
        cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
        cfg.train_dataloader.sampler.seed = 0
        set_random_seed(0)  # the same augmented batches (hence image sizes) in every run
        loader = iter(Runner.build_dataloader(cfg.train_dataloader))
        batches = [next(loader) for _ in range(args.train_iters + 1)]
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        model.train()
        # each batch twice: its first step meets a new input size (multi-scale resizing),
        # for which cuDNN chooses kernels anew; the second pass repeats sizes already met
        first = [time_ms(lambda: model.train_step(batch, optim), device) for batch in batches]
        again = [time_ms(lambda: model.train_step(batch, optim), device) for batch in batches]
        print(f'  training: {statistics.median(again[1:]):.0f} ms per iteration of '
              f'{cfg.train_dataloader.batch_size} images (median of {args.train_iters} batches '
              f'met before); {statistics.median(first[1:]):.0f} ms the first time each batch '
              'was run (after 1 warm-up)')
        if device == 'cuda':
            fraction, wall = gpu_busy(lambda: model.train_step(batches[-1], optim))
            print(f'  GPU busy {fraction:.0%} of a training step met before ({wall:.0f} ms '
                  'under torch.profiler; its device time / wall)')


if __name__ == '__main__':
    with boxes_in_fp32():  # --amp bf16 on a detector: its boxes, nms and RoIAlign in fp32
        main()
